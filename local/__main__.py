"""Entry point of `python -m local`."""

from __future__ import annotations

import sys

from local.cli import main

sys.exit(main())
