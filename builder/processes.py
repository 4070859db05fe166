"""Worker processes end when the build that started them does.

A build killed while its workers run (Ctrl-C twice, SIGKILL, an out-of-memory kill) must not
leave them behind: they would hold memory, and the files they inherited, for ever.
"""

from __future__ import annotations

import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Called first in each worker: the kernel sends it SIGTERM when `parent` ends (Linux; elsewhere
    the worker notices only when it next talks to its parent)."""
    if sys.platform == "linux":
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent was gone before the request took hold
        os._exit(1)
