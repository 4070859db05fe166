"""Role pages rendered in worker processes, one per core, for large builds.

I/O edge. Each worker is given, once, what every role page needs besides its own report
(the site's links, zones, dates, methodology); for each page it reads the report's
whole analysis from the cache (or analyses it again) and returns the rendered files. The
parent only ever holds summaries and bytes, so memory stays flat however many reports
there are. The pages are the same as rendering them in one process (tested).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from builder.cache import Cache
from builder.check import whole_entry
from builder.corpus import Entry
from builder.links import SiteLinks
from builder.methodology import Methodology
from builder.processes import die_with_parent
from builder.progress import progress
from builder.render import Pages, environment
from builder.site import FileData, RenderContext, role_page_files

if TYPE_CHECKING:  # imported when a pool is started: a rebuild of a few pages needs no processes
    from concurrent.futures import ProcessPoolExecutor

# Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 200


@dataclass(frozen=True)
class _Job:
    templates: Path
    compiled: Path | None
    context: RenderContext
    m: Methodology
    cache: Cache
    parent: int


_JOB: list[tuple[_Job, Pages]] = []


def _start(job: _Job) -> None:
    die_with_parent(job.parent)
    gc.freeze()  # what the parent built is never garbage here; collect only what this worker makes
    gc.enable()
    _JOB.append((job, job.context.pages(environment(job.templates, job.compiled))))


def _render(report: tuple[str, str | None]) -> dict[str, FileData]:
    job, pages = _JOB[0]
    context, (shown, digest) = job.context, report
    return role_page_files(pages, whole_entry(shown, job.m, job.cache, digest), context.links, job.m, context.dates)


@dataclass(frozen=True)
class RenderInWorkers:
    """A `site.RoleRenderer`: role pages from summaries, in worker processes when there are many."""

    templates: Path
    compiled: Path | None
    cache: Cache
    whole: Mapping[str, Entry] = field(default_factory=dict)  # entries at hand whole, by path: not read again
    digests: Mapping[str, str] = field(default_factory=dict)  # by path: of the bytes each summary was made from

    def __call__(self, entries: list[Entry], pages: Pages, links: SiteLinks, m: Methodology,
                 dates: Mapping[str, date]) -> Iterable[dict[str, FileData]]:
        workers = min(os.cpu_count() or 1, 8)
        shown = [entry.report.path for entry in entries]
        pool = None
        if len(entries) >= PARALLEL_FROM and workers > 1:
            job = _Job(self.templates, self.compiled, RenderContext(pages.site, pages.zones, links, dates), m, self.cache,
                       os.getpid())
            from concurrent.futures import ProcessPoolExecutor

            try:
                pool = ProcessPoolExecutor(max_workers=workers, initializer=_start, initargs=(job,))
            except (OSError, RuntimeError):
                pool = None  # no processes to be had here: render in this one
        if pool is None:
            rendered: Iterable[dict[str, FileData]] = (
                role_page_files(pages, self.whole.get(path) or whole_entry(path, m, self.cache, self.digests.get(path)),
                                links, m, dates)
                for path in shown)
        else:
            rendered = pool.map(_render, [(path, self.digests.get(path)) for path in shown], chunksize=8)
        return self._gathered(pool, rendered, len(shown))

    @staticmethod
    def _gathered(pool: ProcessPoolExecutor | None, rendered: Iterable[dict[str, FileData]],
                  total: int) -> Iterator[dict[str, FileData]]:
        """Pages in order as they are finished (each can be written and dropped before the last is
        done), with a progress bar on an interactive terminal."""
        with progress("Rendering", total) as advance:
            try:
                for files in rendered:
                    advance()
                    yield files
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
