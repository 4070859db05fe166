"""Checks across reports: unique titles and slugs, and cited scores against the cited report.

Runs after every report is parsed and scored, since a citation can only be checked
once the whole site is known (the two-phase build of MkDocs and Pelican).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from functools import cached_property

from builder.diagnostics import Diagnostic, error, warning
from builder.freshness import file_identity
from builder.methodology import Methodology
from builder.document import Document
from builder.model import Citation, Inputs, Report
from builder.numbers import agrees, exact, format_number
from builder.score import Scorecard, Value
from builder.statements import role_key
from builder.verify import same_label


@dataclass(frozen=True)
class Entry:
    """One parsed and scored report."""

    report: Report
    card: Scorecard

    @property
    def score(self):  # noqa: ANN201 - Decimal | None
        return self.card.number("score")

    def summary(self) -> Entry:
        """What other pages read of this report: its frontmatter, citations, mentions and links, and the
        numbers listings and downloads show. Small enough to keep for every report between builds; its
        own page still needs the whole entry."""
        r = self.report
        light = Report(r.path, r.meta, Document([], "", r.document.body_line), {}, Inputs(), [], [], r.citations, [],
                       r.mentions, None, [], r.links)
        card = Scorecard({key: Value(value.exact) for key, value in self.card.values.items() if key in SHARED_NUMBERS})
        return Entry(light, card)


# The numbers of a report that other pages show (listings, downloads, citation checks).
SHARED_NUMBERS = frozenset(("score", "zone", "sublabel", "trs", "modifier.evidence", "modifier.barrier",
                            "modifier.growth", "raw"))


def file_key(path: str) -> str:
    """A report's path as a link to it is matched: absolute, POSIX and normalised. Reports are named
    relative to the working directory, or in full outside it, so only absolute paths compare."""
    return posixpath.normpath(os.path.abspath(path).replace("\\", "/"))


@dataclass
class RoleIndex:
    """Every title and alias of the site, mapped to its report."""

    by_name: dict[str, Entry]
    by_slug: dict[str, Entry]

    @cached_property
    def by_file(self) -> dict[str, Entry]:
        """Reports by `file_key`, for links written as `other.md`."""
        return {file_key(e.report.path): e for e in self.by_slug.values()}

    @cached_property
    def by_identity(self) -> dict[tuple[int, int], Entry]:
        """Reports by the file they are (device and inode): a link written to another name of a
        report's file (a symbolic or hard link; the report is read under one name) still finds it.
        Looked at only when a link's name matches no report, so only then are files stat'ed."""
        found = {}
        for entry in self.by_slug.values():
            identity = file_identity(entry.report.path)
            if identity is not None:
                found[identity] = entry
        return found

    def find(self, role: str) -> Entry | None:
        """The report whose title or alias is the cited name (any case); no partial matches,
        so "Senior Data Scientist" is never taken for "Data Scientist"."""
        return self.by_name.get(role_key(role))


def build_index(entries: list[Entry]) -> tuple[RoleIndex, list[Diagnostic]]:
    """Index titles, aliases and slugs; a name claimed twice is an error on the later file."""
    problems: list[Diagnostic] = []
    by_name: dict[str, Entry] = {}
    by_slug: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.report.path):
        meta = entry.report.meta
        slug_owner = by_slug.setdefault(meta.slug, entry)
        if slug_owner is not entry:
            problems.append(error("JZ104", f"slug '{meta.slug}' is already used by {slug_owner.report.path}",
                                  meta.slug_location or meta.title_location))
        for kind, name in (("title", meta.title), *(("alias", alias) for alias in meta.aliases)):
            owner = by_name.setdefault(role_key(name), entry)
            if owner is not entry:
                problems.append(error("JZ104", f"{kind} {name!r} is already the title or an alias of "
                                      f"{owner.report.path} ({owner.report.meta.title!r})", meta.title_location))
    return RoleIndex(by_name, by_slug), problems


def _check_citation(citation: Citation, target: Entry, m: Methodology) -> list[Diagnostic]:
    problems = []
    score = target.score
    if score is None:
        return problems
    if not agrees(citation.score.value, score, citation.score.decimals):
        problems.append(error("JZ404", f"{citation.role} is cited at {citation.score.text}, but its report "
                              f"{target.report.path} scores {format_number(score)}", citation.score.location))
    sublabel = target.card.text("sublabel")
    if citation.sublabel is not None and sublabel is not None and not same_label(citation.sublabel.text, sublabel):
        problems.append(error("JZ407", f"{citation.role} is cited as {citation.sublabel.text}, but its report "
                              f"{target.report.path} is {sublabel}", citation.sublabel.location))
    return problems


@exact
def verify_corpus(entries: list[Entry], m: Methodology) -> tuple[RoleIndex, list[Diagnostic]]:
    index, problems = build_index(entries)
    for entry in entries:
        unassessed: set[str] = set()
        for citation in entry.report.citations:
            target = index.find(citation.role)
            if target is None:
                key = role_key(citation.role)
                if key not in unassessed:
                    unassessed.add(key)
                    problems.append(warning("JZ405", f"{citation.role} ({citation.score.text}) has no report of its "
                                            "own; its cited score cannot be checked", citation.location))
            else:
                problems.extend(_check_citation(citation, target, m))
    return index, problems
