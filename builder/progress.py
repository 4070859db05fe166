"""A progress bar for long runs: shown on an interactive terminal only, never in CI or in a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# About a second of work: fewer reports than this finish before a bar would be worth drawing.
SHOW_FROM = 100


def wanted(total: int) -> bool:
    return total >= SHOW_FROM and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    """Yields `advance()`; draws a transient rich bar on stderr when the run is long and interactive."""
    if not wanted(total):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
