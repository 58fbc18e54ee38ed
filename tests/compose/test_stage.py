"""SuperResStage: shape contracts at the pack's size and any other, colour order, batching, and bad input."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.compose.paste import paste_back
from lensengine.compose.superres import SuperResStage
from lensengine.errors import LensEngineError
from lensengine.sources.face_photos import face_photo


@pytest.fixture(scope="module")
def stage(shipped_pack):
    with SuperResStage(shipped_pack, backend="onnxruntime", max_batch=4) as stage:
        yield stage


def face_crops(count: int, size: int) -> np.ndarray:
    """Real faces (both photos, shifted) at ``size`` x ``size``."""
    photos = [face_photo("grace_hopper")[100:420, 100:420], face_photo("astronaut")[20:240, 110:330]]
    crops = [
        cv2.resize(np.roll(photos[i % 2], 7 * i, axis=1), (size, size), interpolation=cv2.INTER_AREA)
        for i in range(count)
    ]
    return np.stack(crops)


class TestShapes:
    def test_attributes(self, stage, shipped_pack):
        assert (stage.name, stage.scale) == (shipped_pack.name, shipped_pack.scale)
        assert stage.any_size

    @pytest.mark.parametrize("count", [1, 4, 6])  # 6 > max_batch: two batches
    def test_at_the_pack_crop_size(self, stage, shipped_pack, count):
        side = shipped_pack.crop_size
        out = stage.upscale(face_crops(count, side))
        assert out.shape == (count, side * stage.scale, side * stage.scale, 3) and out.dtype == np.uint8

    @pytest.mark.parametrize("height, width", [(96, 96), (40, 64), (17, 23)])
    def test_any_size(self, stage, height, width):
        crops = face_crops(2, 96)[:, :height, :width]
        assert stage.upscale(np.ascontiguousarray(crops)).shape == (2, height * stage.scale, width * stage.scale, 3)

    def test_batches_give_what_single_crops_give(self, stage, shipped_pack):
        crops = face_crops(6, shipped_pack.crop_size)
        together = stage.upscale(crops)
        alone = np.concatenate([stage.upscale(crops[i : i + 1]) for i in range(6)])
        assert np.abs(together.astype(int) - alone).max() <= 1

    def test_sharper_than_bicubic(self, stage):
        target = face_crops(1, 256)[0]
        small = cv2.resize(target, (128, 128), interpolation=cv2.INTER_AREA)
        sr = stage.upscale(small[None])[0].astype(float)
        bicubic = cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC).astype(float)
        assert np.mean((sr - target) ** 2) < np.mean((bicubic - target) ** 2)


class TestColourOrder:
    def test_rgb_pack_gets_rgb_and_gives_back_bgr(self, stage, rgb_pack, shipped_pack):
        crops = face_crops(2, shipped_pack.crop_size)
        with SuperResStage(rgb_pack, backend="onnxruntime") as rgb_stage:
            from_rgb_pack = rgb_stage.upscale(crops)
        # The RGB pack must see the crops swapped, and its output must be swapped back.
        swapped = stage.upscale(np.ascontiguousarray(crops[..., ::-1]))[..., ::-1]
        assert np.array_equal(from_rgb_pack, swapped)
        assert not np.array_equal(from_rgb_pack, stage.upscale(crops))  # the net is not colour-symmetric


class TestPasteHelpers:
    def test_upscale_for_paste_leaves_untouched_pixels_alone(self, stage, shipped_pack):
        crops = face_crops(2, shipped_pack.crop_size)
        big_in, big_out = stage.upscale_for_paste(crops, crops.copy())
        assert np.array_equal(big_in, big_out)
        frame = face_photo("grace_hopper")
        before = frame.copy()
        side = big_in.shape[1]
        matrix = np.array([[side / 320, 0.0, -100 * side / 320], [0.0, side / 320, -100 * side / 320]])
        paste_back(frame, big_in[0], big_out[0], matrix)
        assert np.array_equal(frame, before)

    def test_upscale_for_paste_splits_the_batch(self, stage, shipped_pack):
        crops = face_crops(3, shipped_pack.crop_size)
        changed = crops.copy()
        changed[:, 40:60, 30:100] = 0  # a lens that paints a black bar
        big_in, big_out = stage.upscale_for_paste(crops, changed)
        assert np.array_equal(big_in, stage.upscale(crops)) and np.array_equal(big_out, stage.upscale(changed))


class TestBadInput:
    def test_not_an_sr_pack(self, style_pack):
        with pytest.raises(LensEngineError, match="not a super-resolution pack"):
            SuperResStage(style_pack)

    def test_bad_crops(self, stage):
        with pytest.raises(LensEngineError, match="uint8"):
            stage.upscale(np.zeros((1, 32, 32, 3), np.float32))
        with pytest.raises(LensEngineError, match=r"\(N, H, W, 3\)"):
            stage.upscale(np.zeros((32, 32, 3), np.uint8))
        with pytest.raises(LensEngineError, match="differ in shape"):
            stage.upscale_for_paste(face_crops(2, 32), face_crops(1, 32))

    def test_fixed_size_pack_takes_only_its_size(self, fixed_size_pack):
        with SuperResStage(fixed_size_pack, backend="onnxruntime") as fixed:
            assert not fixed.any_size
            assert fixed.upscale(face_crops(5, 32)).shape == (5, 64, 64, 3)
            with pytest.raises(LensEngineError, match="takes only 32x32 crops"):
                fixed.upscale(face_crops(1, 48))

    def test_closed_stage(self, shipped_pack):
        stage = SuperResStage(shipped_pack, backend="onnxruntime")
        stage.close()
        with pytest.raises(LensEngineError, match="closed"):
            stage.upscale(face_crops(1, shipped_pack.crop_size))
