"""``lensengine build --lens NAME``: build the TensorRT engine of a neural lens ahead of time."""

from __future__ import annotations

from lensengine.errors import LensEngineError


def add_parser(sub) -> None:
    p = sub.add_parser("build", help="build a neural lens's TensorRT engine ahead of time (progress shown)")
    p.add_argument("--lens", required=True, help="neural lens name or pack path")
    p.add_argument("--max-faces", type=int, default=4, help="largest batch the engine serves (default 4)")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from lensengine.inference.tensorrt_backend import build_engine_ahead
    from lensengine.lenses.catalogue import lens_catalogue, resolve_lens
    from lensengine.lenses.plugins import load_plugins

    spec, _ = resolve_lens(args.lens, lens_catalogue(load_plugins()))
    if spec.pack is None:
        raise LensEngineError(f"lens {spec.name!r} is not a neural lens; only lens packs have engines to build")
    path = build_engine_ahead(spec.pack, max_batch=args.max_faces, progress=True)
    print(f"lensengine: engine for {spec.name} cached at {path}")
    return 0
