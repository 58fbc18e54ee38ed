"""pix2pix with an alpha head: the teacher's alpha reaches the target, training learns colour and mask, the
untrained net leaves the face alone, and the exported pack is an ``outputs = "rgba"`` face lens."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.lens import FACE, LensSpec
from lensengine.lenses.neural import NeuralLens
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.teacher import TeacherLens
from lensengine_trainers.data.training_data import DataSpec, TeacherSamples
from lensengine_trainers.pix2pix.export import export_checkpoint
from lensengine_trainers.pix2pix.model import Pix2Pix, Pix2PixConfig, alpha_losses, shown_image, total_variation

TINY = Pix2PixConfig(size=32, ngf=8, num_downs=5, ndf=8, n_layers=2, alpha=True, lambda_gan=0.0, lr=2e-3)
CPU = torch.device("cpu")
DATA = {"source": "test", "margin": 0.35, "count": 6}


class MarkerWithAlpha:
    """The trainers' IrisMarker, returning its alpha: 255 exactly where it draws."""

    def __init__(self, marker) -> None:
        self.marker = marker

    def apply(self, crops, landmarks):
        painted = self.marker.apply(crops, landmarks)
        alpha = np.where(np.any(painted != crops, axis=-1), 255, 0).astype(np.uint8)
        return np.concatenate([painted, alpha[..., None]], axis=-1)


@pytest.fixture
def alpha_teacher(iris_marker):
    marker = iris_marker().lens
    lens = MarkerWithAlpha(marker)
    return TeacherLens(LensSpec("iris_marker_alpha", FACE, lambda: lens, crop_size=64), lens)


def samples(face_folder, teacher, augment=None) -> TeacherSamples:
    augment = augment or AugmentConfig(zoom=1.0, flip=False)
    return TeacherSamples(FaceFolder(face_folder), teacher, 32, augment, alpha=True)


def test_teacher_alpha_becomes_the_targets_fourth_channel(face_folder, alpha_teacher, iris_marker):
    drawn = samples(face_folder, alpha_teacher).sample(0, np.random.default_rng(0))
    plain = samples(face_folder, iris_marker()).sample(0, np.random.default_rng(0))
    assert drawn["A"].shape == (32, 32, 3) and drawn["B"].shape == (32, 32, 4)
    assert np.array_equal(drawn["B"][..., :3], plain["B"])  # the colour is what the lens shows
    without = TeacherSamples(FaceFolder(face_folder), alpha_teacher, 32, AugmentConfig(zoom=1.0, flip=False))
    assert without.sample(0, np.random.default_rng(0))["B"].shape == (32, 32, 3)  # alpha only when asked for
    changed = np.any(drawn["B"][..., :3] != drawn["A"], axis=-1)
    assert changed.any() and (drawn["B"][..., 3][changed] > 0).all()
    assert (drawn["B"][..., 3] > 0).mean() < 0.2  # a few marks, not the whole face


def test_the_inputs_degradation_stays_in_the_target_where_nothing_is_drawn(face_folder, alpha_teacher):
    noisy = samples(face_folder, alpha_teacher, AugmentConfig(zoom=1.0, flip=False, noise=20.0, jpeg=30))
    for seed in range(4):
        drawn = noisy.sample(1, np.random.default_rng(seed))
        untouched = drawn["B"][..., 3] == 0
        assert np.array_equal(drawn["B"][..., :3][untouched], drawn["A"][untouched])


def test_an_untrained_alpha_net_leaves_the_face_alone():
    model = Pix2Pix(TINY, CPU)
    source = torch.rand(2, 3, 32, 32) * 2 - 1
    model.generator.eval()
    with torch.no_grad():
        shown = shown_image(source, model.generator(source))
    assert (shown - source).abs().max() < 0.1  # alpha starts at sigmoid(-4) = 0.018


def test_alpha_losses_and_their_weights():
    output = torch.zeros(1, 4, 8, 8)
    output[:, 3] = -1.0  # alpha 0 everywhere
    target = torch.zeros(1, 4, 8, 8)
    target[:, 3] = -1.0
    losses = alpha_losses(output, target, TINY)
    assert set(losses) == {"alpha_l1", "alpha_tv", "alpha_bce", "colour_l1"}
    assert losses["alpha_l1"] == 0 and losses["alpha_tv"] == 0 and losses["alpha_bce"] < 1e-4
    assert set(alpha_losses(output, target[:, :3], TINY)) == {"alpha_l1", "alpha_tv"}  # no teacher alpha
    stripes = torch.zeros(1, 1, 4, 4)
    stripes[..., ::2] = 1.0
    assert total_variation(stripes) == pytest.approx(1.0)
    with pytest.raises(LensEngineError, match="lambda-alpha"):
        Pix2PixConfig(alpha=True, lambda_alpha_tv=-1.0)
    with pytest.raises(LensEngineError, match="lambda-gan"):
        Pix2PixConfig(lambda_gan=-1.0)


def test_training_learns_the_marks_and_their_mask(tmp_path, face_folder, alpha_teacher, monkeypatch):
    data = samples(face_folder, alpha_teacher)
    model = Pix2Pix(TINY, CPU)
    batch = [data.sample(i, np.random.default_rng(0)) for i in range(len(data))]
    source = images_to_tensor(torch.from_numpy(np.stack([b["A"] for b in batch])), CPU)
    target = images_to_tensor(torch.from_numpy(np.stack([b["B"] for b in batch])), CPU)

    def bce() -> float:
        model.generator.eval()
        with torch.no_grad():
            value = alpha_losses(model.generator(source), target, TINY)["alpha_bce"].item()
        model.generator.train()
        return value

    before = bce()
    described = {**DATA, "source": DataSpec(faces=str(face_folder), teacher="iris_marker_alpha").to_json()}
    result = train(model, data, described, LoopConfig(steps=30, batch_size=3, progress=False), tmp_path)
    assert bce() < 0.8 * before
    assert set(result.losses) == {"G_L1", "alpha_l1", "alpha_tv", "alpha_bce", "colour_l1"}  # no discriminator

    # The test teacher is no installed plugin: export measures quality on the same samples.
    monkeypatch.setattr("lensengine_trainers.pix2pix.export.open_samples", lambda spec, size, alpha: data)
    pack = export_checkpoint(str(result.checkpoint), str(tmp_path / "pack"), "marks", eval_data=DataSpec())
    assert pack.outputs == "rgba" and pack.config["alpha"] is True
    assert pack.provenance["quality"]["images"] == 6
    lens = NeuralLens(pack, backend="onnxruntime")
    crops = np.stack([b["A"] for b in batch[:2]])
    out = lens.apply(crops, np.zeros((2, 478, 2), np.float32))
    assert out.shape == (2, 32, 32, 4) and out.dtype == np.uint8
    torch_lens = NeuralLens(pack, backend="torch")
    assert np.abs(torch_lens.apply(crops).astype(int) - out).max() <= 1
    lens.close()
    torch_lens.close()


def test_the_teacher_can_draw_at_the_training_size(face_folder, alpha_teacher):
    at_64 = samples(face_folder, alpha_teacher)  # the teacher's own size, then shrunk to 32
    at_32 = TeacherSamples(FaceFolder(face_folder), alpha_teacher, 32, AugmentConfig(zoom=1.0, flip=False), 32, True)
    assert at_32.teacher_size == 32 and at_64.teacher_size == 64
    crisp = at_32.sample(0, np.random.default_rng(0))["B"][..., 3]
    soft = at_64.sample(0, np.random.default_rng(0))["B"][..., 3]
    assert set(np.unique(crisp)) <= {0, 255} and len(np.unique(soft)) > 2
    spec = DataSpec(faces=str(face_folder), teacher="x", teacher_size=32)
    assert DataSpec.from_json(spec.to_json()) == spec
    assert "teacher_size" not in DataSpec(faces="f").to_json()  # old checkpoints' JSON unchanged
