"""`python -m analysis import FILE …`: import an export from the command line."""

import sys

from analysis.cli import main

sys.exit(main())
