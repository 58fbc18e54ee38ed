"""The SR stage in the running engine: `--superres NAME|none|auto`, only for faces larger than the crop."""

import pytest

from lensengine.errors import LensEngineError
from lensengine.pipeline.assemble import EngineSettings, open_engine


@pytest.fixture(scope="module")
def sr_lens_dir(tmp_path_factory):
    """A user lens folder with a tiny x2 ESPCN pack (random weights: speed and plumbing, not quality)."""
    import torch

    from lensengine.nets import build_network
    from lensengine.packs import LensSpec
    from lensengine_trainers.common.export_pack import export_pack

    root = tmp_path_factory.mktemp("sr")
    torch.manual_seed(0)
    export_pack(
        build_network("espcn", scale=2, width=8).eval(),
        root / "tiny_sr",
        LensSpec(
            name="tiny_sr",
            family="superres",
            kind="face",
            description="test SR",
            crop_size=64,
            scale=2,
            color_order="RGB",
            normalisation="unit",
            template="five_point",
            margin=0.35,
            arch="espcn",
            config={"scale": 2, "width": 8},
            # a measured gain as the SR trainer's export records it: the evidence --superres auto asks for
            provenance={"trainer": "tests", "quality": {"psnr_gain_db": 2.0}},
        ),
    )
    export_pack(
        build_network("unet", ngf=8, num_downs=5).eval(),
        root / "tiny_unet",
        LensSpec(
            name="tiny_unet",
            family="pix2pix",
            kind="face",
            description="test lens",
            crop_size=64,
            scale=1,
            color_order="RGB",
            normalisation="tanh",
            template="five_point",
            margin=0.35,
            arch="unet",
            config={"ngf": 8, "num_downs": 5},
            provenance={"trainer": "tests"},
        ),
    )
    return root


def run(monkeypatch, sr_lens_dir, superres, size, lens="example_pixelate"):
    monkeypatch.setenv("LENSENGINE_LENS_DIR", str(sr_lens_dir))
    settings = EngineSettings(
        lens=lens, input="sample:1", output="null", size=size, realtime=False, frames=3, superres=superres
    )
    with open_engine(settings) as loop:
        stats = loop.run()
        return stats, loop.sink.last_frame


def test_named_sr_pack_runs_for_a_face_larger_than_the_crop(monkeypatch, sr_lens_dir):
    stats, frame = run(monkeypatch, sr_lens_dir, "tiny_sr", (1280, 720))
    assert stats.run_histograms["superres"].n == 3 and frame.shape == (720, 1280, 3)


def test_a_lens_with_alpha_is_not_upscaled(monkeypatch, sr_lens_dir):
    """thug_glasses_classic returns colour + alpha: the frame keeps its own pixels around the drawing, so there
    is nothing for super-resolution to add."""
    stats, _ = run(monkeypatch, sr_lens_dir, "tiny_sr", (1280, 720), lens="thug_glasses_classic")
    assert stats.faces == 1 and stats.run_histograms["superres"].n == 0


def test_face_smaller_than_the_crop_is_not_upscaled(monkeypatch, sr_lens_dir):
    stats, _ = run(monkeypatch, sr_lens_dir, "tiny_sr", (160, 120))  # the face covers < 128 px
    assert stats.faces == 1 and stats.run_histograms["superres"].n == 0


def test_none_and_auto_skip_sr_for_an_algorithmic_lens(monkeypatch, sr_lens_dir):
    for choice in ("none", "auto"):
        stats, _ = run(monkeypatch, sr_lens_dir, choice, (1280, 720))
        assert stats.run_histograms["superres"].n == 0


def test_sr_packs_are_not_offered_as_lenses(monkeypatch, sr_lens_dir):
    from lensengine.lenses.catalogue import lens_catalogue, superres_packs
    from lensengine.lenses.plugins import load_plugins

    monkeypatch.setenv("LENSENGINE_LENS_DIR", str(sr_lens_dir))
    registry = load_plugins()
    assert "tiny_sr" in superres_packs(registry)
    assert "tiny_sr" not in {s.name for s in lens_catalogue(registry)}


def test_unknown_sr_name(monkeypatch, sr_lens_dir):
    with pytest.raises(LensEngineError, match="unknown --superres 'nope'.*tiny_sr"):
        run(monkeypatch, sr_lens_dir, "nope", (640, 480))


def test_auto_sharpens_a_neural_lens(monkeypatch, sr_lens_dir):
    stats, _ = run(monkeypatch, sr_lens_dir, "auto", (640, 480), lens="tiny_unet")  # 64 px crop, bigger face
    assert stats.run_histograms["superres"].n == 3


def test_failing_sr_is_skipped_not_fatal(monkeypatch, sr_lens_dir, caplog):
    from lensengine.compose.superres import SuperResStage

    def broken(self, crops, out):
        raise RuntimeError("backend lost")

    monkeypatch.setattr(SuperResStage, "upscale_for_paste", broken)
    stats, frame = run(monkeypatch, sr_lens_dir, "tiny_sr", (1280, 720))
    assert stats.frames == 3 and frame.shape == (720, 1280, 3)
    assert sum("backend lost" in r.getMessage() for r in caplog.records) == 1
