"""Training patches: sizes, a target that is a piece of the image, the input made from that target."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine_trainers.superres.degrade import DegradeConfig, downscale
from lensengine_trainers.superres.patches import PatchSamples, dihedral


def test_shapes_and_pairing(train_folder):
    samples = PatchSamples([train_folder], scale=2, lr_patch=24, degradation=DegradeConfig.clean("area"))
    assert len(samples) == 2
    for index in range(2):
        drawn = samples.sample(index, np.random.default_rng(index))
        assert drawn["A"].shape == (24, 24, 3) and drawn["B"].shape == (48, 48, 3)
        assert np.array_equal(drawn["A"], downscale(drawn["B"], 2, "area"))


def test_target_is_a_turned_piece_of_the_image(train_folder):
    samples = PatchSamples([train_folder], scale=4, lr_patch=12, degradation=DegradeConfig())
    image = cv2.imread(str(samples.files[0]))
    target = samples.sample(0, np.random.default_rng(7))["B"]
    # Some flip or quarter turn of the target (each of the 8 undoes one of the others) lies in the image exactly.
    views = [dihedral(target, k) for k in range(8)]
    fits = [cv2.minMaxLoc(cv2.matchTemplate(image, view, cv2.TM_SQDIFF)) for view in views]
    best = int(np.argmin([fit[0] for fit in fits]))
    left, top = fits[best][2]
    assert np.array_equal(image[top : top + 48, left : left + 48], views[best])
    assert np.array_equal(samples.sample(0, np.random.default_rng(7))["B"], target)


def test_dihedral_gives_eight_different_views():
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    views = {dihedral(image, k).tobytes() + bytes(dihedral(image, k).shape) for k in range(8)}
    assert len(views) == 8 and np.array_equal(dihedral(image, 0), image)


def test_bad_folders(tmp_path, train_folder):
    with pytest.raises(LensEngineError, match="does not exist"):
        PatchSamples([tmp_path / "missing"], 2, 24, DegradeConfig())
    with pytest.raises(LensEngineError, match="holds no images"):
        PatchSamples([tmp_path], 2, 24, DegradeConfig())
    too_big = PatchSamples([train_folder], 4, 64, DegradeConfig())  # 256-pixel targets from a 192-pixel head
    with pytest.raises(LensEngineError, match="smaller than a 256-pixel"):
        too_big.sample(0, np.random.default_rng(0))
