"""Super-resolution stage: quality and speed of the shipped SR pack, and what it does in the pipeline.

    python benchmarks/superres.py [--pack PATH] [--runs 200] [--frames 60] [--out benchmarks/results]

1. Quality: held-out Grace Hopper face crops (never trained on; cut with the aligner as
   ``lensengine-train superres offline-data`` cuts them), shrunk x2, enlarged by the pack (ONNX Runtime, through
   SuperResStage) and by bicubic; PSNR and SSIM against the originals, for the area shrink (anti-aliased; what
   the aligner's warp gives at x2) and OpenCV's bicubic shrink (aliased).
   Speed: one 128 -> 256 crop (and a batch of 4) through SuperResStage, median / p95 over ``--runs`` runs.
   -> <out>/superres-cpu.md and .json
2. Pipeline: the sample clip (one face, 1280x720), faces tracked by FaceTracker, the thug_glasses_classic lens
   (from the plugin registry) run five ways: at 256 px; at 128 px pasted back from 128 (no SR); at 128 px
   enlarged x2 by bicubic; at 128 px enlarged x2 by the SR pack (two ways). The enlarged crops are pasted with
   ``enlarged_matrix`` (see lensengine/compose/superres.py): the crop as cut and the lens output both enlarged, so only
   the lens's change is pasted (``upscale_for_paste``), or ("whole crop") the enlarged lens output pasted over
   a crop cut at the larger size, so the whole face becomes the SR output. Per face: time (crop + lens +
   enlarge + paste), the sharpness (variance of the Laplacian) of the pasted face region and of the region the
   lens changed, and PSNR of the face region against the 256 px result.
   -> <out>/superres-pipeline.md, .json and .png (side by side)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

from lensengine.compose.paste import paste_back  # noqa: E402
from lensengine.compose.superres import SuperResStage, find_superres_packs, superres_wanted  # noqa: E402
from lensengine.face.align import align_matrix, crop_face, crop_side_in_frame, enlarged_matrix, transform_points  # noqa: E402  # noqa: E402
from lensengine.face.tracker import FaceTracker  # noqa: E402
from lensengine.inference.preprocess import crops_to_input  # noqa: E402
from lensengine.lenses.plugins import load_plugins  # noqa: E402
from lensengine.packs import load_pack  # noqa: E402
from lensengine.sources import open_source  # noqa: E402
from lensengine_trainers.data.still_faces import StillFaceLandmarker  # noqa: E402
from lensengine_trainers.superres.heldout import HeldOutSet  # noqa: E402
from lensengine_trainers.superres.metrics import bicubic_upscale, psnr  # noqa: E402
from lensengine_trainers.superres.offline_images import HELDOUT_PHOTO, face_landmarks, write_heldout  # noqa: E402

LENS = "thug_glasses_classic"
SMALL, LARGE = 128, 256
WAYS = (
    "lens 256",
    "lens 128, pasted from 128",
    "lens 128 + bicubic x2",
    "lens 128 + SR x2",
    "lens 128 + SR x2, whole crop",
)


def stats(times_ms: list[float]) -> dict:
    return {"median": float(np.median(times_ms)), "p95": float(np.percentile(times_ms, 95)), "runs": len(times_ms)}


def timed(function, runs: int) -> dict:
    function()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return stats(times)


def heldout_images(folder: Path) -> Path:
    with StillFaceLandmarker() as landmarker:
        photo, landmarks = face_landmarks(HELDOUT_PHOTO, landmarker)
    write_heldout(folder, photo, landmarks)
    return folder


def quality_and_speed(stage: SuperResStage, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        folder = heldout_images(Path(scratch))
        quality = {
            kernel: vars(HeldOutSet.from_folder(folder, stage.scale, kernel).evaluate(stage.upscale))
            for kernel in ("area", "bicubic")
        }
        one = cv2.imread(str(sorted(folder.glob("*.png"))[0]))
    crop = cv2.resize(one, (SMALL, SMALL), interpolation=cv2.INTER_AREA)
    batch = np.stack([crop] * 4)
    network_input = crops_to_input(crop[None], stage.pack.normalisation)
    speed = {
        "network_alone_1_crop": timed(lambda: stage.backend.infer(network_input), runs),
        "sr_1_crop": timed(lambda: stage.upscale(crop[None]), runs),
        "sr_4_crops": timed(lambda: stage.upscale(batch), runs),
        "bicubic_1_crop": timed(lambda: bicubic_upscale(crop, stage.scale), runs),
    }
    speed["sr_per_crop_in_batch_of_4_median"] = speed["sr_4_crops"]["median"] / 4
    return {"quality": quality, "speed": speed}


def laplacian_variance(image: np.ndarray, mask: np.ndarray | None = None) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    response = cv2.Laplacian(grey, cv2.CV_64F)
    return float(response[mask].var() if mask is not None else response.var())


def face_box(landmarks: np.ndarray, shape) -> tuple[slice, slice]:
    x0, y0 = np.floor(landmarks.min(0)).astype(int)
    x1, y1 = np.ceil(landmarks.max(0)).astype(int)
    return slice(max(y0, 0), min(y1, shape[0])), slice(max(x0, 0), min(x1, shape[1]))


def one_face(frame, face, lens, stage) -> tuple[dict, dict]:
    """Every way of putting the lens on one face: (way -> output frame, way -> ms)."""
    outputs, times = {}, {}
    for way in WAYS:
        out = frame.copy()
        start = time.perf_counter()
        size = LARGE if way == "lens 256" else SMALL
        matrix = align_matrix(face.landmarks, size)
        crop = crop_face(out, matrix, size)
        # colour only: SR is for lenses that redraw colour; alpha lenses are pasted by opacity, never enlarged
        painted = lens.apply(crop[None].copy(), transform_points(face.landmarks, matrix)[None])[0][..., :3]
        if way in ("lens 256", "lens 128, pasted from 128"):
            paste_back(out, crop, painted, matrix)
        elif way == "lens 128 + SR x2, whole crop":
            big_matrix = enlarged_matrix(matrix, 2)
            paste_back(out, crop_face(out, big_matrix, 2 * SMALL), stage.upscale(painted[None])[0], big_matrix)
        else:
            if way == "lens 128 + SR x2":
                big_in, big_out = (images[0] for images in stage.upscale_for_paste(crop[None], painted[None]))
            else:
                big_in, big_out = bicubic_upscale(crop, 2), bicubic_upscale(painted, 2)
            paste_back(out, big_in, big_out, enlarged_matrix(matrix, 2))
        times[way] = (time.perf_counter() - start) * 1000
        outputs[way] = out
    return outputs, times


def pipeline(stage: SuperResStage, frames: int) -> tuple[dict, np.ndarray]:
    registry = load_plugins()
    lens = registry.lens(LENS).create()
    times = {way: [] for way in WAYS}
    sharp_face = {way: [] for way in WAYS}
    sharp_change = {way: [] for way in WAYS}
    closeness = {way: [] for way in WAYS}
    face_px, side_by_side = [], None
    with open_source("sample:1", size=(1280, 720)) as source, FaceTracker() as tracker:
        for index in range(frames):
            frame = source.read()
            for face in tracker.track(frame, int(index * 1000 / 30)):
                face_px.append(crop_side_in_frame(align_matrix(face.landmarks, SMALL), SMALL))
                outputs, face_times = one_face(frame, face, lens, stage)
                region = face_box(face.landmarks, frame.shape)
                changed = np.abs(outputs["lens 256"][region].astype(int) - frame[region]).max(axis=2) > 24
                changed = cv2.dilate(changed.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
                for way in WAYS:
                    times[way].append(face_times[way])
                    sharp_face[way].append(laplacian_variance(outputs[way][region]))
                    if changed.any():
                        sharp_change[way].append(laplacian_variance(outputs[way][region], changed))
                    closeness[way].append(psnr(outputs[way][region], outputs["lens 256"][region]))
                if side_by_side is None and index >= frames // 2:
                    side_by_side = picture(outputs, region)
    results = {
        way: {
            "ms_per_face": stats(times[way]),
            "laplacian_var_face": float(np.mean(sharp_face[way])),
            "laplacian_var_changed": float(np.mean(sharp_change[way])) if sharp_change[way] else None,
            "psnr_vs_lens_256_db": float(np.mean([c for c in closeness[way] if np.isfinite(c)] or [np.inf])),
        }
        for way in WAYS
    }
    wanted = [superres_wanted(px, SMALL) for px in face_px]
    summary = {
        "faces": len(face_px),
        "crop_side_in_frame_px_median": float(np.median(face_px)),
        "superres_wanted_share": float(np.mean(wanted)),
    }
    return {"summary": summary, "ways": results}, side_by_side


def picture(outputs: dict, region: tuple[slice, slice]) -> np.ndarray:
    """The face region of each way, side by side, enlarged 2x (nearest) with its label."""
    tiles = []
    for way in WAYS:
        tile = cv2.resize(outputs[way][region], None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        cv2.putText(tile, way, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(tile, way, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(tile)
    return np.hstack(tiles)


def cpu_markdown(result: dict, meta: dict) -> str:
    lines = [
        "# Super-resolution pack (CPU)",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores (shared, noisy), "
        f"onnxruntime {meta['machine']['packages'].get('onnxruntime')}  ",
        f"Pack: `{meta['pack']}` ({meta['arch']} {meta['config']}, x{meta['scale']}, "
        f"{meta['pack_bytes']} bytes of model files), backend {meta['backend']}",
        "",
        "## Quality: held-out face crops (Grace Hopper, never trained on), x2",
        "",
        f"{result['quality']['area']['images']} aligned crops (256 px, 3 head rolls x 2 margins), shrunk x2, "
        "enlarged again; PSNR over all channels and SSIM on luminance, 2-pixel border cut.",
        "",
        "| shrink | SR PSNR dB | bicubic PSNR dB | gain dB | SR SSIM | bicubic SSIM |",
        "|---|---|---|---|---|---|",
    ]
    for kernel, q in result["quality"].items():
        lines.append(
            f"| {kernel} | {q['psnr']:.2f} | {q['bicubic_psnr']:.2f} | {q['psnr'] - q['bicubic_psnr']:+.2f} "
            f"| {q['ssim']:.4f} | {q['bicubic_ssim']:.4f} |"
        )
    s = result["speed"]
    lines += [
        "",
        "`area` is the box average (anti-aliased; what the aligner's bilinear warp does at x2), the protocol the "
        "pack is scored with; OpenCV's `bicubic` shrink keeps aliased detail that no upscaler recovers.",
        "",
        f"## Speed: {SMALL} -> {SMALL * 2} px, SuperResStage.upscale, ms",
        "",
        "| what | median | p95 | runs |",
        "|---|---|---|---|",
        f"| network alone (backend.infer), 1 crop | {s['network_alone_1_crop']['median']:.2f} "
        f"| {s['network_alone_1_crop']['p95']:.2f} | {s['network_alone_1_crop']['runs']} |",
        f"| SR, 1 crop | {s['sr_1_crop']['median']:.2f} | {s['sr_1_crop']['p95']:.2f} | {s['sr_1_crop']['runs']} |",
        f"| SR, batch of 4 (per crop {s['sr_per_crop_in_batch_of_4_median']:.2f}) | {s['sr_4_crops']['median']:.2f} "
        f"| {s['sr_4_crops']['p95']:.2f} | {s['sr_4_crops']['runs']} |",
        f"| bicubic (cv2.resize), 1 crop | {s['bicubic_1_crop']['median']:.3f} | {s['bicubic_1_crop']['p95']:.3f} "
        f"| {s['bicubic_1_crop']['runs']} |",
    ]
    return "\n".join(lines) + "\n"


def pipeline_markdown(result: dict, meta: dict) -> str:
    summary = result["summary"]
    lines = [
        "# Lens at 128 px + SR vs the same lens at 256 px (CPU)",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores (shared, noisy)  ",
        f"Sample clip, one face, 1280x720, {meta['frames']} frames, FaceTracker; lens `{LENS}`; SR pack "
        f"`{meta['pack']}` on {meta['backend']}. {summary['faces']} faces; the 128 px crop covers "
        f"{summary['crop_side_in_frame_px_median']:.0f} frame pixels (median), so the `auto` policy wants SR on "
        f"{summary['superres_wanted_share'] * 100:.0f}% of them.",
        "",
        "Time per face: crop + lens + enlarge + paste. Sharpness: variance of the Laplacian (grey) of the face's "
        "landmark box in the output frame, and of the part of it the lens changed (the glasses). Closeness: PSNR "
        "of the face box against the 256 px result.",
        "",
        "| way | ms per face (median / p95) | sharpness, face | sharpness, changed region | PSNR vs 256 px, dB |",
        "|---|---|---|---|---|",
    ]
    for way, r in result["ways"].items():
        changed = f"{r['laplacian_var_changed']:.0f}" if r["laplacian_var_changed"] is not None else "-"
        closeness = "(reference)" if way == "lens 256" else f"{r['psnr_vs_lens_256_db']:.2f}"
        lines.append(
            f"| {way} | {r['ms_per_face']['median']:.2f} / {r['ms_per_face']['p95']:.2f} "
            f"| {r['laplacian_var_face']:.0f} | {changed} | {closeness} |"
        )
    lines += ["", "Side by side (face box, enlarged 2x): `superres-pipeline.png`."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, help="SR pack folder (default: the first the plugins ship)")
    parser.add_argument("--backend", default="onnxruntime")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args()
    path = args.pack or next(iter(find_superres_packs(load_plugins().packs).values()))
    pack = load_pack(path)
    meta = {
        "command": "python " + " ".join(sys.argv),
        "machine": machine_info(),
        "pack": pack.name,
        "arch": pack.arch,
        "config": pack.config,
        "scale": pack.scale,
        "backend": args.backend,
        "pack_bytes": sum(entry.path.stat().st_size for entry in pack.files.values()),
        "frames": args.frames,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    with SuperResStage(pack, backend=args.backend) as stage:
        cpu = quality_and_speed(stage, args.runs)
        (args.out / "superres-cpu.json").write_text(json.dumps({"meta": meta, **cpu}, indent=2))
        (args.out / "superres-cpu.md").write_text(cpu_markdown(cpu, meta))
        print(cpu_markdown(cpu, meta), flush=True)
        flow, side_by_side = pipeline(stage, args.frames)
    (args.out / "superres-pipeline.json").write_text(json.dumps({"meta": meta, **flow}, indent=2))
    (args.out / "superres-pipeline.md").write_text(pipeline_markdown(flow, meta))
    cv2.imwrite(str(args.out / "superres-pipeline.png"), side_by_side)
    print(pipeline_markdown(flow, meta))


if __name__ == "__main__":
    main()
