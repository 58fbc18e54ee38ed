"""Lenses as the engine holds them: plugins found through pluggy (``plugins``), the catalogue of every lens and
pack (``catalogue``), neural lenses on lens packs (``neural``), a lens run under guard in a worker thread
(``guard``) and switching lenses in the background while frames keep flowing (``switcher``)."""
