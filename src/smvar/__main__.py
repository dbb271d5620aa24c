"""``python -m smvar ...``: the same command line as ``smvar ...``."""

import sys

from smvar.cli import main

sys.exit(main())
