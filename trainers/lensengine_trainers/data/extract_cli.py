"""``extract-faces`` (photos, a video or a camera) and ``capture`` (record your own face with a camera)."""

from __future__ import annotations

import argparse

import cv2

from lensengine.face.align import DEFAULT_MARGIN
from lensengine_trainers.data.face_crops import extract_faces
from lensengine_trainers.data.frame_sources import FrameStream, camera_frames, folder_frames, video_frames

PREVIEW_WINDOW = "lensengine-train capture (q stops)"


def camera_source(text: str) -> int | str:
    """A camera index ("0") as an int; anything else (a stream URL, a video file) as given."""
    return int(text) if text.isdigit() else text


def _add_crop_options(parser: argparse.ArgumentParser, every: int) -> None:
    parser.add_argument("--out", required=True, help="face folder to write (crops, landmarks, faces.json)")
    parser.add_argument("--size", type=int, default=256, help="crop side in pixels: the lens's crop size (256)")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN, help=f"aligner margin ({DEFAULT_MARGIN})")
    parser.add_argument("--max-faces", type=int, default=1, help="faces to take per image, largest first (1)")
    parser.add_argument("--every", type=int, default=every, help=f"video/camera: keep every N-th frame ({every})")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")


def add_parser(sub) -> None:
    extract = sub.add_parser(
        "extract-faces", help="cut aligned face crops + landmarks from photos, a video or a camera"
    )
    source = extract.add_mutually_exclusive_group(required=True)
    source.add_argument("--images", help="folder of photos (searched recursively)")
    source.add_argument("--video", help="video file")
    source.add_argument("--camera", type=camera_source, help="camera index (or a stream URL)")
    extract.add_argument("--max-crops", type=int, default=None, help="stop after this many crops")
    _add_crop_options(extract, every=1)
    extract.set_defaults(handler=run_extract)

    capture = sub.add_parser("capture", help="record your own face with a camera into a face folder")
    capture.add_argument("--camera", type=camera_source, default=0, help="camera index, stream URL or video file (0)")
    capture.add_argument("--count", type=int, default=300, help="crops to record (300)")
    capture.add_argument("--preview", action="store_true", help="show the camera picture while recording")
    _add_crop_options(capture, every=5)
    capture.set_defaults(handler=run_capture)


def _summarise(stream: FrameStream, args: argparse.Namespace, max_crops: int | None) -> int:
    summary = extract_faces(
        stream,
        args.out,
        size=args.size,
        margin=args.margin,
        max_faces=args.max_faces,
        max_crops=max_crops,
        progress=args.progress,
    )
    print(summary.line(args.out))
    return 0


def run_extract(args: argparse.Namespace) -> int:
    if args.images:
        stream = folder_frames(args.images)
    elif args.video:
        stream = video_frames(args.video, args.every)
    else:
        stream = camera_frames(args.camera, args.every)
    return _summarise(stream, args, args.max_crops)


def with_preview(stream: FrameStream) -> FrameStream:
    """The same frames, each shown in a window first; pressing q ends the stream."""

    def frames():
        try:
            for name, frame in stream.frames:
                cv2.imshow(PREVIEW_WINDOW, frame)
                if cv2.waitKey(1) & 0xFF == ord("q"):
                    return
                yield name, frame
        finally:
            stream.frames.close()
            cv2.destroyWindow(PREVIEW_WINDOW)

    return FrameStream(frames(), stream.total, stream.description)


def run_capture(args: argparse.Namespace) -> int:
    print(f"recording {args.count} face crops: look at the camera, turn your head slowly, change expressions")
    stream = camera_frames(args.camera, args.every)
    return _summarise(with_preview(stream) if args.preview else stream, args, args.count)
