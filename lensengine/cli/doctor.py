"""``lensengine doctor``: what works on this machine and how to fix what does not."""

from __future__ import annotations

OK, BAD, SKIPPED = "ok ", "!! ", "-- "


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="check cameras, virtual camera, face model, plugins and backends")
    p.add_argument("--face-model", default=None, help="face_landmarker.task to check instead of the default lookup")
    p.set_defaults(handler=handle)


def _section(title: str) -> None:
    print(f"\n{title}")


def handle(args) -> int:
    from lensengine.face.model_file import face_model_status
    from lensengine.inference import backend_report
    from lensengine.lenses.catalogue import lens_catalogue
    from lensengine.lenses.plugins import PLUGINS_ENV, load_plugins
    from lensengine.sinks.virtual_camera import virtual_camera_status
    from lensengine.sources.camera import list_cameras

    problems = 0

    def line(ok: bool, text: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"  {OK if ok else BAD}{text}")

    _section("Cameras")
    cameras = [c for c in list_cameras() if c.get("ok")]
    for cam in cameras:
        line(True, f"camera {cam['index']}: {cam.get('size', '?')}")
    if not cameras:
        line(False, "no camera found; plug one in, or run with --input sample / a video file")
    _section("Virtual camera")
    ok, message = virtual_camera_status()
    line(ok, message)
    _section("Face model")
    ok, message = face_model_status(args.face_model)
    line(ok, message)
    _section("Plugins and lenses")
    registry = load_plugins()
    catalogue = lens_catalogue(registry)
    for name in registry.loaded:
        lenses = ", ".join(s.name for s in catalogue if s.plugin == name) or "no lenses"
        packs = sum(plugin == name for plugin, _ in registry.packs)
        line(True, f"plugin {name} ({registry.source(name)}): {lenses}" + (f"; ships {packs} pack(s)" if packs else ""))
    for clash in catalogue.clashes:
        line(False, clash.report())
    for name in registry.blocked:
        print(f"  {SKIPPED}plugin {name}: blocked (not in {PLUGINS_ENV})")
    for failure in registry.failed:
        line(False, f"plugin {failure.plugin}: {failure.error}")
    _section("Inference backends")
    for name, usable, reason in backend_report():
        line(usable, f"{name}: {reason}")
    print(f"\n{problems} problem(s) found" if problems else "\neverything works")
    return 0
