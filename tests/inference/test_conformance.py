"""Every backend gives the torch FP32 reference's numbers on the same packs, within its precision.

Relative error = max |output - reference| / max |reference|. FP32 backends stay under 1e-4, FP16 ones under
1e-2; no output is ever NaN. Backends not usable here are skipped with their probe's reason.
"""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.inference import BACKENDS, create_backend
from lensengine.inference.preprocess import crops_to_input, output_to_crops

TOLERANCE = {"fp32": 1e-4, "fp16": 1e-2}
CONFORMANCE_PACKS = ("tiny-unet", "tiny-resnet")


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend_name(request: pytest.FixtureRequest) -> str:
    usable, reason = BACKENDS[request.param].probe()
    if not usable:
        pytest.skip(reason)
    return request.param


@pytest.fixture(scope="module", params=CONFORMANCE_PACKS)
def loaded(request: pytest.FixtureRequest, backend_name: str, packs):
    backend = create_backend(packs[request.param], backend_name, max_batch=4)
    yield backend
    backend.close()


def _random_crops(n: int, side: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, side, side, 3), dtype=np.uint8)


def _relative_error(output: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(output - reference).max() / np.abs(reference).max())


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4])
def test_infer_matches_torch_fp32_reference(loaded, torch_reference, batch_size: int) -> None:
    pack = loaded.pack
    batch = crops_to_input(_random_crops(batch_size, pack.crop_size, seed=batch_size), pack.normalisation)
    reference = torch_reference(pack, batch)
    output = loaded.infer(batch)
    assert output.shape == reference.shape
    assert output.dtype == np.float32
    assert not np.isnan(output).any()
    assert _relative_error(output, reference) < TOLERANCE[loaded.precision]


@pytest.mark.parametrize("batch_size", [1, 4])
def test_run_gives_reference_pixels(loaded, torch_reference, batch_size: int) -> None:
    pack = loaded.pack
    crops = _random_crops(batch_size, pack.crop_size, seed=10 + batch_size)
    expected = output_to_crops(torch_reference(pack, crops_to_input(crops, pack.normalisation)), pack.normalisation)
    out = loaded.run(crops)
    assert out.shape == crops.shape and out.dtype == np.uint8
    # FP32: only values within 1e-4 of a rounding boundary may land on the neighbouring integer.
    allowed = 1 if loaded.precision == "fp32" else 4
    assert np.abs(out.astype(int) - expected).max() <= allowed
    assert out.std() > 1.0  # a real picture came out, not a constant


def test_max_batch_is_enforced(backend_name: str, packs) -> None:
    pack = packs["tiny-unet"]
    with create_backend(pack, backend_name, max_batch=2) as backend:
        assert backend.run(_random_crops(2, pack.crop_size, seed=0)).shape[0] == 2
        with pytest.raises(LensEngineError, match="exceeds max_batch 2"):
            backend.run(_random_crops(3, pack.crop_size, seed=0))


@pytest.mark.parametrize(
    ("bad_input", "message"),
    [
        (np.zeros((1, 64, 64, 3), np.float32), "uint8"),
        (np.zeros((64, 64, 3), np.uint8), r"\(N, H, W, 3\)"),
        (np.zeros((1, 64, 64, 4), np.uint8), r"\(N, H, W, 3\)"),
        (np.zeros((1, 32, 32, 3), np.uint8), "takes 64x64 crops"),
        (np.zeros((0, 64, 64, 3), np.uint8), "N >= 1"),
    ],
)
def test_bad_input_is_a_clear_error(backend_name: str, packs, bad_input: np.ndarray, message: str) -> None:
    with create_backend(packs["tiny-unet"], backend_name, max_batch=4) as backend:
        with pytest.raises(LensEngineError, match=message):
            backend.run(bad_input)


def test_closed_backend_refuses_to_run(backend_name: str, packs) -> None:
    pack = packs["tiny-unet"]
    backend = create_backend(pack, backend_name)
    backend.close()
    with pytest.raises(LensEngineError, match="closed"):
        backend.run(_random_crops(1, pack.crop_size, seed=0))
