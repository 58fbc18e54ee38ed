"""Overlapping square tiles that cover a frame, at a few sizes, for finding faces too small for a full-frame pass.

MediaPipe's face detector is short-range: it sees its input at 128x128 and finds faces whose width is at least
about 12% of the input's side (measured with the offline photos: 0.10 missed, 0.12 found, up to 0.7 and more).
A 1280x720 frame seen whole therefore loses faces under about 150 px; a 256 px tile finds faces down to about
31 px, a 512 px tile from about 62 px. Neighbouring tiles overlap so that a face cut by one tile's edge lies
whole, or nearly, inside the next one.

Tile sizes are for frames up to ``SIZES_FOR_LONGEST_SIDE`` pixels on their longest side; larger frames get
proportionally larger tiles (the same count: 34 at 1280x720 and at 1920x1080), as the full-frame pass also
looks at them at 1280.
"""

from __future__ import annotations

import math

DEFAULT_TILE_SIZES = (256, 512)
DEFAULT_TILE_OVERLAP = 0.25
SIZES_FOR_LONGEST_SIDE = 1280


def scaled_tile_sizes(width: int, height: int, sizes: tuple[int, ...]) -> tuple[int, ...]:
    """``sizes`` for a frame this large: unchanged up to 1280 px on the longest side, proportionally larger above."""
    scale = max(1.0, max(width, height) / SIZES_FOR_LONGEST_SIDE)
    return tuple(round(size * scale) for size in sizes)


def tile_starts(length: int, tile: int, overlap: float) -> list[int]:
    """Start offsets of tiles of ``tile`` pixels along ``length``: evenly spread, at least ``overlap`` shared."""
    if tile >= length:
        return [0]
    count = math.ceil((length - tile) / (tile * (1.0 - overlap))) + 1
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def overlapping_tiles(
    width: int, height: int, sizes: tuple[int, ...] = DEFAULT_TILE_SIZES, overlap: float = DEFAULT_TILE_OVERLAP
) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) tiles covering a ``width`` x ``height`` frame, smallest size first, row by row.

    Sizes are scaled to the frame (``scaled_tile_sizes``); a size larger than the frame is clipped to it, and
    tiles that repeat one already listed are skipped.
    """
    tiles: list[tuple[int, int, int, int]] = []
    for size in scaled_tile_sizes(width, height, sizes):
        for y in tile_starts(height, size, overlap):
            for x in tile_starts(width, size, overlap):
                tile = (x, y, min(x + size, width), min(y + size, height))
                if tile not in tiles:
                    tiles.append(tile)
    return tiles
