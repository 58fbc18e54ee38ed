import logging
import time

import numpy as np
import pytest

from lensengine.lens import LensSpec
from lensengine.lenses.guard import LensRunner, RateLimitedLog


class Invert:
    def apply(self, crops, landmarks):
        return 255 - crops


class Raises:
    def apply(self, crops, landmarks):
        raise RuntimeError("model exploded")


class WrongShape:
    def apply(self, crops, landmarks):
        return crops[:, ::2]


class Sleeps:
    def __init__(self, seconds):
        self.seconds = seconds

    def apply(self, crops, landmarks):
        time.sleep(self.seconds)
        return crops


def runner(lens, timeout=1.0):
    spec = LensSpec(name="t", kind="face", create=lambda: lens, plugin="test-plugin")
    return LensRunner(spec, lens, timeout=timeout)


CROPS = np.full((2, 32, 32, 3), 10, np.uint8)
LMS = np.zeros((2, 478, 2), np.float32)


def test_good_lens_result_passes():
    r = runner(Invert())
    assert np.array_equal(r.run(CROPS, LMS), 255 - CROPS)
    assert r.failures == 0
    r.close()


def test_raising_lens_is_isolated_and_logged_once(caplog):
    r = runner(Raises())
    with caplog.at_level(logging.WARNING, logger="lensengine.lens"):
        assert r.run(CROPS, LMS) is None
        assert r.run(CROPS, LMS) is None
    messages = [rec.getMessage() for rec in caplog.records]
    assert len(messages) == 1 and "model exploded" in messages[0] and "test-plugin" in messages[0]
    assert r.failures == 2
    r.close()


def test_wrong_shape_is_rejected():
    r = runner(WrongShape())
    assert r.run(CROPS, LMS) is None
    r.close()


def test_wrong_dtype_is_rejected():
    class Floats:
        def apply(self, crops, landmarks):
            return crops.astype(np.float32)

    r = runner(Floats())
    assert r.run(CROPS, LMS) is None
    r.close()


def test_slow_lens_times_out_then_recovers():
    r = runner(Sleeps(0.3), timeout=0.05)
    t0 = time.perf_counter()
    assert r.run(CROPS, LMS) is None
    assert time.perf_counter() - t0 < 0.2  # the caller waited for the timeout, not for the lens
    assert r.run(CROPS, LMS) is None  # still busy: no new work queued behind it
    time.sleep(0.35)
    r.timeout = 1.0
    assert r.run(CROPS, LMS) is not None
    r.close()


def test_rate_limited_log_repeats_with_count(caplog):
    log = logging.getLogger("test.rl")
    rl = RateLimitedLog(log, every=0.0)
    with caplog.at_level(logging.WARNING, logger="test.rl"):
        rl.warning("boom")
        rl.warning("boom")
    assert [r.getMessage() for r in caplog.records] == ["boom", "boom (1 more times)"]


@pytest.mark.parametrize("kind", ["face", "frame"])
def test_frame_and_face_kinds(kind):
    class Identity:
        def apply(self, *args):
            return args[0].copy()

    spec = LensSpec(name="i", kind=kind, create=Identity)
    r = LensRunner(spec, Identity())
    assert r.is_face_lens == (kind == "face")
    frame = np.zeros((48, 64, 3), np.uint8)
    assert r.run(frame).shape == frame.shape
    r.close()
