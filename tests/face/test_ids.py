"""Stable face ids from box overlap: matching, gating, lost tracks, new ids, one smoother per track."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.ids import FaceIdAssigner, greedy_matches, iou_matrix

LEFT = np.array([100.0, 100.0, 200.0, 220.0])
RIGHT = np.array([400.0, 120.0, 490.0, 230.0])


def ids_of(assigner: FaceIdAssigner, *boxes) -> list[int]:
    return [track.id for track in assigner.assign(np.array(boxes).reshape(-1, 4))]


class TestIoU:
    def test_known_values(self):
        a = np.array([[0, 0, 10, 10], [0, 0, 10, 10]])
        b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
        np.testing.assert_allclose(iou_matrix(a, b), [[1, 1 / 3, 0], [1, 1 / 3, 0]])

    def test_empty_sides(self):
        assert iou_matrix(np.zeros((0, 4)), np.zeros((3, 4))).shape == (0, 3)
        assert greedy_matches(np.zeros((0, 3)), 0.3) == []

    def test_greedy_takes_the_best_pair_first_and_respects_the_gate(self):
        iou = np.array([[0.9, 0.8], [0.85, 0.1]])
        assert greedy_matches(iou, 0.3) == [(0, 0)]  # row 1's only good column is taken; 0.1 is gated
        assert greedy_matches(np.array([[0.5, 0.4], [0.45, 0.35]]), 0.3) == [(0, 0), (1, 1)]


class TestFaceIdAssigner:
    def test_new_faces_get_new_increasing_ids(self):
        assigner = FaceIdAssigner()
        assert ids_of(assigner, LEFT) == [0]
        assert ids_of(assigner, LEFT, RIGHT) == [0, 1]

    def test_ids_stay_while_faces_move_a_few_pixels_and_swap_order_in_the_list(self):
        assigner = FaceIdAssigner()
        first = ids_of(assigner, LEFT, RIGHT)
        for step in range(1, 20):
            shift = np.array([4.0, 2.0, 4.0, 2.0]) * step
            assert ids_of(assigner, RIGHT - shift, LEFT + shift) == first[::-1]

    def test_a_face_lost_for_up_to_max_lost_frames_keeps_its_id(self):
        assigner = FaceIdAssigner(max_lost=5)
        assert ids_of(assigner, LEFT) == [0]
        for _ in range(5):
            assert ids_of(assigner) == []
        assert ids_of(assigner, LEFT + 3) == [0]

    def test_a_face_lost_longer_gets_a_new_id(self):
        assigner = FaceIdAssigner(max_lost=5)
        ids_of(assigner, LEFT)
        for _ in range(6):
            ids_of(assigner)
        assert ids_of(assigner, LEFT) == [1]

    def test_a_box_beyond_the_gate_is_a_new_face(self):
        assigner = FaceIdAssigner(min_iou=0.3)
        ids_of(assigner, LEFT)
        assert ids_of(assigner, LEFT + np.array([80.0, 0, 80.0, 0])) == [1]  # IoU 0.11

    def test_each_new_id_gets_a_fresh_smoother_and_a_kept_id_keeps_its_own(self):
        assigner = FaceIdAssigner()
        first = assigner.assign(LEFT[None])[0]
        first.smooth(np.zeros((478, 2)), 0.0)
        kept = assigner.assign(LEFT[None] + 1)[0]
        assert kept is first
        assert np.all(kept.smooth(np.full((478, 2), 10.0), 0.033) < 10.0)  # continues its history

        fresh = assigner.assign(np.stack([LEFT, RIGHT]))[1]
        assert fresh.smoother is not first.smoother
        np.testing.assert_array_equal(fresh.smooth(np.full((478, 2), 10.0), 0.066), 10.0)  # starts afresh

    def test_without_smoothing_landmarks_pass_through(self):
        track = FaceIdAssigner(make_smoother=None).assign(LEFT[None])[0]
        points = np.arange(956, dtype=np.float32).reshape(478, 2)
        assert track.smooth(points, 0.0) is points

    def test_reset_forgets_tracks_but_never_reuses_an_id(self):
        assigner = FaceIdAssigner()
        ids_of(assigner, LEFT, RIGHT)
        assigner.reset()
        assert ids_of(assigner, LEFT) == [2]

    @pytest.mark.parametrize("kwargs", [{"max_lost": -1}, {"min_iou": 0.0}, {"min_iou": 1.5}])
    def test_bad_parameters(self, kwargs):
        with pytest.raises(LensEngineError, match="max_lost"):
            FaceIdAssigner(**kwargs)
