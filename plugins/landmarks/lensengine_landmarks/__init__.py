"""The ``landmarks`` debug lens for lensengine: shows what the tracker and the aligner see on each crop."""
