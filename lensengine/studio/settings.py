"""What the page may ask for, checked before anything reaches the engine. Every check fails with a
``SettingError`` whose message is the one line the page shows."""

from __future__ import annotations

import re

MAX_FACES_LIMIT = 16
# inputs the page may switch to: a camera (index or /dev/videoN) or the built-in sample clip, never a file path
INPUT_PATTERN = re.compile(r"^(?:\d{1,2}|/dev/video\d{1,3}|sample(?::[1-9])?)$")
SIZE_PATTERN = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")
LENS_NAME = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
SETTING_NAMES = ("max_faces", "superres", "input", "output_size")


class SettingError(ValueError):
    """A value the page sent that the engine does not take; ``str()`` is the line shown on the page."""


def check_object(body: object) -> dict:
    if not isinstance(body, dict):
        raise SettingError("expected a JSON object")
    return body


def check_lens_name(value: object, known: list[str]) -> str:
    if not isinstance(value, str) or not LENS_NAME.match(value):
        raise SettingError("lens: give the name of an installed lens")
    if value not in known:
        raise SettingError(f"lens: {value!r} is not installed (known: {', '.join(known)})")
    return value


def check_enabled(value: object) -> bool:
    if not isinstance(value, bool):
        raise SettingError("enabled: give true or false")
    return value


def check_max_faces(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FACES_LIMIT:
        raise SettingError(f"max faces: give a whole number from 1 to {MAX_FACES_LIMIT}")
    return value


def check_superres(value: object, packs: list[str]) -> str:
    choices = ["auto", "none", *packs]
    if not isinstance(value, str) or value not in choices:
        raise SettingError(f"super-resolution: choose one of {', '.join(choices)}")
    return value


def check_input(value: object) -> str:
    if not isinstance(value, str) or not INPUT_PATTERN.match(value.strip()):
        raise SettingError("input: give a camera number (0), a device (/dev/video2), sample or sample:N")
    return value.strip()


def check_output_size(value: object) -> tuple[int, int]:
    match = SIZE_PATTERN.match(value) if isinstance(value, str) else None
    if match is None:
        raise SettingError("output size: give WIDTHxHEIGHT, e.g. 1280x720")
    width, height = int(match.group(1)), int(match.group(2))
    if not (16 <= width <= 7680 and 16 <= height <= 4320) or width % 2 or height % 2:
        raise SettingError("output size: width and height must be even, from 16x16 to 7680x4320")
    return width, height


def check_settings(body: object, superres_packs: list[str]) -> dict:
    """The settings in ``body`` (only those given), each checked; unknown names are refused."""
    body = check_object(body)
    unknown = sorted(set(body) - set(SETTING_NAMES))
    if unknown:
        raise SettingError(f"unknown setting {unknown[0]!r}; settings are {', '.join(SETTING_NAMES)}")
    checked: dict = {}
    if "max_faces" in body:
        checked["max_faces"] = check_max_faces(body["max_faces"])
    if "superres" in body:
        checked["superres"] = check_superres(body["superres"], superres_packs)
    if "input" in body:
        checked["input"] = check_input(body["input"])
    if "output_size" in body:
        checked["output_size"] = check_output_size(body["output_size"])
    return checked
