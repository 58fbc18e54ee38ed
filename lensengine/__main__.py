import sys

from lensengine.cli import main

sys.exit(main())
