"""Paint a palette sprite onto an image through an affine placement, nearest-neighbour, vectorised."""

from __future__ import annotations

import numpy as np

from lensengine.face.align import invert_affine, transform_points

from .sprite import TRANSPARENT


def paint_sprite(
    image: np.ndarray,
    sprite: np.ndarray,
    palette: np.ndarray,
    placement: np.ndarray,
    alpha: np.ndarray | None = None,
) -> None:
    """Paint ``sprite`` (H, W) palette codes onto ``image`` (S, S, 3) in place; where it paints, ``alpha``
    ((S, S) uint8, when given) becomes 255.

    ``placement`` maps sprite cells to image pixels. Each image pixel inside the placed sprite takes the
    colour of the one cell its centre falls in (no blending), so the sprite stays pixel-art at any scale and
    angle. Only the sprite's bounding box is touched.
    """
    rows, cols = sprite.shape
    corners = transform_points(np.array([[0, 0], [cols, 0], [0, rows], [cols, rows]]), placement)
    height, width = image.shape[:2]
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int), 0)
    x1 = min(int(np.ceil(corners[:, 0].max())) + 1, width)
    y1 = min(int(np.ceil(corners[:, 1].max())) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return
    to_sprite = invert_affine(placement)
    xs = np.arange(x0, x1, dtype=np.float64)
    ys = np.arange(y0, y1, dtype=np.float64)[:, None]
    cell_x = np.floor(to_sprite[0, 0] * xs + to_sprite[0, 1] * ys + to_sprite[0, 2]).astype(np.intp)
    cell_y = np.floor(to_sprite[1, 0] * xs + to_sprite[1, 1] * ys + to_sprite[1, 2]).astype(np.intp)
    inside = (cell_x >= 0) & (cell_x < cols) & (cell_y >= 0) & (cell_y < rows)
    codes = np.full(inside.shape, TRANSPARENT, dtype=sprite.dtype)
    codes[inside] = sprite[cell_y[inside], cell_x[inside]]
    drawn = codes != TRANSPARENT
    image[y0:y1, x0:x1][drawn] = palette[codes[drawn]]
    if alpha is not None:
        alpha[y0:y1, x0:x1][drawn] = 255
