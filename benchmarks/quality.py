"""Quality of a face lens pack against the teacher lens it learnt from, on faces it never saw; and its speed.

    python benchmarks/quality.py --pack PACK --teacher LENS [--removes] [--held-out grace_hopper] [--clip-frames 16]
                                 [--speed-runs 200] [--threads 2] [--out benchmarks/results] [--write-provenance]

Held-out crops: each ``--held-out`` photo (lensengine.sources.face_photos) as it is, and frames of the sample clip in
which that person is fully visible (rolled and scaled by the clip; landmarks from MediaPipe in IMAGE mode, the
face matched to the clip's ground truth by its eyes). Every crop is cut with the engine's aligner at the
pack's crop size and margin; the teacher runs on the same crop with its landmarks (as the trainer's on-the-fly
teacher does), the pack through ONNX Runtime (lensengine.inference).

What is compared is what each lens shows in the crop: a lens that returns colour + alpha (the teacher
``thug_glasses_classic``, an ``outputs = "rgba"`` pack) is composited over its input crop, ``input * (1 - alpha) +
colour * alpha``, as the engine's paste does.

Per crop: PSNR (dB) and SSIM of the pack's output against the teacher's, over the whole crop, over the face box
(the box around the 478 landmarks) and over the eye box (centred between the irises, 2 eye distances wide and 0.9
high: where glasses, make-up or eye effects land); the same figures for the untouched input ("do nothing"
baseline); PSNR of the pack's output against the *input* outside what the teacher draws (its alpha, or the pixels
it changes, grown by 1 px for the edge's antialiasing) and outside the eye box: how well the lens leaves the rest
of the face alone; the share of the pixels the teacher paints dark (<= 40 in every channel) that the pack paints
dark too (<= 80); and whether the glasses cover both eyes (for each eye, at least half of the teacher's dark pixels
within half an eye distance of its iris painted dark by the pack). Speed: ONNX Runtime on the CPU with
``--threads`` intra-op threads (2), batch 1 and batch 4, median and p95 per face.

``--removes`` scores a lens that takes the teacher's drawing off (``glasses_removal_cyclegan``): its input is what
the teacher shows, and it is scored against the untouched face ("teacher" then means that original face).

Targets (issue 10): the pix2pix ``thug_glasses`` >= 30 dB against the teacher over the face box, >= 40 dB
against the input outside the glasses, glasses on both eyes in >= 95 % of the faces, <= 2 ms per face at batch 1;
the CycleGAN glasses lens glasses on both eyes in >= 80 % of the faces and >= 32 dB against the input outside
the eye box; the removal lens >= 28 dB against the original face over the face box.

Writes <out>/quality-<pack name>.json, .md and .png (a contact sheet: input | teacher | pack per held-out crop).
``--write-provenance`` also stores the summary in the pack's lens.toml as ``provenance.quality.held_out``.
Needs lensengine-trainers (MediaPipe IMAGE-mode landmarks) and the teacher's plugin installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import tomllib
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tomli_w  # noqa: E402
from machine_info import machine_info  # noqa: E402

from lensengine.errors import LensEngineError  # noqa: E402
from lensengine.face.align import align_matrix, crop_face, transform_points  # noqa: E402
from lensengine.inference import create_backend  # noqa: E402
from lensengine.inference.cpu_cores import LENS_THREADS_ENV  # noqa: E402
from lensengine.inference.preprocess import swap_rb  # noqa: E402
from lensengine.lenses.catalogue import lens_catalogue, resolve_lens  # noqa: E402
from lensengine.lenses.plugins import load_plugins  # noqa: E402
from lensengine.packs import load_pack  # noqa: E402
from lensengine.sources.face_photos import face_photo  # noqa: E402
from lensengine.sources.sample_clip import SampleClip  # noqa: E402
from lensengine_trainers.data.still_faces import StillFaceLandmarker  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LEFT_IRIS, RIGHT_IRIS = 468, 473
EYE_BOX_WIDTH, EYE_BOX_HEIGHT = 2.0, 0.9  # in eye distances
TEACHER_DARK, PACK_DARK = 40, 80
PSNR_CAP_DB = 99.0
CLIP_SIZE = (640, 480)
CLIP_FPS = 10.0
MAX_EYE_MISMATCH = 0.25  # matched face's eyes within this share of the eye distance of the clip's truth
TARGET_MS_PER_FACE = 2.0
TARGET_PSNR_FACE_DB = 30.0
TARGET_PSNR_OUTSIDE_DB = 40.0
TARGET_BOTH_EYES = 0.95
TARGET_CYCLEGAN_BOTH_EYES = 0.80
TARGET_CYCLEGAN_OUTSIDE_EYES_DB = 32.0
TARGET_REMOVAL_PSNR_FACE_DB = 28.0
EYE_RADIUS = 0.5  # in eye distances: the teacher's dark pixels this close to an iris belong to that eye
EYE_COVERED = 0.5  # share of an eye's teacher-dark pixels the pack must paint dark
SHEET_ROWS = 8
SHEET_ZOOM = 2


def held_out_faces(photos: list[str], clip_frames: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, image, (478, 2) landmarks) for each held-out photo and the chosen sample-clip frames."""
    faces = []
    clip = SampleClip(CLIP_SIZE, fps=CLIP_FPS)
    with StillFaceLandmarker(max_faces=3) as landmarker:
        for name in photos:
            image = face_photo(name)
            found = landmarker.landmarks(image)
            if len(found):
                faces.append((f"{name} photo", image, found[0]))
        taken = []
        for index in range(clip.frame_count):
            frame, truth = clip.frame(index)
            for person in truth:
                if person.name not in photos or not person.fully_visible:
                    continue
                landmarks = _matching_face(landmarker.landmarks(frame), person.eyes)
                if landmarks is not None:
                    eye_px = np.linalg.norm(person.eyes[1] - person.eyes[0])
                    label = f"{person.name} clip frame {index} roll {person.roll:+.0f} eyes {eye_px:.0f} px apart"
                    taken.append((label, frame, landmarks))
        step = max(1, len(taken) // clip_frames) if clip_frames else len(taken) + 1
        faces.extend(taken[::step][:clip_frames])
    return faces


def _matching_face(found: np.ndarray, eyes: np.ndarray) -> np.ndarray | None:
    """The detected face whose irises lie on the truth's eyes (image-left eye first), or None."""
    eye_distance = float(np.linalg.norm(eyes[1] - eyes[0]))
    for landmarks in found:
        irises = landmarks[[LEFT_IRIS, RIGHT_IRIS]]
        if np.abs(irises - eyes).max() <= MAX_EYE_MISMATCH * eye_distance:
            return landmarks
    return None


def aligned_crops(faces, size: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, size, size, 3) aligned crops and (N, 478, 2) landmarks in crop pixels."""
    crops, points = [], []
    for _, image, landmarks in faces:
        matrix = align_matrix(landmarks, size, margin)
        crops.append(crop_face(image, matrix, size))
        points.append(transform_points(landmarks, matrix))
    return np.stack(crops), np.stack(points)


def eye_box(landmarks: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the eye box in crop pixels, clipped to the crop."""
    left, right = landmarks[LEFT_IRIS], landmarks[RIGHT_IRIS]
    centre, distance = (left + right) / 2, float(np.linalg.norm(right - left))
    half_w, half_h = EYE_BOX_WIDTH * distance / 2, EYE_BOX_HEIGHT * distance / 2
    x0, y0 = (int(max(0, np.floor(v))) for v in (centre[0] - half_w, centre[1] - half_h))
    x1, y1 = (int(min(size, np.ceil(v))) for v in (centre[0] + half_w, centre[1] + half_h))
    return x0, y0, x1, y1


def face_box(landmarks: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the box around all 478 landmarks in crop pixels, clipped to the crop."""
    (x0, y0), (x1, y1) = np.floor(landmarks.min(axis=0)), np.ceil(landmarks.max(axis=0)) + 1
    return int(max(0, x0)), int(max(0, y0)), int(min(size, x1)), int(min(size, y1))


def shown(crops: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(what a lens shows, its (N, S, S) alpha or None): colour + alpha composited over the crops."""
    if out.shape[-1] == 3:
        return out, None
    alpha = out[..., 3:].astype(np.float32) / 255.0
    blended = crops.astype(np.float32) * (1.0 - alpha) + out[..., :3].astype(np.float32) * alpha
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8), np.ascontiguousarray(out[..., 3])


def drawn_mask(source: np.ndarray, wanted: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Where the teacher draws (its alpha > 0, or the pixels it changed), grown by 1 px."""
    drawn = (alpha > 0) if alpha is not None else np.any(wanted != source, axis=2)
    return cv2.dilate(drawn.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def eyes_covered(got: np.ndarray, painted_dark: np.ndarray, points: np.ndarray) -> tuple[bool, bool]:
    """Whether the pack paints dark at least EYE_COVERED of the teacher's dark pixels near each iris."""
    left, right = points[LEFT_IRIS], points[RIGHT_IRIS]
    radius = EYE_RADIUS * float(np.linalg.norm(right - left))
    ys, xs = np.mgrid[: got.shape[0], : got.shape[1]]
    covered = []
    for iris in (left, right):
        near = painted_dark & ((xs - iris[0]) ** 2 + (ys - iris[1]) ** 2 <= radius**2)
        covered.append(bool(near.any() and np.mean(got[near].max(axis=1) <= PACK_DARK) >= EYE_COVERED))
    return covered[0], covered[1]


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """PSNR in dB of 8-bit images, capped at PSNR_CAP_DB (identical images)."""
    if np.array_equal(image, reference):
        return PSNR_CAP_DB
    return min(PSNR_CAP_DB, float(peak_signal_noise_ratio(reference, image, data_range=255)))


def ssim(image: np.ndarray, reference: np.ndarray) -> float:
    """Mean SSIM over the colour channels (7 x 7 windows; an eye box is at least 8 px high at 128 px)."""
    return float(structural_similarity(reference, image, channel_axis=2, data_range=255))


def crop_scores(inputs, teacher_out, pack_out, landmarks, teacher_alpha=None) -> list[dict]:
    """Per crop: PSNR/SSIM of pack and of input against the teacher (whole crop, face box, eye box); PSNR of the
    pack against the input outside the teacher's drawing; dark coverage; glasses on both eyes."""
    scores = []
    size = inputs.shape[1]
    alphas = teacher_alpha if teacher_alpha is not None else [None] * len(inputs)
    for source, wanted, got, points, alpha in zip(inputs, teacher_out, pack_out, landmarks, alphas):
        x0, y0, x1, y1 = eye_box(points, size)
        eyes = (slice(y0, y1), slice(x0, x1))
        fx0, fy0, fx1, fy1 = face_box(points, size)
        face = (slice(fy0, fy1), slice(fx0, fx1))
        painted_dark = (wanted.max(axis=2) <= TEACHER_DARK) & np.any(wanted != source, axis=2)
        outside = ~drawn_mask(source, wanted, alpha)
        outside_eyes = np.ones(source.shape[:2], bool)
        outside_eyes[eyes] = False
        left_eye, right_eye = eyes_covered(got, painted_dark, points)
        scores.append(
            {
                "psnr_face": psnr(got[face], wanted[face]),
                "input_psnr_face": psnr(source[face], wanted[face]),
                "psnr_outside_vs_input": psnr(got[outside], source[outside]),
                "psnr_outside_eyes_vs_input": psnr(got[outside_eyes], source[outside_eyes]),
                "both_eyes": float(left_eye and right_eye),
                "psnr_crop": psnr(got, wanted),
                "ssim_crop": ssim(got, wanted),
                "psnr_eyes": psnr(got[eyes], wanted[eyes]),
                "ssim_eyes": ssim(got[eyes], wanted[eyes]),
                "input_psnr_crop": psnr(source, wanted),
                "input_psnr_eyes": psnr(source[eyes], wanted[eyes]),
                "input_ssim_eyes": ssim(source[eyes], wanted[eyes]),
                "dark_coverage": float(np.mean(got[painted_dark].max(axis=1) <= PACK_DARK))
                if painted_dark.any()
                else None,
                "eye_box": [x0, y0, x1, y1],
                "face_box": [fx0, fy0, fx1, fy1],
            }
        )
    return scores


def summary(scores: list[dict], rows: list[int]) -> dict:
    """Mean of every figure over the crops ``rows``."""
    keys = [k for k in scores[0] if k not in ("eye_box", "face_box")]
    out = {"crops": len(rows)}
    for key in keys:
        values = [scores[i][key] for i in rows if scores[i][key] is not None]
        out[key] = round(float(np.mean(values)), 4) if values else None
    # the worst crop too: a mean can hide one bad face
    for key in ("psnr_face", "psnr_outside_vs_input", "psnr_outside_eyes_vs_input"):
        values = [scores[i][key] for i in rows]
        out[f"{key}_min"] = round(float(np.min(values)), 4) if values else None
    return out


def run_pack(pack, crops: np.ndarray) -> np.ndarray:
    """The pack's output for BGR crops, through ONNX Runtime on the CPU, as BGR (BGRA for an rgba pack)."""
    rgb = pack.color_order == "RGB"
    with create_backend(pack, "onnxruntime", device="cpu", max_batch=4) as backend:
        feed = swap_rb(crops) if rgb else crops
        out = np.concatenate([backend.run(feed[i : i + 4]) for i in range(0, len(feed), 4)])
    return swap_rb(out) if rgb else out


def speed(pack, crops: np.ndarray, runs: int) -> dict:
    """ONNX Runtime on the CPU: median and p95 ms per face at batch 1 and batch 4."""
    result = {}
    with create_backend(pack, "onnxruntime", device="cpu", max_batch=4) as backend:
        for batch in (1, 4):
            sample = np.stack([crops[i % len(crops)] for i in range(batch)])
            for _ in range(5):
                backend.run(sample)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                backend.run(sample)
                times.append((time.perf_counter() - start) * 1000 / batch)
            result[f"batch{batch}"] = {
                "median_ms_per_face": round(float(np.median(times)), 3),
                "p95_ms_per_face": round(float(np.percentile(times, 95)), 3),
                "min_ms_per_face": round(float(np.min(times)), 3),
                "runs": runs,
            }
    return result


def contact_sheet(labels, inputs, teacher_out, pack_out, path: Path, titles=("input", "teacher", "pack")) -> None:
    """PNG: one row per crop (input | teacher | pack, enlarged SHEET_ZOOM times, nearest neighbour, so that every
    pixel can be seen), at most SHEET_ROWS rows, each labelled above."""
    rows = []
    chosen = np.linspace(0, len(inputs) - 1, min(SHEET_ROWS, len(inputs))).round().astype(int)
    for i in chosen:
        strip = np.concatenate([inputs[i], teacher_out[i], pack_out[i]], axis=1)
        strip = cv2.resize(strip, None, fx=SHEET_ZOOM, fy=SHEET_ZOOM, interpolation=cv2.INTER_NEAREST)
        label = np.zeros((16, strip.shape[1], 3), np.uint8)
        cv2.putText(label, labels[i], (4, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA)
        rows.append(np.concatenate([label, strip]))
    header = np.zeros((20, rows[0].shape[1], 3), np.uint8)
    third = rows[0].shape[1] // 3
    for column, title in enumerate(titles):
        cv2.putText(header, title, (column * third + 4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
    cv2.imwrite(str(path), np.concatenate([header, *rows], axis=0))


def markdown(report: dict) -> str:
    """The report as a Markdown page."""
    lines = [
        f"# Quality of lens pack `{report['pack']}` against `{report['teacher']}` on held-out faces",
        "",
        f"Command: `{report['command']}`  ",
        f"Held out (never in training): {', '.join(report['held_out'])}; crop {report['crop_size']} px, "
        f"margin {report['margin']}. Eye box: {EYE_BOX_WIDTH} x {EYE_BOX_HEIGHT} eye distances around the irises. "
        f'Baseline "input": the untouched crop against the teacher.',
        "",
        *targets_text(report["removes"]),
        "",
        "| crops | n | PSNR face box (min) | input PSNR face box | PSNR outside vs input (min) "
        "| PSNR outside eye box vs input (min) | both eyes "
        "| PSNR crop | SSIM crop | PSNR eyes | SSIM eyes | input PSNR eyes | input SSIM eyes | dark coverage |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for group, figures in report["summary"].items():
        lead = (
            f"{figures['psnr_face']:.2f} ({figures['psnr_face_min']:.2f}) | {figures['input_psnr_face']:.2f} | "
            f"{figures['psnr_outside_vs_input']:.2f} ({figures['psnr_outside_vs_input_min']:.2f}) | "
            f"{figures['psnr_outside_eyes_vs_input']:.2f} ({figures['psnr_outside_eyes_vs_input_min']:.2f}) | "
            f"{percent(figures['both_eyes'])} | "
        )
        cells = [
            figures[k]
            for k in (
                "psnr_crop",
                "ssim_crop",
                "psnr_eyes",
                "ssim_eyes",
                "input_psnr_eyes",
                "input_ssim_eyes",
                "dark_coverage",
            )
        ]
        shown = " | ".join(f"{c:.3f}" if c is not None else "-" for c in cells)
        lines.append(f"| {group} | {figures['crops']} | {lead}{shown} |")
    lines += [
        "",
        "Per crop:",
        "",
        "| crop | PSNR face box | PSNR outside vs input | PSNR outside eye box vs input | both eyes | PSNR crop "
        "| SSIM crop | PSNR eyes | SSIM eyes | dark coverage |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in zip(report["labels"], report["crops"]):
        dark = f"{s['dark_coverage']:.3f}" if s["dark_coverage"] is not None else "-"
        lines.append(
            f"| {label} | {s['psnr_face']:.2f} | {s['psnr_outside_vs_input']:.2f} | "
            f"{s['psnr_outside_eyes_vs_input']:.2f} | "
            f"{'-' if s['both_eyes'] is None else 'yes' if s['both_eyes'] else 'no'} | "
            f"{s['psnr_crop']:.2f} | {s['ssim_crop']:.3f} | "
            f"{s['psnr_eyes']:.2f} | {s['ssim_eyes']:.3f} | {dark} |"
        )
    lines += [
        "",
        f"Speed (ONNX Runtime, CPU, {report['threads']} threads, target < {TARGET_MS_PER_FACE:g} ms per face for "
        "the pix2pix lens):",
        "",
        "| batch | median ms/face | p95 ms/face | min ms/face | runs |",
        "|---|---|---|---|---|",
    ]
    for batch, figures in report["speed"].items():
        lines.append(
            f"| {batch[5:]} | {figures['median_ms_per_face']} | {figures['p95_ms_per_face']} | "
            f"{figures['min_ms_per_face']} | {figures['runs']} |"
        )
    machine = report["machine"]
    lines += ["", f"Machine: {json.dumps(machine)}", "", f"Contact sheet: `{report['contact_sheet']}`", ""]
    return "\n".join(lines)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def targets_text(removes: bool) -> list[str]:
    if removes:
        return [
            f"Target (removal lens): PSNR face box >= {TARGET_REMOVAL_PSNR_FACE_DB:g} dB against the original face."
        ]
    return [
        f"Targets, pix2pix lens: PSNR face box >= {TARGET_PSNR_FACE_DB:g} dB (vs teacher), PSNR outside the glasses "
        f">= {TARGET_PSNR_OUTSIDE_DB:g} dB (vs input), glasses on both eyes >= {TARGET_BOTH_EYES:.0%} of faces, "
        f"<= {TARGET_MS_PER_FACE:g} ms per face (batch 1). CycleGAN glasses lens: glasses on both eyes >= "
        f"{TARGET_CYCLEGAN_BOTH_EYES:.0%} of faces, PSNR outside the eye box >= {TARGET_CYCLEGAN_OUTSIDE_EYES_DB:g} "
        "dB (vs input).",
    ]


def write_provenance(pack_root: Path, held_out: dict) -> None:
    """Store ``held_out`` as provenance.quality.held_out in the pack's lens.toml, then verify the pack loads."""
    manifest_path = pack_root / "lens.toml"
    document = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    quality = document.setdefault("provenance", {}).setdefault("quality", {})
    quality["held_out"] = held_out
    manifest_path.write_text(tomli_w.dumps(document), encoding="utf-8")
    load_pack(pack_root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", required=True, help="lens pack folder or zip (a face pack)")
    parser.add_argument("--teacher", required=True, help="face lens the pack learnt from: a lens name or a pack path")
    parser.add_argument("--held-out", nargs="+", default=["grace_hopper"], help="face photos not used in training")
    parser.add_argument("--clip-frames", type=int, default=16, help="sample-clip frames of the held-out people (16)")
    parser.add_argument("--speed-runs", type=int, default=200, help="timed runs per batch size (200)")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads for the speed (2)")
    parser.add_argument(
        "--removes",
        action="store_true",
        help="the pack takes the teacher's drawing off: feed it the teacher's output, score it against the face",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder (benchmarks/results)")
    parser.add_argument("--write-provenance", action="store_true", help="store the summary in the pack's lens.toml")
    args = parser.parse_args()
    try:
        benchmark(args)
    except LensEngineError as error:
        sys.exit(f"quality.py: error: {error}")


def benchmark(args: argparse.Namespace) -> None:
    """Measure, write the results and (with --write-provenance) the pack's provenance."""
    pack = load_pack(args.pack)
    teacher_spec, _ = resolve_lens(args.teacher, lens_catalogue(load_plugins(), backend="onnxruntime"))
    if pack.kind != "face" or pack.scale != 1 or teacher_spec.kind != "face":
        raise LensEngineError(
            f"pack {pack.name!r} ({pack.kind}, x{pack.scale}) and teacher {args.teacher!r} ({teacher_spec.kind}) "
            "must both be face lenses of the same size: pick a face pack and the face lens it learnt from"
        )
    os.environ[LENS_THREADS_ENV] = str(args.threads)
    teacher = teacher_spec.create()
    faces = held_out_faces(args.held_out, args.clip_frames)
    labels = [label for label, _, _ in faces]
    inputs, landmarks = aligned_crops(faces, pack.crop_size, pack.margin)
    teacher_out, teacher_alpha = shown(inputs, teacher.apply(inputs.copy(), landmarks))
    titles = ("input", "teacher", "pack")
    if args.removes:  # the pack's input is what the teacher drew; its reference, the face without it
        inputs, teacher_out, titles = teacher_out, inputs, ("input (teacher's)", "original", "pack")
    pack_out, _ = shown(inputs, run_pack(pack, inputs))
    scores = crop_scores(inputs, teacher_out, pack_out, landmarks, teacher_alpha)
    if args.removes:  # no glasses to find in what a removal lens shows
        for score in scores:
            score["both_eyes"] = score["dark_coverage"] = None
    photos = [i for i, label in enumerate(labels) if label.endswith(" photo")]
    clip = [i for i, label in enumerate(labels) if " clip frame " in label]
    groups = {"all": list(range(len(labels))), "photos": photos, "sample clip": clip}

    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"quality-{pack.name}"
    contact_sheet(labels, inputs, teacher_out, pack_out, args.out / f"{stem}.png", titles)
    report = {
        "pack": pack.name,
        "teacher": args.teacher,
        "command": "python " + " ".join(sys.argv),
        "held_out": args.held_out,
        "removes": args.removes,
        "threads": args.threads,
        "crop_size": pack.crop_size,
        "margin": pack.margin,
        "summary": {name: summary(scores, rows) for name, rows in groups.items() if rows},
        "speed": speed(pack, inputs, args.speed_runs),
        "labels": labels,
        "crops": scores,
        "machine": machine_info(),
        "contact_sheet": f"{stem}.png",
    }
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    if args.write_provenance:
        overall = report["summary"]["all"]
        write_provenance(
            pack.root,
            {
                "faces": ", ".join(args.held_out) + " (photo and sample-clip frames; never in training)",
                "crops": overall["crops"],
                "psnr_face_box_db": overall["psnr_face"],
                "psnr_outside_glasses_vs_input_db": overall["psnr_outside_vs_input"],
                "psnr_outside_eye_box_vs_input_db": overall["psnr_outside_eyes_vs_input"],
                "both_eyes": overall["both_eyes"],
                "psnr_crop_db": overall["psnr_crop"],
                "ssim_crop": overall["ssim_crop"],
                "psnr_eyes_db": overall["psnr_eyes"],
                "ssim_eyes": overall["ssim_eyes"],
                "dark_coverage": overall["dark_coverage"],
                "onnxruntime_cpu_ms_per_face_median": report["speed"]["batch1"]["median_ms_per_face"],
                "onnxruntime_cpu_ms_per_face_p95": report["speed"]["batch1"]["p95_ms_per_face"],
            },
        )
    print(markdown(report))


if __name__ == "__main__":
    main()
