"""lensengine-trainers: turn face photos or videos into training data, train image-to-image lenses
(pix2pix, distillation into slim real-time students) and export them as lensengine lens packs.

The command line is ``lensengine-train`` (also reachable as ``lensengine train``); see docs/training.md.
"""

__version__ = "0.1.0"
