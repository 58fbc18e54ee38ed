"""Pre/post-processing: exact values, rounding, clipping, NaN, layout, and numpy/torch agreement."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.inference.preprocess import (
    check_crops,
    crops_to_input,
    crops_to_input_torch,
    output_to_crops,
    output_to_crops_torch,
)


@pytest.fixture(scope="module")
def crops(astronaut_bgr: np.ndarray) -> np.ndarray:
    """Two real 64x64 crops of the astronaut photo."""
    return np.stack([astronaut_bgr[100:164, 200:264], astronaut_bgr[300:364, 50:114]])


def test_tanh_input_values_and_layout(crops: np.ndarray) -> None:
    batch = crops_to_input(crops, "tanh")
    assert batch.shape == (2, 3, 64, 64) and batch.dtype == np.float32 and batch.flags.c_contiguous
    assert batch[1, 2, 5, 7] == pytest.approx(crops[1, 5, 7, 2] / 127.5 - 1, abs=1e-6)
    assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_unit_input_values(crops: np.ndarray) -> None:
    batch = crops_to_input(crops, "unit")
    assert batch[0, 1, 3, 4] == pytest.approx(crops[0, 3, 4, 1] / 255, abs=1e-7)
    assert batch.min() >= 0.0 and batch.max() <= 1.0


def test_extremes_map_to_the_range_ends() -> None:
    corners = np.array([0, 255], np.uint8).reshape(1, 1, 2, 1).repeat(3, axis=3)
    np.testing.assert_array_equal(crops_to_input(corners, "tanh")[0, :, 0, :], [[-1, 1]] * 3)
    np.testing.assert_array_equal(crops_to_input(corners, "unit")[0, :, 0, :], [[0, 1]] * 3)


@pytest.mark.parametrize("normalisation", ["tanh", "unit"])
def test_round_trip_is_exact(crops: np.ndarray, normalisation: str) -> None:
    np.testing.assert_array_equal(output_to_crops(crops_to_input(crops, normalisation), normalisation), crops)


def test_input_written_into_given_buffer(crops: np.ndarray) -> None:
    buffer = np.full((4, 3, 64, 64), 7.0, np.float32)
    result = crops_to_input(crops, "tanh", out=buffer[:2])
    assert np.shares_memory(result, buffer)
    np.testing.assert_array_equal(buffer[:2], crops_to_input(crops, "tanh"))
    assert (buffer[2:] == 7.0).all()


def test_output_rounds_clips_and_zeroes_nan() -> None:
    # tanh output y -> (y + 1) * 127.5: 0 -> 127.5 (rounds half to even: 128), 2 -> 382.5 (clips), NaN -> 0.
    values = np.array([0.0, 2.0, -3.0, np.nan, 1.0, -1.0], np.float32).reshape(1, 1, 1, 6).repeat(3, axis=1)
    pixels = output_to_crops(values, "tanh")
    assert pixels.shape == (1, 1, 6, 3)
    np.testing.assert_array_equal(pixels[0, 0, :, 0], [128, 255, 0, 0, 255, 0])


def test_output_keeps_channel_order() -> None:
    planes = np.zeros((1, 3, 2, 2), np.float32)
    planes[0, 0], planes[0, 1], planes[0, 2] = 0.1, 0.5, 0.9
    np.testing.assert_array_equal(output_to_crops(planes, "unit")[0, 1, 1], [26, 128, 230])


def test_output_does_not_change_its_input() -> None:
    output = np.random.default_rng(0).normal(size=(2, 3, 8, 8)).astype(np.float32)
    before = output.copy()
    output_to_crops(output, "tanh")
    np.testing.assert_array_equal(output, before)


@pytest.mark.parametrize("normalisation", ["tanh", "unit"])
def test_torch_variants_match_numpy(crops: np.ndarray, normalisation: str) -> None:
    as_tensor = crops_to_input_torch(torch.from_numpy(crops), normalisation, torch.float32)
    np.testing.assert_allclose(as_tensor.numpy(), crops_to_input(crops, normalisation), atol=1e-6)
    output = np.random.default_rng(1).normal(0, 0.7, size=(2, 3, 64, 64)).astype(np.float32)
    np.testing.assert_array_equal(
        output_to_crops_torch(torch.from_numpy(output), normalisation).numpy(), output_to_crops(output, normalisation)
    )


def test_torch_input_is_channels_last(crops: np.ndarray) -> None:
    tensor = crops_to_input_torch(torch.from_numpy(crops), "tanh", torch.float16)
    assert tensor.dtype == torch.float16 and tensor.shape == (2, 3, 64, 64)
    assert tensor.is_contiguous(memory_format=torch.channels_last)


def test_unknown_normalisation_is_a_clear_error(crops: np.ndarray) -> None:
    with pytest.raises(LensEngineError, match="'tanh' or 'unit'"):
        crops_to_input(crops, "imagenet")


@pytest.mark.parametrize(
    "bad",
    [[[1, 2, 3]], np.zeros((1, 8, 8, 3), np.float64), np.zeros((8, 8, 3), np.uint8), np.zeros((1, 8, 8, 1), np.uint8)],
)
def test_check_crops_rejects_bad_batches(bad: object) -> None:
    with pytest.raises(LensEngineError):
        check_crops(bad)
