"""Style lens quality and speed: Gram and content distances against Gatys, flicker on video, ms per frame.

    python benchmarks/style.py --pack plugins/style_lenses/lensengine_style_lenses/packs/starry_night \
        --style data/style/starry_night.jpg --content data/style/heldout --video data/style/heldout.avi \
        [--gatys-steps 200] [--runs 30] [--threads 2] [--out benchmarks/results]

(``trainers/recipes/style_pictures.py`` writes those held-out pictures, video and painting.)

The pictures are the Grace Hopper photo (lensengine.sources.face_photos) and every image in ``--content``
(pictures the lens was not trained on). Each is measured three ways, all scaled to 256 px on the long side:
the picture unchanged, the lens's output (ONNX Runtime, the whole picture as the engine runs a frame lens), and
two optimisations of that picture (Adam, ``--gatys-steps``, from the picture itself; 0 leaves them out, for
quick comparisons of checkpoints):

- Gatys: ``lensengine stylize``'s method, Gatys et al.'s layers (content ``relu4_2``, style ``relu1_1`` ...
  ``relu5_1``) of ImageNet VGG16 (no VGG19 is at hand), content 1, style 10: the reference the lens is held to;
- optimum: the same optimisation of the lens's own objective (Johnson et al.'s layers, the pack's content / style
  / TV weights): what one pass of a small net could at best reach on that picture.

The yardstick is the same for every pack and column: ImageNet VGG16 with Johnson et al.'s layers (content
``relu2_2``; style: the Gram matrices of ``relu1_2``, ``relu2_2``, ``relu3_3``, ``relu4_3``) and the painting at
the pack's training size. Distances are the relative errors of lensengine_trainers.style.losses (0 is a perfect
match; content 0 means unchanged).

"Way to Gatys" is how far the lens goes from the unchanged picture towards Gatys' result in Gram distance on a
log scale: log(style unchanged / style lens) / log(style unchanged / style Gatys); 100 % reaches Gatys. "Way to
the optimum" is the same against the optimum.

Flicker is the mean absolute difference between consecutive frames (0-255, every pixel and channel) of the
``--video`` (a held-out real video) as it is and through the lens; the lens should not flicker more than
twice as much as the video itself.

Speed: the frame lens through lensengine.lenses.neural.NeuralLens (resize to the working size, network, resize
back) on 640x480 and 1280x720 frames with ``--threads`` ONNX Runtime threads: 3 warm-up runs, then ``--runs``
timed ones; median and minimum.

Writes <out>/style_<pack>.json, style_<pack>.md and style_<pack>_sheet.png (content | style | lens | Gatys |
optimum, and two consecutive video frames | lens on them). The style image is not written anywhere but inside the sheet.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

from lensengine.errors import LensEngineError  # noqa: E402
from lensengine.inference.cpu_cores import LENS_THREADS_ENV  # noqa: E402
from lensengine.lenses.neural import NeuralLens  # noqa: E402
from lensengine.packs import load_pack  # noqa: E402
from lensengine.sources.face_photos import face_photo  # noqa: E402
from lensengine.util.files import file_sha256  # noqa: E402
from lensengine_trainers.common.vgg import load_vgg, local_imagenet_file, no_weights_message  # noqa: E402
from lensengine_trainers.data.frame_sources import image_files, video_frames  # noqa: E402
from lensengine_trainers.style.gatys import stylize  # noqa: E402
from lensengine_trainers.style.images import fit_long_side, image_tensor, read_style_image  # noqa: E402
from lensengine_trainers.style.losses import (  # noqa: E402
    GATYS_CONTENT_LAYER,
    GATYS_STYLE_LAYERS,
    JOHNSON_CONTENT_LAYER,
    JOHNSON_STYLE_LAYERS,
    LossWeights,
    PerceptualLoss,
)

MEASURE_SIZE = 256
FRAME_SIZES = {"640x480": (480, 640), "1280x720": (720, 1280)}
WARMUP_RUNS = 3
TILE_HEIGHT = 160
TARGET_MS_720P = 15.0
TARGET_WAY_TO_GATYS = 0.8
TARGET_FLICKER_RATIO = 2.0


def imagenet_vgg16() -> str:
    """The ImageNet VGG16 file at hand (the yardstick needs real features), else a one-line error."""
    found = local_imagenet_file("vgg16")
    if found is None:
        raise LensEngineError(no_weights_message("vgg16"))
    return str(found)


def pack_weights(pack) -> tuple[LossWeights, int]:
    """The content / style / TV weights and the painting's size the pack was trained with."""
    config = pack.provenance["trainer"]["config"]
    weights = LossWeights(config["content_weight"], config["style_weight"], config["tv_weight"])
    return weights, int(config["style_size"])


def yardstick(vgg_file: str, style_bgr: np.ndarray, style_size: int) -> PerceptualLoss:
    """ImageNet VGG16 with Johnson et al.'s layers, against the painting at ``style_size`` px."""
    vgg, _ = load_vgg("vgg16", (JOHNSON_CONTENT_LAYER, *JOHNSON_STYLE_LAYERS), vgg_file, progress=False)
    style = image_tensor(fit_long_side(style_bgr, style_size), torch.device("cpu"))
    return PerceptualLoss(vgg, style, JOHNSON_CONTENT_LAYER, JOHNSON_STYLE_LAYERS, LossWeights())


def losses_of(loss: PerceptualLoss, picture: np.ndarray, content: np.ndarray) -> dict[str, float]:
    """Content and style distance of ``picture`` (against ``content`` and the painting), both at MEASURE_SIZE."""
    height, width = fit_long_side(content, MEASURE_SIZE).shape[:2]

    def as_tensor(image: np.ndarray) -> torch.Tensor:
        return image_tensor(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), torch.device("cpu"))

    with torch.no_grad():
        measured = loss(as_tensor(picture), loss.content_target(as_tensor(content)))
    return {"content": measured["content"].item(), "style": measured["style"].item()}


REFERENCES = ("gatys", "optimum")
TITLES = {"gatys": "Gatys", "optimum": "the optimum"}


def way_to(row: dict, reference: str) -> float:
    """Share of the log-scale way from the unchanged picture's Gram distance to the reference's that the lens
    goes."""
    start, lens, goal = row["unchanged"]["style"], row["lens"]["style"], row[reference]["style"]
    return math.log(start / lens) / math.log(start / goal)


def references(picture, style, steps: int, vgg_file: str, weights: LossWeights, style_size: int) -> dict:
    """Gatys' result (paper layers, stylize's weights) and the optimum of the lens's own objective; none for 0
    steps."""
    if steps == 0:
        return {}
    common = dict(steps=steps, size=MEASURE_SIZE, vgg_weights=vgg_file, progress=False, arch="vgg16")
    return {
        "gatys": stylize(
            picture, style, content_layer=GATYS_CONTENT_LAYER, style_layers=GATYS_STYLE_LAYERS, **common
        ).image,
        "optimum": stylize(
            picture,
            style,
            weights=weights,
            content_layer=JOHNSON_CONTENT_LAYER,
            style_layers=JOHNSON_STYLE_LAYERS,
            style_size=style_size,
            **common,
        ).image,
    }


def held_out_frames(path: Path) -> list[np.ndarray]:
    """Every frame of the held-out video (at least 2)."""
    frames = [frame for _, frame in video_frames(path).frames]
    if len(frames) < 2:
        raise LensEngineError(f"{path} gave {len(frames)} frames: give a video of at least 2 frames")
    return frames


def mean_change(frames: list[np.ndarray]) -> float:
    """Mean absolute difference between consecutive frames, 0-255."""
    return float(np.mean([cv2.absdiff(a, b).mean() for a, b in zip(frames, frames[1:])]))


def flicker(lens: NeuralLens, frames: list[np.ndarray]) -> tuple[dict, list[np.ndarray]]:
    outputs = [lens.apply(frame) for frame in frames]
    video, through = mean_change(frames), mean_change(outputs)
    return {"frames": len(frames), "video_change": video, "lens": through, "ratio": through / video}, outputs


def summary(rows: list[dict], references: tuple[str, ...]) -> dict:
    """Medians over the pictures: the lens's distances, its way to each reference, and on how many pictures its
    content distance is no worse than Gatys'."""
    found = {name: float(np.median([row["lens"][name] for row in rows])) for name in ("content", "style")}
    for reference in references:
        found[f"way_to_{reference}"] = float(np.median([row[f"way_to_{reference}"] for row in rows]))
    if "gatys" in references:
        found["content_no_worse"] = sum(row["lens"]["content"] <= row["gatys"]["content"] for row in rows)
    return found


def frame_speed(lens: NeuralLens, frame: np.ndarray, runs: int) -> dict[str, float]:
    for _ in range(WARMUP_RUNS):
        lens.apply(frame)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        lens.apply(frame)
        times.append((time.perf_counter() - start) * 1000.0)
    return {"median_ms": float(np.median(times)), "min_ms": float(np.min(times)), "runs": runs}


def tile(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    return cv2.resize(image, (round(width * TILE_HEIGHT / height), TILE_HEIGHT), interpolation=cv2.INTER_AREA)


def contact_sheet(rows: list[list[np.ndarray]]) -> np.ndarray:
    """Rows of tiles side by side, rows padded to the widest with white."""
    lines = [np.hstack([tile(image) for image in row]) for row in rows]
    width = max(line.shape[1] for line in lines)
    return np.vstack(
        [np.pad(line, ((0, 4), (0, width - line.shape[1]), (0, 0)), constant_values=255) for line in lines]
    )


def check(met: bool) -> str:
    return "met" if met else "**not met**"


def write_markdown(path: Path, report: dict) -> None:
    pack, found, motion = report["pack"], report["summary"], report["flicker"]
    references = report["references"]
    lines = [
        f"# Style lens `{pack['name']}`: Gram and content distances, flicker, speed",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} CPUs; load average (1 min) "
        f"{report['load_average'][0]:.1f} at start, {report['load_average'][1]:.1f} at end  ",
        f"Pack: {pack['kind']} lens, works at {pack['crop_size']} px on the short side; net {pack['arch']} "
        f"{pack['config']}; trained {pack['steps']} steps with {pack['loss_features']} features  ",
        f"Yardstick: {report['yardstick']}; pictures at {MEASURE_SIZE} px on the long side. Relative distances: "
        "0 is a perfect match; content 0 means unchanged.  ",
        f"Gatys and the optimum: {report['gatys_steps']} Adam steps on each picture (0: not run); the optimum with "
        f"the pack's weights {report['optimum_weights']}.",
        "",
        "| picture | unchanged: style | lens: content / style |"
        + "".join(f" {TITLES[name]}: content / style |" for name in references)
        + "".join(f" way to {TITLES[name]} |" for name in references),
        "|---|---|---|" + "---|" * 2 * len(references),
    ]
    for row in report["pictures"]:
        cells = [f"{row[name]['content']:.3f} / {row[name]['style']:.4f}" for name in ("lens", *references)]
        ways = [f"{row[f'way_to_{name}']:.0%}" for name in references]
        lines.append(f"| {row['picture']} | {row['unchanged']['style']:.3f} | {' | '.join(cells + ways)} |")
    speeds = report["speed"]
    lines += [
        "",
        f"Flicker on `{motion['video']}` ({motion['frames']} frames): the video itself {motion['video_change']:.2f}, "
        f"through the lens {motion['lens']:.2f} (mean absolute change between consecutive frames, 0-255): "
        f"{motion['ratio']:.2f}x.",
        "",
        f"Speed (ONNX Runtime, CPU, {report['threads']} threads): "
        + "; ".join(f"{size} median {t['median_ms']:.1f} ms (min {t['min_ms']:.1f})" for size, t in speeds.items())
        + f" over {next(iter(speeds.values()))['runs']} runs.",
        "",
        "## Against the targets",
        "",
    ]
    if references:
        lines += [
            f"- Way to Gatys in Gram distance (log scale), median over the pictures: {found['way_to_gatys']:.0%} "
            f"(target >= {TARGET_WAY_TO_GATYS:.0%}): {check(found['way_to_gatys'] >= TARGET_WAY_TO_GATYS)}; "
            f"to the optimum of its own objective {found['way_to_optimum']:.0%}.",
            f"- Content distance no worse than Gatys': on {found['content_no_worse']} of "
            f"{len(report['pictures'])} pictures: {check(found['content_no_worse'] == len(report['pictures']))}.",
        ]
    lines += [
        f"- Flicker at most {TARGET_FLICKER_RATIO:g}x the video's own: {motion['ratio']:.2f}x: "
        f"{check(motion['ratio'] <= TARGET_FLICKER_RATIO)}.",
        f"- At most {TARGET_MS_720P:g} ms per 1280x720 frame: {speeds['1280x720']['median_ms']:.1f} ms: "
        f"{check(speeds['1280x720']['median_ms'] <= TARGET_MS_720P)}.",
        "",
        f"Contact sheet: `{report['sheet']}` (content | style | lens | Gatys | optimum; last row: two consecutive "
        "video frames, then the lens on each).",
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", required=True, help="style lens pack folder or zip")
    parser.add_argument("--style", required=True, help="the style image the pack was trained on")
    parser.add_argument("--content", help="folder of held-out pictures (besides the Grace Hopper photo)")
    parser.add_argument("--video", required=True, help="a held-out video for the flicker figure")
    parser.add_argument(
        "--gatys-steps", type=int, default=200, help="Adam steps of Gatys and of the optimum (200; 0: neither)"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each speed measurement")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads (2)")
    parser.add_argument("--out", default="benchmarks/results", help="folder for the results")
    args = parser.parse_args(argv)
    if args.gatys_steps < 0:
        raise LensEngineError(f"--gatys-steps must be >= 0, got {args.gatys_steps}")
    os.environ[LENS_THREADS_ENV] = str(args.threads)
    torch.set_num_threads(os.cpu_count() or 1)
    load_start = os.getloadavg()[0]

    pack = load_pack(args.pack)
    if pack.family != "style" or pack.kind != "frame":
        raise LensEngineError(f"{args.pack} is a {pack.family} {pack.kind} pack: give a frame style pack")
    style = read_style_image(args.style)
    if file_sha256(args.style) != pack.provenance["style_image"]["sha256"]:
        raise LensEngineError(f"{args.style} is not the style image {pack.name!r} was trained on (sha256 differs)")
    vgg_file = imagenet_vgg16()
    weights, style_size = pack_weights(pack)
    loss = yardstick(vgg_file, style, style_size)
    pictures = {"grace_hopper": face_photo("grace_hopper")}
    for path in image_files(Path(args.content)) if args.content else []:
        pictures[path.stem] = read_style_image(path, "content picture")
    frames = held_out_frames(Path(args.video))

    lens = NeuralLens(pack, backend="onnxruntime", max_batch=1)
    rows, sheet = [], []
    for name, picture in pictures.items():
        output = lens.apply(picture)
        painted = references(picture, style, args.gatys_steps, vgg_file, weights, style_size)
        row = {
            "picture": name,
            "unchanged": losses_of(loss, picture, picture),
            "lens": losses_of(loss, output, picture),
            **{reference: losses_of(loss, image, picture) for reference, image in painted.items()},
        }
        row.update({f"way_to_{reference}": way_to(row, reference) for reference in painted})
        rows.append(row)
        sheet.append([picture, style, output, *painted.values()])
        print(f"{name}: lens content {row['lens']['content']:.3f}, style {row['lens']['style']:.4f}", flush=True)
    motion, outputs = flicker(lens, frames)
    middle = len(frames) // 2
    sheet.append([frames[middle - 1], frames[middle], outputs[middle - 1], outputs[middle]])
    speed_frame = frames[0]
    speed = {
        size: frame_speed(lens, cv2.resize(speed_frame, (width, height), interpolation=cv2.INTER_AREA), args.runs)
        for size, (height, width) in FRAME_SIZES.items()
    }
    lens.close()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sheet_path = out / f"style_{pack.name}_sheet.png"
    cv2.imwrite(str(sheet_path), contact_sheet(sheet))
    training = pack.provenance.get("training", {})
    features = pack.provenance["loss_features"]
    report = {
        "command": "python benchmarks/style.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_info(),
        "load_average": [load_start, os.getloadavg()[0]],
        "pack": {
            "name": pack.name,
            "kind": pack.kind,
            "crop_size": pack.crop_size,
            "arch": pack.arch,
            "config": pack.config,
            "steps": training.get("steps"),
            "loss_features": f"{features['arch']} {features['weights']}",
        },
        "yardstick": f"ImageNet VGG16 ({Path(vgg_file).name}), content {JOHNSON_CONTENT_LAYER}, style "
        f"{', '.join(JOHNSON_STYLE_LAYERS)}, painting at {style_size} px",
        "gatys_steps": args.gatys_steps,
        "references": list(REFERENCES) if args.gatys_steps else [],
        "optimum_weights": {"content": weights.content, "style": weights.style, "tv": weights.tv},
        "pictures": rows,
        "summary": summary(rows, REFERENCES if args.gatys_steps else ()),
        "flicker": {"video": Path(args.video).name, **motion},
        "threads": args.threads,
        "speed": speed,
        "sheet": sheet_path.name,
    }
    (out / f"style_{pack.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(out / f"style_{pack.name}.md", report)
    print(
        f"results: {out / f'style_{pack.name}.md'}; lens content {report['summary']['content']:.3f}, style "
        f"{report['summary']['style']:.4f}, flicker {motion['ratio']:.2f}x, 1280x720 "
        f"{speed['1280x720']['median_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LensEngineError as error:
        print(f"benchmarks/style.py: error: {error}", file=sys.stderr)
        sys.exit(2)
