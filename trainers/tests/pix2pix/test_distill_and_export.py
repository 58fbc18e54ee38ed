"""Distillation into a slim student, and export of a trained generator as a verified lens pack."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine.packs import load_pack
from lensengine_trainers.cli import main
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.quality import NO_AUGMENTATION
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.pair_folder import make_pairs
from lensengine_trainers.data.training_data import DataSpec, FaceSamples, describe_data
from lensengine_trainers.pix2pix.distill import Distill, DistillConfig
from lensengine_trainers.pix2pix.export import export_checkpoint
from lensengine_trainers.pix2pix.model import Pix2Pix, Pix2PixConfig

CPU = torch.device("cpu")
TEACHER = Pix2PixConfig(size=64, ngf=8, num_downs=6, ndf=8, n_layers=2)
STUDENT = {"size": 32, "ngf": 4, "num_downs": 5, "ndf": 8, "n_layers": 2, "lr": 2e-3}


@pytest.fixture(scope="module")
def teacher_run(tmp_path_factory, face_folder):
    """A tiny pix2pix run (64 px) on the face folder with the thug glasses drawn on the fly, if installed."""
    pytest.importorskip("lensengine_thug_glasses", reason="the thug_glasses plugin is not installed")
    run = tmp_path_factory.mktemp("teacher_run")
    status = main(
        [
            "pix2pix",
            "--faces",
            str(face_folder),
            "--on-the-fly-teacher",
            "thug_glasses_classic",
            "--out",
            str(run),
            "--size",
            "64",
            "--ngf",
            "8",
            "--num-downs",
            "6",
            "--ndf",
            "8",
            "--n-layers",
            "2",
            "--steps",
            "3",
            "--batch-size",
            "2",
            "--no-progress",
            "--device",
            "cpu",
        ]
    )
    assert status == 0
    return run


def student_error(model: Distill, batch: dict[str, torch.Tensor]) -> float:
    """Mean L1 distance between the student's output (eval mode) and the teacher's, at the student's size."""
    _, output, target = model.sample_images(batch)
    return torch.nn.functional.l1_loss(output, target).item()


def test_student_learns_to_imitate_the_teacher(tmp_path, teacher_run, face_folder):
    model = Distill(DistillConfig(**STUDENT, teacher=str(teacher_run)), CPU)
    plain = FaceSamples(FaceFolder(face_folder), 64, NO_AUGMENTATION)
    crops = np.stack([plain.sample(i, np.random.default_rng(0))["A"] for i in range(len(plain))])
    batch = {"A": images_to_tensor(torch.from_numpy(crops), CPU)}
    before = student_error(model, batch)
    spec = DataSpec(faces=str(face_folder))
    samples = FaceSamples(FaceFolder(face_folder), 64, spec.augment)
    loop = LoopConfig(steps=20, batch_size=3, progress=False)
    result = train(model, samples, describe_data(spec, samples), loop, tmp_path)
    assert student_error(model, batch) < 0.7 * before
    assert set(result.losses) == {"G_L1"}
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint.model_kind == "distill" and set(checkpoint.tensors("networks.safetensors")) == {
        f"G.{key}" for key in model.student.state_dict()
    }
    with pytest.raises(LensEngineError, match="measuring quality needs targets, but the data holds faces only"):
        export_checkpoint(str(tmp_path), str(tmp_path / "pack"), "student")


def test_student_with_gan_loss_and_bad_students(teacher_run, face_folder):
    model = Distill(DistillConfig(**STUDENT, teacher=str(teacher_run), gan=True), CPU)
    batch = {"A": torch.rand(2, 3, 64, 64) * 2 - 1}
    losses = model.train_step(batch, Precision(CPU, amp=False))
    assert set(losses) == {"G_L1", "G_gan", "D_real", "D_fake"} and set(model.networks) == {"G", "D"}
    with pytest.raises(LensEngineError, match="must not be larger than the teacher"):
        Distill(DistillConfig(**{**STUDENT, "size": 128, "num_downs": 7}, teacher=str(teacher_run)), CPU)
    with pytest.raises(LensEngineError, match="distil with --direction AtoB"):
        Distill(DistillConfig(**STUDENT, teacher=str(teacher_run), direction="BtoA"), CPU)
    with pytest.raises(LensEngineError, match="needs a teacher"):
        Distill(DistillConfig(**STUDENT), CPU)


def test_export_round_trip(tmp_path, teacher_run, face_folder, capsys):
    onnxruntime = pytest.importorskip("onnxruntime")
    pack_dir = tmp_path / "pack"
    assert main(["export", "--checkpoint", str(teacher_run), "--out", str(pack_dir), "--name", "tiny_glasses"]) == 0
    assert "lens pack 'tiny_glasses' written" in capsys.readouterr().out
    pack = load_pack(pack_dir)
    assert (pack.kind, pack.family, pack.crop_size, pack.color_order) == ("face", "pix2pix", 64, "BGR")
    assert pack.margin == 0.35
    assert pack.provenance["training"]["steps"] == 3
    assert pack.provenance["trainer"]["model"] == "pix2pix"
    assert pack.provenance["data"]["source"]["teacher"] == "thug_glasses_classic"
    quality = pack.provenance["quality"]
    assert quality["images"] == 6 and 0 < quality["psnr_db"] < 99 and quality["measured_on"].startswith("training")

    # The pack's ONNX model is the checkpoint's generator.
    checkpoint = read_checkpoint(teacher_run)
    generator = Pix2Pix(TEACHER, CPU).generator
    generator.load_state_dict(checkpoint.network_state("G"))
    generator.eval()
    crop = FaceFolder(face_folder).load(0)[0]
    x = images_to_tensor(torch.from_numpy(crop[None]), CPU)
    session = onnxruntime.InferenceSession(str(pack.file("onnx_fp32")), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = generator(x).numpy()
    assert np.abs(session.run(None, {"input": x.numpy()})[0] - expected).max() < 1e-4


def test_export_measures_on_evaluation_pairs(tmp_path, teacher_run, face_folder, iris_marker):
    make_pairs(FaceFolder(face_folder), iris_marker(), tmp_path / "pairs", progress=False)
    eval_data = DataSpec(pairs=str(tmp_path / "pairs"), augment=NO_AUGMENTATION)
    pack = export_checkpoint(str(teacher_run), str(tmp_path / "pack"), "tiny", "", eval_data, fp16=False)
    assert pack.provenance["quality"]["measured_on"] == "evaluation data"
    assert pack.provenance["quality"]["data"]["pairs"] == ".../" + "/".join((tmp_path / "pairs").parts[-2:])  # portable
    assert "onnx_fp16" not in pack.files


@pytest.fixture(scope="module")
def alpha_teacher_run(tmp_path_factory, face_folder):
    """A tiny pix2pix run (64 px) whose generator draws colour + alpha (the glasses' alpha on the fly)."""
    pytest.importorskip("lensengine_thug_glasses", reason="the thug_glasses plugin is not installed")
    run = tmp_path_factory.mktemp("alpha_teacher_run")
    argv = ["pix2pix", "--faces", str(face_folder), "--on-the-fly-teacher", "thug_glasses_classic", "--alpha"]
    argv += ["--out", str(run), "--size", "64", "--ngf", "8", "--num-downs", "6", "--ndf", "8", "--n-layers", "2"]
    argv += ["--steps", "3", "--batch-size", "2", "--no-progress", "--device", "cpu"]
    assert main(argv) == 0
    return run


def test_an_alpha_teacher_is_distilled_into_an_alpha_student(tmp_path, alpha_teacher_run, face_folder):
    model = Distill(DistillConfig(**STUDENT, teacher=str(alpha_teacher_run), alpha=True, gan=True), CPU)
    batch = {"A": torch.rand(2, 3, 64, 64) * 2 - 1}
    losses = model.train_step(batch, Precision(CPU, amp=False))
    assert set(losses) == {"G_L1", "alpha_L1", "G_gan", "D_real", "D_fake"}
    assert all(np.isfinite(value) for value in losses.values())
    source, shown, wanted = model.sample_images(batch)
    assert shown.shape == wanted.shape == source.shape  # composites, not raw colour + alpha
    with pytest.raises(LensEngineError, match="the teacher draws colour \\+ alpha: distil with --alpha"):
        Distill(DistillConfig(**STUDENT, teacher=str(alpha_teacher_run)), CPU)


def test_a_colour_teacher_refuses_an_alpha_student(teacher_run):
    with pytest.raises(LensEngineError, match="the teacher draws colour only: distil without --alpha"):
        Distill(DistillConfig(**STUDENT, teacher=str(teacher_run), alpha=True), CPU)


def test_an_alpha_student_exports_as_an_rgba_pack(tmp_path, alpha_teacher_run, face_folder):
    run, pack_dir = tmp_path / "student", tmp_path / "pack"
    argv = ["distill", "--teacher-checkpoint", str(alpha_teacher_run), "--faces", str(face_folder), "--alpha"]
    argv += ["--size", "32", "--ngf", "4", "--num-downs", "5", "--steps", "2", "--batch-size", "2"]
    argv += ["--out", str(run), "--no-progress", "--device", "cpu"]
    assert main(argv) == 0
    export = ["export", "--checkpoint", str(run), "--out", str(pack_dir), "--name", "tiny_student"]
    assert main([*export, "--eval-faces", str(face_folder), "--eval-teacher", "thug_glasses_classic"]) == 0
    pack = load_pack(pack_dir)
    assert (pack.outputs, pack.crop_size) == ("rgba", 32)


def test_a_coords_generator_trains_and_exports_a_pack_that_runs(tmp_path, face_folder):
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("lensengine_thug_glasses", reason="the thug_glasses plugin is not installed")
    run, pack_dir = tmp_path / "run", tmp_path / "pack"
    argv = ["pix2pix", "--faces", str(face_folder), "--on-the-fly-teacher", "thug_glasses_classic", "--alpha"]
    argv += ["--coords", "--lambda-gan", "0", "--size", "32", "--ngf", "4", "--num-downs", "5", "--steps", "2"]
    argv += ["--batch-size", "2", "--out", str(run), "--no-progress", "--device", "cpu"]
    assert main(argv) == 0
    assert main(["export", "--checkpoint", str(run), "--out", str(pack_dir), "--name", "tiny_coords"]) == 0
    pack = load_pack(pack_dir)
    assert pack.config["coords"] is True and pack.outputs == "rgba"
    generator = build_network(pack.arch, **pack.config)
    generator.load_state_dict(read_checkpoint(run).network_state("G"))
    generator.eval()
    x = torch.rand(3, 3, 32, 32) * 2 - 1
    session = onnxruntime.InferenceSession(str(pack.file("onnx_fp32")), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = generator(x).numpy()
    assert np.abs(session.run(None, {"input": x.numpy()})[0] - expected).max() < 1e-4
