"""Every hook a lensengine plugin can implement. The docstrings are the plugin documentation.

A plugin is a module (or object) registered under the entry-point group ``lensengine``::

    [project.entry-points.lensengine]
    my_lens = "my_package.plugin"

and marks its hook functions with ``lensengine.hookspecs.hookimpl``. A marked function whose name matches
no hook here (a misspelt name) is an error: the plugin is reported by name and not loaded.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("lensengine")
hookimpl = pluggy.HookimplMarker("lensengine")


@hookspec
def lensengine_lenses():
    """Return a list of :class:`lensengine.lens.LensSpec`: the lenses this plugin provides.

    Each spec's ``create()`` returns an object that follows :class:`lensengine.lens.FaceLens` (``kind="face"``)
    or :class:`lensengine.lens.FrameLens` (``kind="frame"``), optionally with ``warmup()`` and ``close()``.

    Keep this cheap: build models in ``LensSpec.create``, which the engine calls only for the lens in use.
    Lens names must be unique across all plugins; a duplicate is reported and skipped (the plugin pluggy calls
    first keeps the name).
    """


@hookspec
def lensengine_lens_packs():
    """Return a list of paths (folders or ``.zip`` files) of neural lens packs this plugin ships.

    Each pack holds a ``lens.toml`` manifest and its model files; the engine verifies every hash before use
    and offers the pack as a face or frame lens under the manifest's name.
    """
