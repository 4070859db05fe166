"""Allow `python -m builder` as well as the `jobzone` command."""

from __future__ import annotations

import sys

from builder.cli import main

sys.exit(main())
