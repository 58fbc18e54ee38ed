"""Putting a lens's output back: optional super-resolution of the crops (``superres``), then the inverse warp
through a feather mask into the face's region of the frame (``paste``)."""
