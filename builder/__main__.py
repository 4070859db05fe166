"""`python -m builder` and the `jobzone` command.

A build with nothing to do is answered here, from the record its last run left
(`builder.freshness`), before the command line parser and the pipeline are imported:
that is most of what such a build would otherwise cost. Everything else goes to
`builder.cli`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "build" in argv:
        from builder.freshness import answer

        try:
            message = answer(argv, os.getcwd())
        except Exception:  # noqa: BLE001 - any doubt about the record is a full build, never an error
            message = None
        if message is not None:
            try:
                sys.stdout.write(message)
                sys.stdout.flush()
            except BrokenPipeError:
                pass
            return 0
    from builder.cli import main as run_command

    return run_command(argv)


if __name__ == "__main__":
    sys.exit(main())
