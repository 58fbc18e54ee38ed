"""The lens.toml manifest, schema version 1: its fields, their checks, and the dict written to disk.

    schema = 1
    name, family, kind, description            top level
    [input]  crop_size, scale, color_order, normalisation
    [align]  template, margin
    [model]  arch, config (inline table: keyword arguments of lensengine.nets.build_network)
    [files.<key>]  path, sha256                 keys: onnx_fp32 (required), onnx_fp16, safetensors
    [provenance]   free-form tables (optional)

Every field but ``provenance`` is required, and a field schema 1 does not know is an error, so a typo cannot
pass silently. Paths and hashes are checked against the disk by ``lensengine.packs.load``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lensengine.packs.lens_pack import FILE_KEYS
from lensengine.packs.pack_error import PackError

MANIFEST_NAME = "lens.toml"
SCHEMA_VERSION = 1
FAMILIES = ("pix2pix", "cyclegan", "style", "superres")
KINDS = ("face", "frame")
COLOR_ORDERS = ("RGB", "BGR")
NORMALISATIONS = ("tanh", "unit")
TEMPLATES = ("five_point", "none")
CROP_SIZES = (16, 2048)
SUPERRES_SCALES = (2, 8)
MARGINS = (0.0, 2.0)
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")

# Field name -> expected type, per section. "float" accepts TOML integers too.
TOP_FIELDS = {
    "schema": int, "name": str, "family": str, "kind": str, "description": str,
    "input": dict, "align": dict, "model": dict, "files": dict, "provenance": dict,
}  # fmt: skip
OPTIONAL_TOP_FIELDS = ("provenance",)
INPUT_FIELDS = {"crop_size": int, "scale": int, "color_order": str, "normalisation": str}
ALIGN_FIELDS = {"template": str, "margin": float}
MODEL_FIELDS = {"arch": str, "config": dict}
FILE_FIELDS = {"path": str, "sha256": str}
_TYPE_WORDS = {int: "an integer", float: "a number", str: "a string", dict: "a table"}


@dataclass(frozen=True)
class FileEntry:
    """One ``[files.<key>]`` entry as written: a path relative to the pack folder and the expected sha256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """A manifest whose fields passed every check that needs no disk."""

    name: str
    family: str
    kind: str
    description: str
    crop_size: int
    scale: int
    color_order: str
    normalisation: str
    template: str
    margin: float
    arch: str
    config: dict
    files: dict[str, FileEntry]
    provenance: dict

    def to_document(self) -> dict:
        """The nested dict that lens.toml holds (``model.config`` is meant to be written inline)."""
        return {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "family": self.family,
            "kind": self.kind,
            "description": self.description,
            "input": {
                "crop_size": self.crop_size,
                "scale": self.scale,
                "color_order": self.color_order,
                "normalisation": self.normalisation,
            },
            "align": {"template": self.template, "margin": self.margin},
            "model": {"arch": self.arch, "config": self.config},
            "files": {key: {"path": e.path, "sha256": e.sha256} for key, e in self.files.items()},
            "provenance": self.provenance,
        }


def parse_manifest(document: dict, source: str) -> Manifest:
    """Check a parsed lens.toml; PackError names ``source`` (and the pack's name once known) and the field."""
    version = document.get("schema")
    if version is None:
        raise PackError(source, "lens.toml is missing field 'schema' (this lensengine reads schema 1)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PackError(source, f"field 'schema' in lens.toml must be {SCHEMA_VERSION}, not {version!r}")
    if version > SCHEMA_VERSION:
        raise PackError(
            source, f"lens.toml has schema {version}, this lensengine reads {SCHEMA_VERSION}: upgrade it"
        )
    top = _section(document, "", TOP_FIELDS, source, optional=OPTIONAL_TOP_FIELDS)
    name = top["name"]
    if not NAME_PATTERN.fullmatch(name):
        raise PackError(source, f"name {name!r} in lens.toml must be 1-64 letters, digits, '_', '.', '-'")
    label = f"{name!r} at {source}"
    family = _choice(top, "family", FAMILIES, label)
    kind = _choice(top, "kind", KINDS, label)

    inputs = _section(top["input"], "input", INPUT_FIELDS, label)
    crop_size = _within(inputs["crop_size"], "input.crop_size", CROP_SIZES, label)
    if family == "superres":
        scale = _within(inputs["scale"], "input.scale", SUPERRES_SCALES, label)
    elif inputs["scale"] != 1:
        raise PackError(label, f"field 'input.scale' must be 1 for a {family} pack (only superres upscales)")
    else:
        scale = 1

    align = _section(top["align"], "align", ALIGN_FIELDS, label)
    template = _choice(align, "template", TEMPLATES, label, prefix="align.")
    if kind == "face" and template == "none":
        raise PackError(label, "field 'align.template' of a face pack must be 'five_point', not 'none'")

    model = _section(top["model"], "model", MODEL_FIELDS, label)
    if not model["arch"]:
        raise PackError(label, "field 'model.arch' in lens.toml must name a network (lensengine.nets)")

    return Manifest(
        name=name,
        family=family,
        kind=kind,
        description=top["description"],
        crop_size=crop_size,
        scale=scale,
        color_order=_choice(inputs, "color_order", COLOR_ORDERS, label, prefix="input."),
        normalisation=_choice(inputs, "normalisation", NORMALISATIONS, label, prefix="input."),
        template=template,
        margin=_within(align["margin"], "align.margin", MARGINS, label),
        arch=model["arch"],
        config=model["config"],
        files=_file_entries(top["files"], label),
        provenance=top.get("provenance", {}),
    )


def _file_entries(files: dict, label: str) -> dict[str, FileEntry]:
    _reject_unknown(files, "files", FILE_KEYS, label)
    if "onnx_fp32" not in files:
        raise PackError(label, "lens.toml is missing field 'files.onnx_fp32' (the FP32 ONNX model)")
    entries = {}
    for key, raw in files.items():
        if not isinstance(raw, dict):
            raise PackError(label, f"field 'files.{key}' in lens.toml must be a table with path and sha256")
        entry = _section(raw, f"files.{key}", FILE_FIELDS, label)
        digest = entry["sha256"].lower()
        if not SHA256_PATTERN.fullmatch(digest):
            raise PackError(label, f"field 'files.{key}.sha256' in lens.toml must be 64 hex digits")
        entries[key] = FileEntry(entry["path"], digest)
    return entries


def _section(table: dict, where: str, fields: dict, label: str, optional: tuple[str, ...] = ()) -> dict:
    """The fields of one table, type-checked; unknown or missing fields are errors."""
    _reject_unknown(table, where, fields, label)
    prefix = f"{where}." if where else ""
    checked = {}
    for field, expected in fields.items():
        if field not in table:
            if field in optional:
                continue
            raise PackError(label, f"lens.toml is missing field '{prefix}{field}'")
        checked[field] = _typed(table[field], expected, prefix + field, label)
    return checked


def _reject_unknown(table: dict, where: str, known, label: str) -> None:
    for field in table:
        if field not in known:
            dotted = f"{where}.{field}" if where else field
            raise PackError(
                label,
                f"lens.toml has unknown field {dotted!r} (schema 1 knows {', '.join(known)}; check spelling)",
            )


def _typed(value: object, expected: type, dotted: str, label: str):
    ok = isinstance(value, expected) and not isinstance(value, bool)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise PackError(
            label,
            f"field {dotted!r} in lens.toml must be {_TYPE_WORDS[expected]}, "
            f"not {type(value).__name__} {shown}",
        )
    return value


def _choice(table: dict, field: str, choices: tuple[str, ...], label: str, prefix: str = "") -> str:
    value = table[field]
    if value not in choices:
        raise PackError(
            label, f"field '{prefix}{field}' in lens.toml must be one of {', '.join(choices)}; not {value!r}"
        )
    return value


def _within(value, dotted: str, bounds: tuple, label: str):
    low, high = bounds
    if not low <= value <= high:
        raise PackError(label, f"field {dotted!r} in lens.toml must be within {low}..{high}, not {value}")
    return value
