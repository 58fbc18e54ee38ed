"""ReadAhead: frames come out in order, at most ``depth`` ahead of their consumer; a read error comes after the
frames read before it; halting or the run's stop ends a reader that waits for room."""

from __future__ import annotations

import threading
import time

import pytest

from lensengine.pipeline.read_ahead import ReadAhead


def counting(produced: list[int], count: int):
    for index in range(count):
        produced.append(index)
        yield index


def started(items, stop=None, depth=2) -> ReadAhead:
    reader = ReadAhead(items, stop or threading.Event(), depth=depth)
    reader.start()
    return reader


def test_items_come_out_in_order():
    assert list(started(counting([], 50))) == list(range(50))


def test_the_reader_stays_at_most_depth_ahead_of_its_consumer():
    produced: list[int] = []
    reader = started(counting(produced, 100), depth=2)
    items = iter(reader)
    assert next(items) == 0
    time.sleep(0.3)  # room for the reader to run ahead as far as it may
    # item 0 was taken; two wait in the queue and the generator has made one more that waits for room
    assert len(produced) <= 4
    reader.halt()
    assert not reader.is_alive()


def test_a_read_error_is_raised_after_the_items_read_before_it():
    def failing():
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in started(failing()):
            got.append(item)
    assert got == [1, 2]


def test_the_runs_stop_ends_a_reader_waiting_for_room():
    stop = threading.Event()
    reader = started(counting([], 1000), stop=stop, depth=1)
    time.sleep(0.1)
    stop.set()
    reader.join(timeout=2.0)
    assert not reader.is_alive()
    assert len(list(reader)) <= 1  # what was queued before the stop, then the end
