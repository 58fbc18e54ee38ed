"""Style lens quality and speed: content / style losses on held-out pictures, a contact sheet, ms per frame.

    python benchmarks/style.py --pack plugins/style_lenses/lensengine_style_lenses/packs/starry_night \
        --style /usr/share/doc/opencv-doc/examples/data/starry_night.jpg \
        [--content DIR] [--gatys-steps 100] [--runs 30] [--out benchmarks/results]

The pictures are the Grace Hopper photo (lensengine.sources.face_photos) and every image in ``--content`` (use pictures
the lens was not trained on). Each is measured three ways, all scaled to 256 px on the long side and all with
the yardstick the lens was trained with (the VGG features and layers in its provenance): the picture unchanged,
the lens's output (ONNX Runtime, the whole picture as the engine runs a frame lens), and Gatys et al.'s
optimisation of that picture (``--gatys-steps``, VGG19 features; 0 leaves it out). Losses are the relative ones
of lensengine_trainers.style.losses: 0 is a perfect match.

The speed is the frame lens on a 640x480 frame through lensengine.lenses.neural.NeuralLens (resize to the working
size, network, resize back): 3 warm-up runs, then ``--runs`` timed ones; median and minimum.

Writes <out>/style_<pack>.json, style_<pack>.md and style_<pack>_sheet.png (content | style | lens | Gatys).
The style image is not written anywhere but inside the sheet's thumbnails.
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
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

from lensengine.errors import LensEngineError  # noqa: E402
from lensengine.lenses.neural import NeuralLens  # noqa: E402
from lensengine.packs import load_pack  # noqa: E402
from lensengine.sources.face_photos import face_photo  # noqa: E402
from lensengine.util.files import file_sha256  # noqa: E402
from lensengine_trainers.common.vgg import load_vgg, local_imagenet_file  # noqa: E402
from lensengine_trainers.data.frame_sources import image_files  # noqa: E402
from lensengine_trainers.style.gatys import stylize  # noqa: E402
from lensengine_trainers.style.images import fit_long_side, image_tensor, read_style_image  # noqa: E402
from lensengine_trainers.style.losses import LossWeights, PerceptualLoss  # noqa: E402

MEASURE_SIZE = 256
FRAME_SIZE = (480, 640)
WARMUP_RUNS = 3
TILE_HEIGHT = 160
TARGET_MS_PER_FRAME = 30.0


def yardstick(pack, style_bgr: np.ndarray) -> PerceptualLoss:
    """The perceptual loss the pack was trained with (its provenance names the VGG, weights and layers)."""
    features = pack.provenance["loss_features"]
    config = pack.provenance["trainer"]["config"]
    layers = (features["content_layer"], *features["style_layers"])
    weights = "random" if features["weights"] == "random" else str(local_imagenet_file(features["arch"]))
    vgg, _ = load_vgg(features["arch"], layers, weights, seed=features.get("seed", 0))
    style = image_tensor(fit_long_side(style_bgr, config["style_size"]), torch.device("cpu"))
    return PerceptualLoss(vgg, style, features["content_layer"], tuple(features["style_layers"]), LossWeights())


def losses_of(loss: PerceptualLoss, picture: np.ndarray, content: np.ndarray) -> dict[str, float]:
    """Content and style loss of ``picture`` (against ``content`` and the style), both at MEASURE_SIZE."""
    height, width = fit_long_side(content, MEASURE_SIZE).shape[:2]

    def as_tensor(image: np.ndarray) -> torch.Tensor:
        return image_tensor(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), torch.device("cpu"))

    with torch.no_grad():
        measured = loss(as_tensor(picture), loss.content_target(as_tensor(content)))
    return {"content": measured["content"].item(), "style": measured["style"].item()}


def frame_speed(lens: NeuralLens, runs: int) -> dict[str, float]:
    frame = cv2.resize(face_photo("grace_hopper"), FRAME_SIZE[::-1], interpolation=cv2.INTER_AREA)
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


def write_markdown(path: Path, report: dict) -> None:
    speed, pack = report["speed"], report["pack"]
    lines = [
        f"# Style lens `{pack['name']}`: losses and speed",
        "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} CPUs; load average (1 min) "
        f"{report['load_average'][0]:.1f} at start, {report['load_average'][1]:.1f} at end  ",
        f"Pack: {pack['kind']} lens, works at {pack['crop_size']} px on the short side; net {pack['arch']} "
        f"{pack['config']}; trained {pack['steps']} steps  ",
        f"Yardstick: {report['yardstick']} (the lens's training features); pictures at {MEASURE_SIZE} px on the "
        "long side. Relative losses: 0 is a perfect match; content 0 means unchanged.",
        "",
        "| picture | unchanged: content | unchanged: style | lens: content | lens: style "
        "| Gatys: content | Gatys: style |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["pictures"]:
        gatys = row.get("gatys", {})
        lines.append(
            f"| {row['picture']} | {row['unchanged']['content']:.3f} | {row['unchanged']['style']:.3f} | "
            f"{row['lens']['content']:.3f} | {row['lens']['style']:.3f} | "
            f"{gatys.get('content', float('nan')):.3f} | {gatys.get('style', float('nan')):.3f} |"
        )
    lines += [
        "",
        f"Gatys: {report['gatys_steps']} steps of Adam on the picture (VGG19 features: {report['gatys_features']}).",
        "",
        f"Speed, frame lens on a 640x480 frame (ONNX Runtime, CPU): median {speed['median_ms']:.1f} ms, "
        f"minimum {speed['min_ms']:.1f} ms over {speed['runs']} runs; target {TARGET_MS_PER_FRAME:.0f} ms.",
        "",
        f"Contact sheet: `{report['sheet']}` (content | style | lens | Gatys).",
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", required=True, help="style lens pack folder or zip")
    parser.add_argument("--style", required=True, help="the style image the pack was trained on")
    parser.add_argument("--content", help="folder of held-out pictures (besides the Grace Hopper photo)")
    parser.add_argument("--gatys-steps", type=int, default=100, help="optimisation steps of the Gatys column (0: none)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of the speed measurement")
    parser.add_argument("--out", default="benchmarks/results", help="folder for the results")
    args = parser.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    load_start = os.getloadavg()[0]

    pack = load_pack(args.pack)
    if pack.family != "style" or pack.kind != "frame":
        raise LensEngineError(f"{args.pack} is a {pack.family} {pack.kind} pack: give a frame style pack")
    style = read_style_image(args.style)
    if file_sha256(args.style) != pack.provenance["style_image"]["sha256"]:
        raise LensEngineError(f"{args.style} is not the style image {pack.name!r} was trained on (sha256 differs)")
    loss = yardstick(pack, style)
    pictures = {"grace_hopper": face_photo("grace_hopper")}
    for path in image_files(Path(args.content)) if args.content else []:
        pictures[path.stem] = read_style_image(path, "content picture")

    lens = NeuralLens(pack, backend="onnxruntime", max_batch=1)
    rows, sheet, gatys_features = [], [], "not run"
    for name, picture in pictures.items():
        output = lens.apply(picture)
        row = {
            "picture": name,
            "unchanged": losses_of(loss, picture, picture),
            "lens": losses_of(loss, output, picture),
        }
        tiles = [picture, style, output]
        if args.gatys_steps:
            painted = stylize(picture, style, steps=args.gatys_steps, size=MEASURE_SIZE, progress=False)
            row["gatys"] = losses_of(loss, painted.image, picture)
            gatys_features = painted.vgg.describe()
            tiles.append(painted.image)
        rows.append(row)
        sheet.append(tiles)
    speed = frame_speed(lens, args.runs)
    lens.close()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sheet_path = out / f"style_{pack.name}_sheet.png"
    cv2.imwrite(str(sheet_path), contact_sheet(sheet))
    training = pack.provenance.get("training", {})
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
        },
        "yardstick": f"{pack.provenance['loss_features']}",
        "gatys_steps": args.gatys_steps,
        "gatys_features": gatys_features,
        "pictures": rows,
        "speed": speed,
        "sheet": sheet_path.name,
    }
    (out / f"style_{pack.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(out / f"style_{pack.name}.md", report)
    print(f"results: {out / f'style_{pack.name}.md'}; frame lens median {speed['median_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LensEngineError as error:
        print(f"benchmarks/style.py: error: {error}", file=sys.stderr)
        sys.exit(2)
