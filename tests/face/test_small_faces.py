"""Small faces (people in a group): tile search, regions of interest, and no change for large faces."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE, RIGHT_EYE
from lensengine.face.roi_landmarker import cut_roi, roi_to_frame
from lensengine.face.tile_detector import TileFaceDetector
from lensengine.face.tiles import overlapping_tiles, tile_starts
from lensengine.face.tracker import FaceTracker

FRAME_MS = 33
HD = (1280, 720)
TILES_PER_FRAME = 12  # one round of the 34 tiles of a 1280x720 frame in 3 frames
# Face widths (landmark boxes) of the portrait cuts at scale 1: astronaut 89.5 px, Grace Hopper 185.4 px.
SIX_SMALL_FACES = [  # (name, x, y, scale): faces 60-90 px wide, one per seat of a 3x2 grid
    ("astronaut", 90, 60, 1.0),
    ("grace_hopper", 560, 80, 0.42),
    ("astronaut", 950, 70, 0.7),
    ("grace_hopper", 120, 430, 0.33),
    ("astronaut", 540, 400, 0.8),
    ("grace_hopper", 980, 420, 0.48),
]
EYE_TOLERANCE_PX = 2.5  # hand measurement (+-1.5 px at scale 1); measured <= 0.8 px on these faces


def shifted(placements, dx: int, dy: int = 0):
    return [(name, x + dx, y + dy, scale) for name, x, y, scale in placements]


def eyes(face) -> np.ndarray:
    return face.landmarks[[LEFT_EYE, RIGHT_EYE]]


def match(faces, scenes, placements) -> list:
    """The tracked face whose irises lie on each placed portrait's irises (within tolerance), or None."""
    matched = []
    for placement in placements:
        expected = scenes.iris_centres(*placement)
        errors = [np.abs(eyes(f) - expected).max() for f in faces]
        best = int(np.argmin(errors)) if errors else -1
        matched.append(faces[best] if errors and errors[best] <= EYE_TOLERANCE_PX else None)
    return matched


@pytest.fixture(scope="module")
def group_tracker(face_model_path):
    with FaceTracker(
        model_path=face_model_path,
        max_faces=8,
        small_face_tiles_per_frame=TILES_PER_FRAME,
        small_face_later_tiles_per_frame=TILES_PER_FRAME,
    ) as tracker:
        yield tracker


@pytest.fixture
def group(group_tracker) -> FaceTracker:
    group_tracker.reset()
    return group_tracker


class TestTiles:
    def test_tiles_cover_the_frame_and_overlap(self):
        tiles = overlapping_tiles(*HD)
        covered = np.zeros(HD[::-1], bool)
        for x0, y0, x1, y1 in tiles:
            assert 0 <= x0 < x1 <= HD[0] and 0 <= y0 < y1 <= HD[1]
            covered[y0:y1, x0:x1] = True
        assert covered.all()
        starts = tile_starts(1280, 256, 0.25)
        assert starts[0] == 0 and starts[-1] == 1024
        assert all(256 - (b - a) >= 64 for a, b in zip(starts, starts[1:]))

    def test_larger_frames_get_larger_tiles_not_more(self):
        assert len(overlapping_tiles(1920, 1080)) == len(overlapping_tiles(*HD)) == 34
        assert overlapping_tiles(1920, 1080)[0] == (0, 0, 384, 384)

    def test_a_tile_larger_than_the_frame_is_the_frame(self):
        assert tile_starts(200, 256, 0.25) == [0]
        assert overlapping_tiles(200, 150, sizes=(256, 512)) == [(0, 0, 200, 150)]

    def test_a_quick_first_round_then_a_slow_one_and_reset_starts_a_quick_one_again(self, face_model_path, monkeypatch):
        with TileFaceDetector(face_model_path, tiles_per_call=12, later_tiles_per_call=1) as search:
            looked_at = []
            monkeypatch.setattr(
                search, "detect_in_tile", lambda frame, tile: looked_at.append(tile) or np.zeros((0, 4))
            )
            frame = np.zeros((720, 1280, 3), np.uint8)
            per_call = []
            for _ in range(6):
                before = len(looked_at)
                search.scan(frame)
                per_call.append(len(looked_at) - before)
            assert per_call == [12, 12, 12, 1, 1, 1] and search.rounds_done == 1
            assert looked_at[:34] == overlapping_tiles(*HD)
            search.restart()
            search.scan(frame)
            assert len(looked_at) == 39 + 12 and search.rounds_done == 0

    def test_later_rounds_look_at_a_tile_every_few_frames(self, face_model_path, monkeypatch):
        with TileFaceDetector(face_model_path, tiles_per_call=34, later_tiles_per_call=0.25) as search:
            looked_at = []
            monkeypatch.setattr(
                search, "detect_in_tile", lambda frame, tile: looked_at.append(tile) or np.zeros((0, 4))
            )
            frame = np.zeros((720, 1280, 3), np.uint8)
            search.scan(frame)
            assert len(looked_at) == 34 and search.rounds_done == 1
            per_call = []
            for _ in range(12):
                before = len(looked_at)
                search.scan(frame)
                per_call.append(len(looked_at) - before)
            assert per_call == [0, 0, 0, 1] * 3
            assert looked_at[34:] == overlapping_tiles(*HD)[:3]

    def test_bad_tile_settings(self, face_model_path):
        with pytest.raises(LensEngineError, match="tiles_per_call"):
            TileFaceDetector(face_model_path, tiles_per_call=0)
        with pytest.raises(LensEngineError, match="later_tiles_per_call"):
            TileFaceDetector(face_model_path, later_tiles_per_call=0)
        with pytest.raises(LensEngineError):
            FaceTracker(model_path=face_model_path, small_face_tiles_per_frame=0)


class TestRegionOfInterest:
    def test_a_point_cut_out_and_mapped_back_lands_where_it_was(self):
        frame = np.zeros((720, 1280, 3), np.uint8)
        frame[300, 500] = 255  # one bright pixel, centre (500.5, 300.5) in the edge convention
        centre_x, centre_y, side, size = 480.0, 310.0, 80.0, 192
        region = cut_roi(frame, centre_x, centre_y, side, size).astype(np.float64)[..., 0]
        ys, xs = np.nonzero(region)
        weights = region[ys, xs]
        in_region = np.array([[(xs * weights).sum(), (ys * weights).sum()]]) / weights.sum() + 0.5
        np.testing.assert_allclose(roi_to_frame(in_region, centre_x, centre_y, side, size)[0], [500.5, 300.5], atol=0.1)


class TestGroupOfSmallFaces:
    def test_six_small_faces_are_found_within_a_round_of_tiles_and_keep_their_ids(self, group, scenes):
        assert group.track(scenes.frame([], size=HD), 0) == []
        ids_per_face = [set() for _ in SIX_SMALL_FACES]
        for i in range(8):
            placements = shifted(SIX_SMALL_FACES, i, i // 2)  # drifting slowly
            faces = group.track(scenes.frame(placements, size=HD), (i + 1) * FRAME_MS)
            if i < 3:  # one round of tiles
                continue
            matched = match(faces, scenes, placements)
            assert sum(m is not None for m in matched) >= 0.9 * len(SIX_SMALL_FACES)
            assert len(faces) == len(SIX_SMALL_FACES)  # no duplicates, nothing else
            for ids, face in zip(ids_per_face, matched):
                if face is not None:
                    ids.add(face.id)
        assert all(len(ids) == 1 for ids in ids_per_face)
        assert len(set.union(*ids_per_face)) == len(SIX_SMALL_FACES)

    def test_the_full_frame_pass_alone_misses_them(self, face_model_path, scenes):
        with FaceTracker(model_path=face_model_path, max_faces=8, small_faces=False) as full_frame_only:
            found = [len(full_frame_only.track(scenes.frame(SIX_SMALL_FACES, size=HD), i * FRAME_MS)) for i in range(3)]
        assert max(found) < 3

    def test_a_small_face_gone_longer_than_max_lost_is_dropped_and_comes_back_new(self, group, scenes):
        one = [SIX_SMALL_FACES[4]]
        first = None
        for i in range(3):
            faces = group.track(scenes.frame(one, size=HD), i * FRAME_MS)
        (first,) = faces
        for i in range(3, 4 + group.ids.max_lost):
            assert group.track(scenes.frame([], size=HD), i * FRAME_MS) == []
        assert group.small_faces.regions == []
        faces = []
        for i in range(10, 13):
            faces = group.track(scenes.frame(one, size=HD), i * FRAME_MS)
        assert len(faces) == 1 and faces[0].id > first.id

    def test_a_small_face_that_grows_is_handed_over_to_the_full_frame_pass_with_its_id(self, group, scenes):
        ids = []
        for i in range(20):  # 83 px wide to 259 px wide, centred
            scale = 0.45 + 0.05 * i
            frame = scenes.frame([("grace_hopper", int(640 - 155 * scale), int(360 - 190 * scale), scale)], size=HD)
            ids.append([face.id for face in group.track(frame, i * FRAME_MS)])
        assert all(len(frame_ids) == 1 for frame_ids in ids)  # found at once, never twice
        assert len({frame_ids[0] for frame_ids in ids}) == 1
        assert group.small_faces.regions == []  # the full-frame pass has it now


class TestLargeFacesAreUnaffected:
    def test_large_faces_come_out_exactly_as_without_the_small_face_pass(self, face_model_path, scenes):
        def clip(tracker):
            out = []
            for i in range(10):
                frame = scenes.frame([("astronaut", 30 + 2 * i, 130 - i), ("grace_hopper", 300 - 2 * i, 80 + i)])
                out.append(tracker.track(frame, i * FRAME_MS))
            return out

        with (
            FaceTracker(model_path=face_model_path) as with_pass,
            FaceTracker(model_path=face_model_path, small_faces=False) as without_pass,
        ):
            got, expected = clip(with_pass), clip(without_pass)
        for faces, reference in zip(got, expected):
            assert [f.id for f in faces] == [f.id for f in reference] and len(faces) == 2
            for face, ref in zip(faces, reference):
                np.testing.assert_array_equal(face.landmarks, ref.landmarks)
                assert face.box == ref.box
