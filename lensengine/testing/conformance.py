"""``check_lens``: one call that checks a lens against the contract of ``lensengine.lens.FaceLens`` / ``FrameLens``.

The contract, as the engine relies on it:

1. ``spec.create()`` returns an object with ``apply``; ``warmup()`` is called first when the object has it.
2. Inputs are what the engine gives: for a face lens, real aligned crops of the offline photos at the spec's
   ``crop_size`` and ``margin`` (a batch of one face and a batch of all) with their (N, 478, 2) float32 landmarks;
   for a frame lens, whole photos of two sizes. Colours are in the spec's ``color_order`` (swapped to RGB for an
   ``"RGB"`` lens, as the engine does).
3. ``apply`` returns a ``numpy`` uint8 array of exactly the input's shape (a face lens: or with a fourth, alpha,
   channel).
4. Colour order is kept: the output is in the order the input came in. Pixels a lens leaves as they were show it:
   when at least a fifth of the pixels, and twice as many as match as returned, match the input (within 8 levels)
   only once the output's red and blue are swapped, the lens returned the other order (e.g. converted to RGB
   and not back). A lens that repaints every pixel keeps none as it was and is not judged by this rule.
5. No in-place surprises: ``apply`` does not write into its inputs (crops, landmarks, frame); the array it returns
   shares no memory with them; and it is not a buffer the lens reuses: a later call leaves an earlier result as
   it was.
6. Speed: the median time of ``runs`` calls on the largest input (all faces, or the larger photo) is at most
   ``budget_ms``. The default budget is the engine's default ``--lens-timeout`` (1 s), past which the engine drops
   the lens's answer every frame; pass your own real-time target (a 30 fps frame has 33 ms for everything). The
   measured median is reported either way.

A broken contract raises ``LensConformanceError`` (an ``AssertionError``), one line naming the lens and its plugin.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from lensengine.lens import FACE, FaceLens, FrameLens, LensSpec
from lensengine.sources.face_photos import PHOTO_NAMES
from lensengine.testing.faces import face_batch, photo_faces

DEFAULT_BUDGET_MS = 1000.0  # lensengine run's default --lens-timeout
DEFAULT_RUNS = 20
KEPT_LEVELS = 8  # a pixel within this many levels of the input on every channel counts as kept
SWAP_EVIDENCE = 0.2  # the share of pixels that must match only after a red/blue swap to call the output swapped

REPORTS: list[LensReport] = []  # every check made in this process, in order (the pytest plugin prints them)


class LensConformanceError(AssertionError):
    """A lens breaks the lens contract (see this module's docstring)."""


@dataclass(frozen=True)
class LensReport:
    """What ``check_lens`` measured."""

    lens: str
    plugin: str
    kind: str
    input_shape: tuple[int, ...]
    runs: int
    median_ms: float
    budget_ms: float

    def __str__(self) -> str:
        shape = "x".join(map(str, self.input_shape))
        return (
            f"{self.lens} ({self.plugin or 'no plugin'}): {self.kind} lens, median {self.median_ms:.2f} ms per "
            f"call on {shape} over {self.runs} runs (budget {self.budget_ms:g} ms)"
        )


def _swap_rb(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[..., ::-1])


def _kept(out: np.ndarray, image: np.ndarray) -> float:
    """Share of the pixels where ``out`` equals ``image`` within KEPT_LEVELS on every channel."""
    return float((np.abs(out.astype(np.int16) - image).max(axis=-1) <= KEPT_LEVELS).mean())


def _describe(value: object) -> str:
    return f"{value.dtype} {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__


def _inputs(spec: LensSpec) -> tuple[list[tuple[np.ndarray, ...]], tuple[np.ndarray, ...]]:
    """The calls to check (the last one the largest), and an input shaped like the largest with other pixels."""
    rgb = spec.color_order == "RGB"
    if spec.kind == FACE:
        crops, landmarks = face_batch(spec.crop_size, spec.margin)
        crops = _swap_rb(crops) if rgb else crops
        calls = [(crops[:1].copy(), landmarks[:1].copy()), (crops, landmarks)]
        return calls, (crops[::-1].copy(), landmarks[::-1].copy())
    frames = [photo_faces()[name][0] for name in PHOTO_NAMES]
    frames = [_swap_rb(frame) if rgb else frame.copy() for frame in frames]
    frames.sort(key=lambda frame: frame.size)
    return [(frame,) for frame in frames], (np.ascontiguousarray(frames[-1][:, ::-1]),)


def check_lens(
    spec: LensSpec,
    lens: object | None = None,
    *,
    runs: int = DEFAULT_RUNS,
    budget_ms: float = DEFAULT_BUDGET_MS,
) -> LensReport:
    """Check ``spec``'s lens (``lens``, or a new one from ``spec.create()``, closed afterwards) against the contract.

    Returns the report (also kept in ``REPORTS``); raises ``LensConformanceError`` at the first broken rule.
    """
    if not isinstance(spec, LensSpec):
        raise TypeError(f"check_lens needs a lensengine.lens.LensSpec, not {type(spec).__name__}")
    name = f"lens {spec.name} ({spec.plugin or 'no plugin'})"

    def fail(problem: str) -> LensConformanceError:
        return LensConformanceError(f"{name}: {problem}")

    made_here = lens is None
    lens = spec.create() if made_here else lens
    try:
        protocol = FaceLens if spec.kind == FACE else FrameLens
        if not isinstance(lens, protocol):
            kind = protocol.__name__
            raise fail(f"the lens object ({type(lens).__name__}) has no apply(); see lensengine.lens.{kind}")
        warmup = getattr(lens, "warmup", None)
        if callable(warmup):
            warmup()

        def call(args: tuple[np.ndarray, ...]) -> np.ndarray:
            kept = [arg.copy() for arg in args]
            try:
                out = lens.apply(*args)
            except Exception as exc:
                raise fail(f"apply on {_describe(args[0])} raised {type(exc).__name__}: {exc}") from exc
            shapes = [args[0].shape]
            if spec.kind == FACE:  # a face lens may add its alpha (lensengine.lens.FaceLens)
                shapes.append((*args[0].shape[:-1], 4))
            if not isinstance(out, np.ndarray) or out.dtype != np.uint8 or out.shape not in shapes:
                raise fail(f"apply returned {_describe(out)}, expected uint8 {' or '.join(map(str, shapes))}")
            for what, arg, before in zip(("its input", "the landmarks"), args, kept):
                if not np.array_equal(arg, before):
                    raise fail(f"apply wrote into {what}; draw into a copy (out = crops.copy())")
                if np.may_share_memory(out, arg):
                    raise fail(f"apply returned {what} or a view of it; return a new array")
            return out

        calls, other = _inputs(spec)
        for args in calls:
            out = call(args)
            colour = out[..., :3]  # a face lens's alpha, when it returns one, is not a colour
            same, swapped = _kept(colour, args[0]), _kept(colour[..., ::-1], args[0])
            if swapped >= SWAP_EVIDENCE and swapped >= 2 * same:
                raise fail(
                    f"returned red and blue swapped: {spec.color_order} in, the other order out ({same:.0%} of "
                    f"the pixels kept as returned, {swapped:.0%} once swapped back)"
                )
        largest = calls[-1]
        first = call(largest)
        result = first.copy()
        second = call(other)
        if not np.array_equal(first, result) or np.may_share_memory(first, second):
            raise fail("a later apply changed an earlier result: return a new array each call, not a reused buffer")

        timed = largest
        times = []
        for _ in range(max(1, runs)):
            start = time.perf_counter()
            lens.apply(*timed)
            times.append((time.perf_counter() - start) * 1000.0)
        report = LensReport(
            spec.name, spec.plugin, spec.kind, timed[0].shape, len(times), statistics.median(times), budget_ms
        )
        REPORTS.append(report)
        if report.median_ms > budget_ms:
            raise fail(
                f"median {report.median_ms:.1f} ms per call on {timed[0].shape} is over the {budget_ms:g} ms budget"
            )
        return report
    finally:
        close = getattr(lens, "close", None)
        if made_here and callable(close):
            close()
