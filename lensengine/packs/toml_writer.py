"""A small TOML writer for lens manifests: what it writes, ``tomllib`` reads back as the same dict.

Values may be str, bool, int (64-bit), float (nan and inf too), lists/tuples of values, and mappings. A
mapping becomes a ``[section]`` of its own, unless its key path is listed in ``inline_tables`` or it sits
inside a list or an inline table, where it is written inline (``{ a = 1 }``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from numbers import Integral, Real

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_INT64 = (-(2**63), 2**63 - 1)


def dumps_toml(document: Mapping, inline_tables: Collection[tuple[str, ...]] = ()) -> str:
    """The TOML text of ``document``; ``inline_tables`` holds key paths such as ``("model", "config")``.

    Raises TypeError (ValueError for an int beyond 64 bits) naming the key path of a value TOML cannot hold.
    """
    lines: list[str] = []
    _write_table(lines, (), document, {tuple(path) for path in inline_tables})
    return "\n".join(lines).lstrip("\n") + "\n"


def _write_table(lines: list[str], path: tuple[str, ...], table: Mapping, inline: set) -> None:
    body, sections = [], []
    for key, value in table.items():
        key_path = path + (_checked_key(key, path),)
        if isinstance(value, Mapping) and key_path not in inline:
            sections.append((key_path, value))
        else:
            body.append(f"{_key(key)} = {_value(value, key_path)}")
    # A table that holds only sub-tables is implied by their headers; an empty one needs its own header.
    if path and (body or not sections):
        lines += ["", f"[{'.'.join(_key(part) for part in path)}]"]
    lines += body
    for key_path, value in sections:
        _write_table(lines, key_path, value, inline)


def _checked_key(key: object, path: tuple[str, ...]) -> str:
    if not isinstance(key, str):
        raise TypeError(f"{_dotted(path) or 'top level'}: TOML keys must be strings, got {key!r}")
    return key


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: object, path: tuple[str, ...]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        number = int(value)
        if not _INT64[0] <= number <= _INT64[1]:
            raise ValueError(f"{_dotted(path)}: {number} does not fit TOML's 64-bit integers")
        return str(number)
    if isinstance(value, Real):
        return _float(float(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = [f"{_key(_checked_key(k, path))} = {_value(v, path + (k,))}" for k, v in value.items()]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item, path + (str(i),)) for i, item in enumerate(value)) + "]"
    raise TypeError(
        f"{_dotted(path)}: TOML cannot hold a {type(value).__name__}; use str, int, float, bool, list, table"
    )


def _float(number: float) -> str:
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return repr(number)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)
