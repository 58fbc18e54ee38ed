"""Switching lenses while frames flow: the new lens loads in the background, the old one serves meanwhile."""

import io
import threading
import time

import numpy as np

from lensengine.lens import LensSpec
from lensengine.lenses.switcher import LensController
from lensengine.pipeline.controls import StdinControl, line_to_event


class Fill:
    def __init__(self, value):
        self.value = value

    def apply(self, frame):
        return np.full_like(frame, self.value)


def slow_create(value, started: threading.Event, release: threading.Event):
    def create():
        started.set()
        release.wait(5)
        return Fill(value)

    return create


def test_new_lens_loads_in_background_while_old_one_serves():
    started, release = threading.Event(), threading.Event()
    specs = [
        LensSpec(name="one", kind="frame", create=lambda: Fill(1)),
        LensSpec(name="two", kind="frame", create=slow_create(2, started, release)),
    ]
    lenses = LensController(specs, "one")
    frame = np.zeros((4, 4, 3), np.uint8)
    lenses.handle("next")
    assert started.wait(5)
    t0 = time.perf_counter()
    assert lenses.active().run(frame)[0, 0, 0] == 1  # no waiting for the slow load
    assert time.perf_counter() - t0 < 0.5
    release.set()
    deadline = time.time() + 5
    while lenses.active().spec.name != "two" and time.time() < deadline:
        time.sleep(0.01)
    assert lenses.active().run(frame)[0, 0, 0] == 2
    lenses.close()


def test_failed_load_keeps_the_old_lens(caplog):
    def broken():
        raise RuntimeError("weights missing")

    specs = [
        LensSpec(name="one", kind="frame", create=lambda: Fill(1)),
        LensSpec(name="bad", kind="frame", create=broken),
    ]
    lenses = LensController(specs, "one")
    lenses.handle("use:bad")
    deadline = time.time() + 5
    while "weights missing" not in caplog.text and time.time() < deadline:
        time.sleep(0.01)
    assert lenses.active().spec.name == "one" and "keeping one" in caplog.text
    lenses.close()


def test_toggle_and_unknown_name():
    specs = [LensSpec(name="one", kind="frame", create=lambda: Fill(1))]
    lenses = LensController(specs, "one")
    lenses.handle("toggle")
    assert lenses.active() is None
    lenses.handle("toggle")
    assert lenses.active() is not None
    lenses.handle("use:nope")  # logged, not raised
    lenses.close()


def test_typed_lines_become_events():
    assert [line_to_event(x) for x in ["n\n", "p", "", "off", "q", "3", "thug_glasses\n"]] == [
        "next",
        "prev",
        "toggle",
        "toggle",
        "quit",
        "lens:3",
        "use:thug_glasses",
    ]
    control = StdinControl(io.StringIO("2\nq\n"))
    deadline = time.time() + 2
    events = []
    while len(events) < 2 and time.time() < deadline:
        events += control.poll_events()
        time.sleep(0.01)
    assert events == ["lens:2", "quit"]
