"""``python -m lensengine_trainers`` is ``lensengine-train`` (so that ``torchrun -m lensengine_trainers ...`` works)."""

import sys

from lensengine_trainers.cli import main

if __name__ == "__main__":
    sys.exit(main())
