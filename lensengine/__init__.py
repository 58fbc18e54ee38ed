"""lensengine: a real-time video lens engine (webcam -> faces -> lenses -> virtual camera)."""

__version__ = "0.1.0"
