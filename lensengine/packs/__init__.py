"""Lens packs: a manifest (lens.toml) beside model files, every file checked by sha256, nothing unpickled.

    load_pack(path) -> LensPack          a pack folder or a .zip of one (extracted safely into the cache)
    LensSpec(name=..., ...)              what lens.toml says about a lens (lensengine.packs.manifest)
    write_pack(out_dir, spec, files)     copy model files in, hash them, write lens.toml
    zip_pack(folder, zip_path) -> Path   zip a verified pack folder
    packs_in(folder) -> list[Path]       the packs (folders with lens.toml, zips) directly inside a folder

``lensengine_trainers.common.export_pack.export_pack`` makes a pack from a torch network (needs torch and onnxruntime);
``lensengine_trainers.common.fp16.convert_onnx_to_fp16`` makes the FP16 ONNX model TensorRT FP16 engines need.
See docs/packs.md for the format.
"""

from lensengine.packs.find import packs_in
from lensengine.packs.lens_pack import LensPack, PackFile
from lensengine.packs.load import load_pack
from lensengine.packs.manifest import LensSpec
from lensengine.packs.pack_error import PackError
from lensengine.packs.write import write_pack, zip_pack

__all__ = ["LensPack", "LensSpec", "PackError", "PackFile", "load_pack", "packs_in", "write_pack", "zip_pack"]
