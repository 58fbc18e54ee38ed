"""What a source spec string names: a camera, a video file, an image file or the sample clip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lensengine.errors import LensEngineError

ACCEPTED_FORMS = (
    "a camera index (0), a camera device (/dev/video2), a video file, an image file, sample, or sample:1 to sample:3"
)
IMAGE_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".jpe",
        ".bmp",
        ".dib",
        ".tif",
        ".tiff",
        ".webp",
        ".ppm",
        ".pgm",
        ".pbm",
        ".pnm",
        ".pfm",
        ".hdr",
        ".pic",
        ".exr",
        ".jp2",
        ".sr",
        ".ras",
    }
)
_SAMPLE = re.compile(r"sample(?::(?P<faces>.*))?")

SourceKind = Literal["camera", "video", "image", "sample"]


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source spec.

    kind "camera": target is the index (int) or device path (str). kind "video" / "image": target is the
    file's path. kind "sample": target is None and faces is 1..3, or None for the changing cast.
    """

    kind: SourceKind
    target: int | str | None = None
    faces: int | None = None


def parse_source_spec(spec: str) -> SourceSpec:
    """Read a source spec (the CLI's ``--input``).

    ``sample`` and ``sample:N`` win over a file of that name; a number is a camera index; a path under /dev/
    is a camera device; anything else must be an existing file: an image when its suffix is an image
    format's, else a video.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise LensEngineError(f"no source given; give {ACCEPTED_FORMS}")
    spec = spec.strip()
    sample = _SAMPLE.fullmatch(spec)
    if sample:
        faces = sample.group("faces")
        if faces is None:
            return SourceSpec("sample")
        if faces not in ("1", "2", "3"):
            raise LensEngineError(
                f"{spec}: the sample clip has 1 to 3 faces; use sample, sample:1, sample:2 or sample:3"
            )
        return SourceSpec("sample", faces=int(faces))
    if spec.isascii() and spec.isdigit():
        return SourceSpec("camera", int(spec))
    if spec.startswith("/dev/"):
        return SourceSpec("camera", spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise LensEngineError(f"source {spec!r} is not a file that exists; give {ACCEPTED_FORMS}")
    if not path.is_file():
        raise LensEngineError(f"source {spec!r} is a folder, not a file; give {ACCEPTED_FORMS}")
    kind: SourceKind = "image" if path.suffix.lower() in IMAGE_SUFFIXES else "video"
    return SourceSpec(kind, str(path))
