"""The pixel-art sunglasses: a small grid of palette codes, and where the eyes go on it.

Sprite coordinates are in grid cells: cell (row r, column c) covers x in [c, c + 1), y in [r, r + 1).
"""

from __future__ import annotations

import numpy as np

TRANSPARENT, BLACK, WHITE = 0, 1, 2

# One character a cell: '#' black, 'o' white highlight, '.' transparent. A bar across the top with short
# temple stubs, a bridge between the lenses, and lenses that narrow in steps towards the bottom.
_GLASSES_ROWS = (
    "###############################",
    "###############################",
    "...##oo#######...##oo#######...",
    "...#oo########...#oo########...",
    "...###########...###########...",
    "....#########.....#########....",
    ".....#######.......#######.....",
)
_CODES = {".": TRANSPARENT, "#": BLACK, "o": WHITE}

GLASSES = np.array([[_CODES[c] for c in row] for row in _GLASSES_ROWS], dtype=np.uint8)
GLASSES.setflags(write=False)

# Palette, indexed by code; the colour of TRANSPARENT is never drawn. Black and white read the same in
# BGR and RGB.
PALETTE = np.array([[0, 0, 0], [0, 0, 0], [255, 255, 255]], dtype=np.uint8)
PALETTE.setflags(write=False)

# Where the centre of each eye sits on the grid (x, y), image-left eye first: the middle of each lens,
# half a row above its middle row so the lenses reach a little further down the cheek than up the brow.
LEFT_LENS_CENTRE = (8.5, 3.5)
RIGHT_LENS_CENTRE = (22.5, 3.5)
