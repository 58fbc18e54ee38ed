"""Network tests run from a fixed random state on the 2 threads the development machines have."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _seeded_two_thread_torch():
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)
