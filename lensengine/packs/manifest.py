"""The lens.toml manifest, schema version 1, defined once: reading, writing, validation, export and the field
table of docs/packs.md all come from the pydantic models below.

    schema = 1
    name, family, kind, description, outputs   top level (outputs optional: "rgb" or "rgba")
    [input]  crop_size, scale, color_order, normalisation
    [align]  template, margin
    [model]  arch, config (table: keyword arguments of lensengine.nets.build_network)
    [files.<key>]  path, sha256                 keys: onnx_fp32 (required), onnx_fp16, safetensors
    [provenance]   free-form tables (optional)

``LensSpec`` holds what a lens is (every field but the files), flat: each field says in ``InSection`` which
lens.toml table it is written in. ``Manifest`` is a LensSpec plus the hashed files, as lens.toml holds it.
Every field but ``provenance`` and ``outputs`` is required, and a field schema 1 does not know is an error (only
``config`` and ``provenance`` are free-form), so a typo cannot pass silently. Paths and hashes are checked against the
disk by ``lensengine.packs.load``. Every error is one PackError line naming the pack and the field.
"""

from __future__ import annotations

import datetime
import numbers
import re
import sys
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from lensengine.packs.pack_error import PackError

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

MANIFEST_NAME = "lens.toml"
SCHEMA_VERSION = 1
# The one family the engine treats apart: its packs are the super-resolution stage, the only packs that
# enlarge (lensengine.compose.superres). Other families are free identifiers chosen by the trainers.
SUPERRES_FAMILY = "superres"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
# The names of lensengine.nets.ARCHITECTURES, kept here so that a pack is checked without importing torch (a test
# keeps the two equal): an arch outside them is refused when the pack loads, not when the torch backend runs.
ARCHITECTURE_NAMES = ("unet", "resnet_generator", "johnson", "espcn", "fsrcnn", "srresnet", "edsr")
_INT64 = (-(2**63), 2**63 - 1)


class InSection:
    """Field metadata: the lens.toml table (``[input]``, ``[align]``, ``[model]``) a LensSpec field lives in."""

    def __init__(self, table: str) -> None:
        self.table = table


def _identifier(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(f"must be 1-64 letters, digits, '_', '.', '-', starting with a letter or digit; not {value!r}")
    return value


def _sha256(value: str) -> str:
    digest = value.lower()
    if not SHA256_PATTERN.fullmatch(digest):
        raise ValueError("must be 64 hex digits")
    return digest


def _plain_toml(value: Any, path: str = "") -> Any:
    """``value`` as plain TOML values (numpy numbers become int/float, tuples lists); ValueError names the key
    path of anything TOML cannot hold."""
    where = f" at {path!r}" if path else ""
    if isinstance(value, (bool, str, datetime.date, datetime.time)):
        return value
    if isinstance(value, numbers.Integral):
        if not _INT64[0] <= int(value) <= _INT64[1]:
            raise ValueError(f"holds {int(value)}{where}, beyond TOML's 64-bit integers")
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain_toml(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"has the key {key!r}{where}; TOML keys are strings")
        return {key: _plain_toml(item, f"{path}.{key}" if path else key) for key, item in value.items()}
    raise ValueError(
        f"holds a {type(value).__name__}{where}, which TOML cannot hold; use str, int, float, bool, list or table"
    )


Identifier = Annotated[str, AfterValidator(_identifier)]
TomlTable = Annotated[dict, AfterValidator(_plain_toml)]


class _Strict(BaseModel):
    """No type coercion (``crop_size = 256.0`` is not an integer, ``margin = true`` not a number), no unknown
    fields, and no changes after construction."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class LensSpec(_Strict):
    """What a lens pack says about its lens: everything in lens.toml except the files.

    Pixels: the net eats ``crop_size`` squares in ``color_order`` and gives ``crop_size * scale`` squares.
    ``normalisation`` "tanh" means x/127.5-1 in and (y+1)*127.5 out; "unit" means x/255 in and y*255 out.
    Constructing one with a bad field raises PackError (one line), not pydantic's ValidationError.
    """

    name: Identifier = Field(
        description="the lens's name: 1-64 letters, digits, `_`, `.`, `-`, starting with a letter or digit"
    )
    family: Identifier = Field(
        description=f"what made it (`pix2pix`, `cyclegan`, `style`, ...): any name of the same form; "
        f"`{SUPERRES_FAMILY}` packs are the super-resolution stage, not lenses"
    )
    kind: Literal["face", "frame"] = Field(
        description="`face`: batches of aligned face crops; `frame`: the whole frame"
    )
    description: str = Field(description="one line for `lensengine lenses` (may be empty)")
    outputs: Literal["rgb", "rgba"] = Field(
        default="rgb",
        description="what the net gives: `rgb` a new picture (packs without the field); `rgba` colour plus alpha "
        "in the same normalisation, shown as `input * (1 - alpha) + colour * alpha` (face packs only)",
    )
    crop_size: Annotated[int, InSection("input")] = Field(
        ge=16, le=2048, description="side of the square the net eats (for frame packs the working short side)"
    )
    scale: Annotated[int, InSection("input")] = Field(
        ge=1, le=8, description=f"output side = `crop_size * scale`; 1 except `{SUPERRES_FAMILY}` packs (2..8)"
    )
    color_order: Annotated[Literal["RGB", "BGR"], InSection("input")] = Field(
        description="the channel order the net was trained on"
    )
    normalisation: Annotated[Literal["tanh", "unit"], InSection("input")] = Field(
        description="`tanh`: x/127.5-1 in, (y+1)*127.5 out; `unit`: x/255 in, y*255 out"
    )
    template: Annotated[Literal["five_point", "none"], InSection("align")] = Field(
        description="the crop's alignment (`lensengine.face.align`); `none` only for frame packs"
    )
    margin: Annotated[float, InSection("align")] = Field(
        ge=0.0, le=2.0, description="margin of the aligned crop (`lensengine.face.align.template_points`)"
    )
    arch: Annotated[str, InSection("model")] = Field(
        min_length=1, description="`lensengine.nets` architecture (`unet`, `resnet_generator`, `johnson`, ...)"
    )
    config: Annotated[TomlTable, InSection("model")] = Field(
        description="keyword arguments: `build_network(arch, **config)` rebuilds the torch net"
    )
    provenance: TomlTable = Field(
        default_factory=dict, description="free-form: trainer, data, steps, quality, nested as deep as needed"
    )

    def __init__(self, **fields: Any) -> None:
        try:
            super().__init__(**fields)
        except ValidationError as error:
            raise PackError(fields.get("name", "?"), _problem(error, type(self))) from None

    def spec_fields(self) -> dict[str, Any]:
        """The LensSpec fields of this object by name (a Manifest or a LensPack has more)."""
        return {field: getattr(self, field) for field in LensSpec.model_fields}

    @model_validator(mode="after")
    def _fields_agree(self):
        if self.kind == "face" and self.template == "none":
            raise ValueError("field 'align.template' of a face pack must be 'five_point', not 'none'")
        if self.outputs == "rgba" and (self.kind != "face" or self.family == SUPERRES_FAMILY):
            raise ValueError(
                f"field 'outputs' may be 'rgba' only for a face pack, not a {self.kind} {self.family} pack"
            )
        if self.family == SUPERRES_FAMILY and self.scale < 2:
            raise ValueError(f"field 'input.scale' of a {SUPERRES_FAMILY} pack must be within 2..8, not {self.scale}")
        if self.family != SUPERRES_FAMILY and self.scale != 1:
            raise ValueError(
                f"field 'input.scale' must be 1 for a {self.family} pack (only {SUPERRES_FAMILY} packs enlarge)"
            )
        return self


class FileEntry(_Strict):
    """One ``[files.<key>]`` entry as written: a path relative to the pack folder and the expected sha256."""

    path: str = Field(description="file inside the pack folder, relative, `/`-separated")
    sha256: Annotated[str, AfterValidator(_sha256)] = Field(description="64 hex digits")


class PackFiles(_Strict):
    """The ``[files]`` table: the model files a pack may hold, by key."""

    onnx_fp32: FileEntry = Field(description="the FP32 ONNX model is required in every pack")
    onnx_fp16: FileEntry | None = Field(
        default=None,
        description="the FP16 ONNX model is made by export_pack(..., fp16=True) or convert_onnx_to_fp16",
    )
    safetensors: FileEntry | None = Field(
        default=None, description="the torch weights are made by export_pack from the torch network"
    )

    def entries(self) -> dict[str, FileEntry]:
        """Key -> entry of the files this pack has."""
        return {key: getattr(self, key) for key in type(self).model_fields if getattr(self, key) is not None}


# The file keys a pack may hold, and what to do when an optional one is missing.
FILE_KEYS = {key: info.description for key, info in PackFiles.model_fields.items()}


class Manifest(LensSpec):
    """A lens.toml whose fields passed every check that needs no disk."""

    files: PackFiles

    def to_document(self) -> dict:
        """The nested dict lens.toml holds: ``schema`` first, each field in its table, ``provenance`` last."""
        document: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for field, info in type(self).model_fields.items():
            table = _table_of(info)
            (document.setdefault(table, {}) if table else document)[field] = getattr(self, field)
        document["files"] = {key: entry.model_dump() for key, entry in self.files.entries().items()}
        document["provenance"] = document.pop("provenance")
        return document

    def to_toml(self) -> str:
        """The text of lens.toml."""
        return tomli_w.dumps(self.to_document())


def read_manifest(data: bytes, source: str) -> Manifest:
    """The checked Manifest in the lens.toml bytes ``data``; PackError names ``source`` and what is wrong."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PackError(source, f"{MANIFEST_NAME} is not valid TOML ({error}); fix it or export again") from None
    return parse_manifest(document, source)


def parse_manifest(document: dict, source: str) -> Manifest:
    """Check a parsed lens.toml; PackError names ``source`` (and the pack's name once known) and the field."""
    version = document.get("schema")
    if version is None:
        raise PackError(source, "lens.toml is missing field 'schema' (this lensengine reads schema 1)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PackError(source, f"field 'schema' in lens.toml must be {SCHEMA_VERSION}, not {version!r}")
    if version > SCHEMA_VERSION:
        raise PackError(source, f"lens.toml has schema {version}, this lensengine reads {SCHEMA_VERSION}: upgrade it")
    name = document.get("name")
    label = f"{name!r} at {source}" if isinstance(name, str) and NAME_PATTERN.fullmatch(name) else source
    flat = _flatten({key: value for key, value in document.items() if key != "schema"}, label)
    try:
        return Manifest.model_validate(flat)
    except PackError as error:  # LensSpec.__init__ turned pydantic's ValidationError into one line
        raise PackError(label, error.problem) from None


def _table_of(info) -> str:
    """The lens.toml table a field is written in ("" for the top level)."""
    return next((item.table for item in info.metadata if isinstance(item, InSection)), "")


def _tables() -> dict[str, list[str]]:
    """Table name -> the fields it holds, for the tables LensSpec's fields are grouped in."""
    tables: dict[str, list[str]] = {}
    for field, info in Manifest.model_fields.items():
        if table := _table_of(info):
            tables.setdefault(table, []).append(field)
    return tables


def _flatten(document: dict, label: str) -> dict:
    """The top level with the ``[input]``, ``[align]`` and ``[model]`` tables merged in, so each field of theirs
    sits beside the others as LensSpec has it; a key in the wrong table is an unknown field."""
    tables = _tables()
    top = [field for field, info in Manifest.model_fields.items() if not _table_of(info)]
    flat = {}
    for key, value in document.items():
        if key not in tables:
            if key not in top:
                raise PackError(label, _unknown(key, ["schema", *top[:4], *tables, *top[4:]]))
            flat[key] = value
            continue
        if not isinstance(value, dict):
            raise PackError(label, f"field {key!r} in lens.toml must be a table, not {_shown(value)}")
        for field, item in value.items():
            if field not in tables[key]:
                raise PackError(label, _unknown(f"{key}.{field}", tables[key]))
            flat[field] = item
    for table in tables:
        if table not in document:
            raise PackError(label, f"lens.toml is missing field {table!r}")
    return flat


def _unknown(dotted: str, known) -> str:
    return f"lens.toml has unknown field {dotted!r} (schema 1 knows {', '.join(known)}; check spelling)"


def _shown(value: object) -> str:
    text = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{type(value).__name__} {text}"


_TYPE_WORDS = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "dict_type": "a table",
    "model_type": "a table",
}


def _problem(error: ValidationError, model: type[BaseModel]) -> str:
    """pydantic's first error as one line: which lens.toml field is wrong and what it must be."""
    first = error.errors(include_url=False)[0]
    loc = [str(part) for part in first["loc"]]
    table = _table_of(model.model_fields[loc[0]]) if loc and loc[0] in model.model_fields else ""
    dotted = ".".join(([table] if table else []) + loc)
    kind, value, ctx = first["type"], first.get("input"), first.get("ctx", {})
    if not loc:  # a check across fields, which names its field itself
        return str(ctx.get("error", first["msg"]))
    if kind == "missing":
        return f"lens.toml is missing field {dotted!r}"
    if kind == "extra_forbidden":
        return _unknown(dotted, _siblings(model, first["loc"]))
    field = f"field {dotted!r} in lens.toml"
    if kind in _TYPE_WORDS:
        return f"{field} must be {_TYPE_WORDS[kind]}, not {_shown(value)}"
    if kind == "literal_error":
        return f"{field} must be {ctx['expected']}, not {value!r}"
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = _bounds(model.model_fields[loc[0]])
        return f"{field} must be within {low}..{high}, not {value}"
    if kind == "value_error":
        return f"{field} {ctx['error']}"
    return f"{field}: {first['msg']}, not {_shown(value)}"


def _siblings(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the (nested) model that holds the unknown key at ``loc``."""
    for part in loc[:-1]:
        annotation = model.model_fields[part].annotation
        candidates = (annotation, *getattr(annotation, "__args__", ()))
        model = next(kind for kind in candidates if isinstance(kind, type) and issubclass(kind, BaseModel))
    return list(model.model_fields)


def _bounds(info) -> tuple:
    """The (ge, le) bounds of a field, None where it has none."""
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def schema_reference() -> str:
    """The field table of docs/packs.md, made from the models above (a test keeps the page equal to it)."""
    rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
    rows.append(
        f"| `schema` | integer | yes | manifest version; this lensengine reads {SCHEMA_VERSION} and asks for an "
        "upgrade on a higher one |"
    )
    fields = [(".".join(filter(None, (_table_of(info), name))), info) for name, info in LensSpec.model_fields.items()]
    fields += [(f"files.<key>.{name}", info) for name, info in FileEntry.model_fields.items()]
    for dotted, info in fields:
        required = "yes" if info.is_required() else "no"
        rows.append(f"| `{dotted}` | {_type_words(info)} | {required} | {info.description} |")
    keys = ", ".join(
        f"`{key}`" + (" (required)" if info.is_required() else "") for key, info in PackFiles.model_fields.items()
    )
    return "\n".join(rows) + f"\n\nFile keys: {keys}.\n"


def _type_words(info) -> str:
    annotation = info.annotation
    if getattr(annotation, "__origin__", None) is Literal:
        return " or ".join(f"`{choice}`" for choice in annotation.__args__)
    word = {int: "integer", float: "number", str: "string", dict: "table"}[annotation]
    low, high = _bounds(info)
    return f"{word}, {low}..{high}" if low is not None else word
