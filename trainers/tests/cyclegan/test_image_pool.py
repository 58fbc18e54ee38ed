"""The pool of past fakes: filled first, then a fair 50% swap, reproducible, kept in checkpoints."""

from __future__ import annotations

import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.cyclegan.image_pool import ImagePool


def numbered(start: int, count: int = 1) -> torch.Tensor:
    """``count`` constant 3x4x4 images whose value is their number."""
    return torch.arange(start, start + count, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, 3, 4, 4).clone()


def test_size_zero_passes_images_through():
    pool = ImagePool(0, 4)
    images = numbered(0, 3)
    assert torch.equal(pool.query(images), images)


def test_fills_up_first_and_passes_those_images_on():
    pool = ImagePool(3, 4)
    assert torch.equal(pool.query(numbered(0, 2)), numbered(0, 2))
    assert torch.equal(pool.query(numbered(2)), numbered(2))
    assert int(pool.count) == 3
    assert sorted(pool.images[:, 0, 0, 0].tolist()) == [0.0, 1.0, 2.0]


def test_once_full_half_of_the_images_are_swapped_for_stored_ones():
    pool = ImagePool(5, 4)
    pool.query(numbered(0, 5))
    swapped, draws = 0, 2000
    for number in range(5, 5 + draws):
        before = set(pool.images[:, 0, 0, 0].tolist())
        value = pool.query(numbered(number))[0, 0, 0, 0].item()
        after = set(pool.images[:, 0, 0, 0].tolist())
        if value == number:
            assert after == before  # passed on: the pool is unchanged
        else:
            swapped += 1
            assert value in before and after == (before - {value}) | {float(number)}
    assert 0.45 < swapped / draws < 0.55


def test_same_seed_same_draws():
    def run():
        torch.manual_seed(4)
        pool = ImagePool(2, 4)
        return [pool.query(numbered(n))[0, 0, 0, 0].item() for n in range(30)]

    assert run() == run()


def test_state_survives_a_checkpoint():
    pool = ImagePool(3, 4)
    pool.query(numbered(7, 2))
    restored = ImagePool(3, 4)
    restored.load_state_dict(pool.state_dict())
    assert int(restored.count) == 2 and torch.equal(restored.images, pool.images)


def test_bad_use():
    with pytest.raises(LensEngineError, match="--pool-size"):
        ImagePool(-1, 4)
    with pytest.raises(LensEngineError, match="holds"):
        ImagePool(2, 4).query(torch.zeros(1, 3, 8, 8))
