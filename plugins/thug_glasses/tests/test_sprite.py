"""The glasses grid: the eyes land on dark lens cells and the shape is symmetric."""

from __future__ import annotations

from lensengine_thug_glasses.sprite import BLACK, GLASSES, LEFT_LENS_CENTRE, RIGHT_LENS_CENTRE, TRANSPARENT, WHITE


def test_eye_anchors_are_on_black_lens_cells():
    for x, y in (LEFT_LENS_CENTRE, RIGHT_LENS_CENTRE):
        assert GLASSES[int(y), int(x)] == BLACK


def test_outline_is_mirror_symmetric_and_anchors_are_too():
    drawn = GLASSES != TRANSPARENT
    assert (drawn == drawn[:, ::-1]).all()
    assert LEFT_LENS_CENTRE[0] + RIGHT_LENS_CENTRE[0] == GLASSES.shape[1]
    assert LEFT_LENS_CENTRE[1] == RIGHT_LENS_CENTRE[1]


def test_each_lens_has_a_white_highlight():
    middle = GLASSES.shape[1] // 2
    assert (GLASSES[:, :middle] == WHITE).any() and (GLASSES[:, middle:] == WHITE).any()
