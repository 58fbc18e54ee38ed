"""Faces in a frame: MediaPipe landmarks (``tracker``), stable ids (``ids``), One-Euro smoothing (``smoothing``),
the face model file (``model_file``) and the similarity warp to a lens's square crop (``align``)."""
