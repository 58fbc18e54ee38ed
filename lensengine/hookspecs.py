"""Every hook a lensengine plugin can implement. The docstrings are the plugin documentation.

A plugin is a module (or object) registered under the entry-point group ``lensengine``::

    [project.entry-points.lensengine]
    my_lens = "my_package.plugin"

and marks its hook functions with ``lensengine.hookimpl``.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("lensengine")
hookimpl = pluggy.HookimplMarker("lensengine")


@hookspec
def lensengine_lenses():
    """Return a list of :class:`lensengine.lens.LensSpec`: the lenses this plugin provides.

    Keep this cheap: build models in ``LensSpec.create``, which the engine calls only for the lens in use.
    Lens names must be unique across all plugins; a duplicate is reported and skipped.
    """


@hookspec
def lensengine_lens_packs():
    """Return a list of paths (folders or ``.zip`` files) of neural lens packs this plugin ships.

    Each pack holds a ``lens.toml`` manifest and its model files; the engine verifies every hash before use
    and offers the pack as a face or frame lens under the manifest's name.
    """
