"""A cheap check that a file is a well-formed safetensors file, without torch or the safetensors library.

The format: an 8-byte little-endian header length N, N bytes of JSON (tensor name -> dtype, shape and
``data_offsets`` [begin, end) into the data that follows; ``__metadata__`` is free text), then the data. The
check reads the header only, so a pack is refused at load with one line, not by the torch backend later with
"SafetensorError: Error while deserializing header: header too large".
"""

from __future__ import annotations

import json
import math
from pathlib import Path

MAX_HEADER_BYTES = 100_000_000  # the safetensors library refuses larger headers
DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}


def safetensors_problem(path: str | Path) -> str | None:
    """What is wrong with the safetensors file at ``path``, in a few words; None when its header is sound."""
    size = Path(path).stat().st_size
    if size < 8:
        return f"it is {size} bytes long, too short to hold the 8-byte header length"
    with open(path, "rb") as file:
        length = int.from_bytes(file.read(8), "little")
        if length > min(size - 8, MAX_HEADER_BYTES):
            return f"its header length says {length} bytes but only {size - 8} follow"
        header = file.read(length)
    try:
        tensors = json.loads(header.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        return "its header is not JSON"
    if not isinstance(tensors, dict):
        return "its header is not a JSON object"
    data = size - 8 - length
    end_of_data = 0
    for name, entry in tensors.items():
        if name == "__metadata__":
            continue
        problem = _tensor_problem(entry, data)
        if problem:
            return f"tensor {name!r} {problem}"
        end_of_data = max(end_of_data, entry["data_offsets"][1])
    if end_of_data != data:
        return f"its tensors take {end_of_data} bytes but {data} follow the header"
    return None


def _tensor_problem(entry: object, data: int) -> str | None:
    if not isinstance(entry, dict):
        return "is not described by a JSON object"
    shape, offsets, dtype = entry.get("shape"), entry.get("data_offsets"), entry.get("dtype")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
        return f"has a bad shape {shape!r}"
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(n, int) for n in offsets)):
        return f"has bad data_offsets {offsets!r}"
    begin, end = offsets
    if not 0 <= begin <= end <= data:
        return f"lies at bytes {begin}..{end}, outside the {data} bytes of data"
    if dtype in DTYPE_BYTES and end - begin != math.prod(shape) * DTYPE_BYTES[dtype]:
        return f"takes {end - begin} bytes, not the {math.prod(shape) * DTYPE_BYTES[dtype]} its {dtype} shape needs"
    if not isinstance(dtype, str):
        return f"has a bad dtype {dtype!r}"
    return None
