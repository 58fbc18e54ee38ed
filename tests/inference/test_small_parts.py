"""Build progress bars, frame sizes for frame lenses, and the physical core count."""

from __future__ import annotations

import io
import os
import threading

import pytest

from lensengine.inference.build_progress import BuildProgressBars
from lensengine.inference.cpu_cores import _linux_physical_cores, physical_cpu_cores
from lensengine.inference.frame_size import frame_pad, frame_work_size, network_stride, round_to_stride


def test_progress_bars_follow_nested_phases() -> None:
    out = io.StringIO()
    bars = BuildProgressBars("engine for toon", file=out)
    bars.phase_start("Building engine", None, 3)
    bars.phase_start("Tactic selection", "Building engine", 10)
    assert bars.progress() == {"Building engine": (0, 3), "Tactic selection": (0, 10)}
    for step in range(7):
        assert bars.step_complete("Tactic selection", step) is True
    assert bars.progress()["Tactic selection"] == (7, 10)
    bars.phase_finish("Tactic selection")
    bars.step_complete("Building engine", 2)
    assert bars.progress() == {"Building engine": (3, 3)}
    bars.phase_finish("Building engine")
    assert bars.progress() == {}
    text = out.getvalue()
    assert "engine for toon: Building engine" in text and "Tactic selection" in text and "3/3" in text


def test_progress_bars_close_what_a_failed_build_left_open() -> None:
    bars = BuildProgressBars("x", file=io.StringIO())
    bars.phase_start("outer", None, 5)
    bars.phase_start("inner", "outer", 5)
    bars.close()
    assert bars.progress() == {}
    assert bars.step_complete("inner", 1) is True  # late callbacks are harmless


def test_progress_bars_take_callbacks_from_many_threads() -> None:
    out = io.StringIO()
    bars = BuildProgressBars("x", file=out)
    bars.phase_start("timing", None, 400)
    workers = [
        threading.Thread(target=lambda base=base: [bars.step_complete("timing", base + i) for i in range(100)])
        for base in (0, 100, 200, 300)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert bars.progress() == {"timing": (400, 400)}


@pytest.mark.parametrize(
    ("arch", "config", "stride"),
    [
        ("unet", {"num_downs": 5}, 32),
        ("unet", {}, 256),
        ("resnet_generator", {"n_downsampling": 3}, 8),
        ("resnet_generator", {}, 4),
        ("johnson", {"width": 8}, 4),
        ("espcn", {"scale": 2}, 1),
    ],
)
def test_network_stride(arch: str, config: dict, stride: int) -> None:
    assert network_stride(arch, config) == stride


def test_network_stride_agrees_with_the_nets() -> None:
    import torch

    from lensengine.errors import LensEngineError
    from lensengine.nets import build_network

    net = build_network("unet", ngf=2, num_downs=3)
    stride = network_stride("unet", {"num_downs": 3})
    net.eval()(torch.zeros(1, 3, stride, stride))
    with pytest.raises(LensEngineError):
        net(torch.zeros(1, 3, stride + stride // 2, stride))


def test_round_to_stride() -> None:
    assert [round_to_stride(x, 8) for x in (1, 4, 5, 12, 13, 100)] == [8, 8, 8, 16, 16, 104]


@pytest.mark.parametrize(
    ("frame", "work"),
    [
        ((720, 1280), (256, 456)),  # 16:9 landscape: 256 * 16/9 = 455.1 -> 456
        ((1280, 720), (456, 256)),  # portrait
        ((480, 640), (256, 344)),  # 4:3: 341.3 -> 344
        ((300, 300), (256, 256)),
        ((100, 1000), (256, 512)),  # 10:1 is held at 2:1
    ],
)
def test_frame_work_size(frame: tuple[int, int], work: tuple[int, int]) -> None:
    assert frame_work_size(*frame, short_side=256, stride=8) == work


def test_frame_pad_keeps_the_padded_sides_multiples_of_the_stride() -> None:
    assert [frame_pad(stride) for stride in (1, 2, 4, 8, 16, 32, 256)] == [8, 8, 8, 8, 8, 0, 0]


def test_frame_work_size_sides_divide_by_the_stride() -> None:
    for height, width in [(480, 640), (1080, 1920), (1000, 1100), (999, 401)]:
        h, w = frame_work_size(height, width, 200, 32)
        assert h % 32 == 0 and w % 32 == 0 and min(h, w) == 192 and max(h, w) <= 384


def test_cpuinfo_with_hyperthreads_counts_cores() -> None:
    processors = [(0, 0), (0, 1), (0, 0), (0, 1), (1, 0), (1, 1), (1, 0), (1, 1)]  # 2 sockets x 2 cores x 2 HT
    text = "\n\n".join(f"processor\t: {i}\nphysical id\t: {p}\ncore id\t\t: {c}" for i, (p, c) in enumerate(processors))
    assert _linux_physical_cores(text) == 4


def test_cpuinfo_without_core_ids_counts_nothing() -> None:
    assert _linux_physical_cores("processor\t: 0\nmodel name\t: ARM\n\nprocessor\t: 1\n") == 0


def test_physical_cores_within_logical_cpus() -> None:
    assert 1 <= physical_cpu_cores() <= (os.cpu_count() or 1)
