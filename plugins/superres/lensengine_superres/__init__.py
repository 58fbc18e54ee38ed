"""Super-resolution packs for lensengine's SR stage (lensengine/compose/superres.py).

The packs are offered through the ``lensengine_lens_packs`` hook like any lens pack; their family,
``superres``, tells the engine they enlarge a lens's output rather than being a lens themselves.
"""
