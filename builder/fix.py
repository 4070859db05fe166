"""`jobzone fix`: rewrite every derived number a report states to its computed value, in place.

Like `ruff --fix`: the checker already knows, for every stated number and word, the value
it should have (the scorecard, the cited reports); the fixer writes that value over exactly
the stated characters, in the style they were written in (decimals, `%`, a leading `+`, the
zone word's case), and keeps every other byte of the file. Inputs (time shares, task,
principle, evidence and barrier scores, the growth correlation, Aug/Disp labels) are never
touched, nor are relation words ("identical to", "above", "below"): whatever the fix cannot
settle is left for the check that runs on the fixed text.

`fix_text` is pure; `cmd_fix` is the I/O edge (read, diff, atomic write, re-check).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from builder.diagnostics import Location
from builder.numbers import NUMBER_RE, Stated, StatedText, agrees, exact, format_number, round_half_up, to_decimal
from builder.statements import role_key
from builder.verify import code_of, disagrees, point_gap, same_label

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from builder.check import Checked
    from builder.corpus import Entry, RoleIndex
    from builder.methodology import Methodology
    from builder.model import Citation, Report

_BOM = "\ufeff"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what `source.decode` turns into "\n"
_MINUSES = "-\u2212\u2013"
# Right before a modifier's input: "1.0 - (" states the input negated.
_NEGATING_OP = re.compile(rf"[{_MINUSES}]\s*\(\s*$")


@dataclass(frozen=True)
class Edit:
    """One stated value rewritten: where, what was written, what is written now, and why."""

    location: Location
    old: str
    new: str
    rule: str  # the diagnostic code the edit clears (JZ301, JZ304, JZ404, ...)
    what: str = ""  # the statement it belongs to, for messages

    def __str__(self) -> str:
        return f"{self.location}: {self.old} -> {self.new} [{self.rule}]"


# -- writing a value the way the report wrote it ------------------------------------------------
def write_number(stated: Stated, value: Decimal, negated: bool = False) -> str:
    """`value` in the stated number's style: its decimals, its sign style, its unit after it.

    `negated` is for a modifier input written after a minus ("1.0 - (1 × 0.02)"): the text
    shows the value's opposite.
    """
    token = NUMBER_RE.match(stated.text)
    assert token is not None, stated.text
    sign, suffix = token.group()[0], stated.text[token.end():]
    shown = round_half_up(-value if negated else value, stated.decimals)
    digits = format_number(abs(shown))
    if shown < 0:
        prefix = sign if sign in _MINUSES else "-"
    else:
        prefix = "+" if sign == "+" and shown > 0 else ""
    return f"{prefix}{digits}{suffix}"


def write_word(old: str, word: str) -> str:
    """A zone word in the stated word's case style: YELLOW, yellow, or as the methodology names it."""
    if old.isupper():
        return word.upper()
    if old.islower():
        return word.lower()
    return word


# -- where a location is in the raw text ---------------------------------------------------------
class _Positions:
    """Character offsets of (line, col) locations in the file's text as it is on disk.

    Locations count lines and columns in the decoded text (BOM dropped, CRLF and CR as one
    line break); the raw text keeps both, so offsets are mapped back here.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        first = 1 if text.startswith(_BOM) else 0
        self.starts = [first, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def offset(self, location: Location) -> int | None:
        if not 1 <= location.line <= len(self.starts) or location.col < 1:
            return None
        return self.starts[location.line - 1] + location.col - 1

    def holds(self, location: Location, old: str) -> int | None:
        """The offset of `old` at `location`, or None when the text there is something else."""
        start = self.offset(location)
        if start is None or self.text[start:start + len(old)] != old or "\n" in old or "\r" in old:
            return None
        return start


# -- what should be written where ---------------------------------------------------------------
@dataclass(frozen=True)
class _Want:
    location: Location
    old: str
    new: str
    rule: str
    what: str


def _negated(stated: Stated, positions: _Positions) -> bool:
    """Whether the text shows the opposite of the stated value (a modifier input after a minus)."""
    written = to_decimal(NUMBER_RE.match(stated.text).group())  # type: ignore[union-attr]
    if stated.value != 0:
        return written != stated.value
    start = positions.offset(stated.location)
    if start is None:
        return False
    line_start = max(positions.text.rfind("\n", 0, start), positions.text.rfind("\r", 0, start)) + 1
    return _NEGATING_OP.search(positions.text, line_start, start) is not None


# Claims fix reports but never rewrites: a row's rationale restating its score ("Scored +1 not +2
# because ...") argues for that score; with another score in the row, the argument is the analyst's to
# rewrite, not a number to swap ("Scored +2 not +2").
UNFIXED = ("row.",)


def _claims(report: Report, entry: Entry, positions: _Positions) -> Iterable[_Want]:
    """Every claim whose stated value disagrees with the scorecard, by the verifier's tests."""
    card = entry.card
    for claim in report.claims:
        value = card.get(claim.key)
        if value is None or not disagrees(claim, value) or claim.key.startswith(UNFIXED):
            continue
        stated = claim.stated
        if isinstance(stated, Stated):
            new = write_number(stated, value.stated_value(stated.decimals), _negated(stated, positions))
        elif claim.key == "sublabel.rule":
            new = str(value.exact)
        else:
            new = write_word(stated.text, str(value.exact)) if claim.key == "zone" else str(value.exact)
        yield _Want(stated.location, stated.text, new, code_of(claim.key), claim.context)


def _cited(citation: Citation, index: RoleIndex | None) -> Entry | None:
    """The cited role's own report, when it has one with a score."""
    target = index.find(citation.role) if index is not None else None
    return target if target is not None and target.score is not None else None


def _sub_word(citation: Citation, positions: _Positions) -> tuple[Location, str] | None:
    """Where the sub-label word of "(68.2, Green Accelerated)" is written, and the word."""
    assert citation.sublabel is not None and citation.zone is not None
    inner = re.search(r"\((.+)\)\s*$", citation.sublabel.text)
    start = positions.offset(citation.zone.location)
    if inner is None or start is None:
        return None
    word = inner.group(1)
    found = re.compile(rf"(?:\s+Zone)?\s*\(?({re.escape(word)})").match(positions.text, start + len(citation.zone.text))
    if found is None:
        return None
    where = citation.zone.location
    return Location(where.path, where.line, where.col + found.start(1) - start), word


def _citations(report: Report, entry: Entry, index: RoleIndex | None, m: Methodology,
               positions: _Positions) -> Iterable[_Want]:
    """Cited scores, zones and sub-labels of roles that have a report, and point gaps."""
    fixed: dict[int, Decimal] = {}  # id(citation) -> the cited value once fixed
    zone_votes: dict[Location, tuple[StatedText, set[str]]] = {}
    for citation in report.citations:
        target = _cited(citation, index)
        cited = citation.score
        value = cited.value
        if target is not None and not agrees(cited.value, target.score, cited.decimals):
            yield _Want(cited.location, cited.text, write_number(cited, target.score), "JZ404",
                        f"cited score of {citation.role}")
            value = round_half_up(target.score, cited.decimals)
        fixed[id(citation)] = value
        if citation.zone is not None:
            # A zone word may be shared by a list of citations ("these Green Zone roles"): it is
            # rewritten only when every citation sharing it wants the same word. A role without a
            # report keeps its word: whether its score or its zone is wrong is not known.
            wanted = m.zone_of(value) if target is not None else citation.zone.text
            _, votes = zone_votes.setdefault(citation.zone.location, (citation.zone, set()))
            votes.add(wanted.casefold())
        if citation.sublabel is not None and target is not None:
            label = target.card.text("sublabel")
            if label is not None and not same_label(citation.sublabel.text, label):
                sub = _sub_word(citation, positions)
                inner = re.search(r"\((.+)\)\s*$", label)
                if sub is not None and inner is not None:
                    where, word = sub
                    yield _Want(where, word, write_word(word, inner.group(1)), "JZ407",
                                f"cited sub-label of {citation.role}")
    for stated, votes in zone_votes.values():
        if len(votes) == 1:
            (wanted,) = votes
            zone = m.zone_named(wanted)
            if zone is not None and not same_label(stated.text, zone.name):
                yield _Want(stated.location, stated.text, write_word(stated.text, zone.name), "JZ403", "cited zone")
    own = entry.card.number("score")
    if own is None:
        return
    values_by_role: dict[str, set[Decimal]] = {}
    for citation in report.citations:
        values_by_role.setdefault(role_key(citation.role), set()).add(fixed[id(citation)])
    for gap in report.gaps:
        # A gap follows its peer's cited score only when that score is settled: a role cited at
        # different scores (JZ406) leaves open which one the gap was measured to.
        if gap.peer is None or len(values_by_role.get(role_key(gap.peer.role), ())) != 1:
            continue
        difference = point_gap(own, fixed.get(id(gap.peer), gap.peer.score.value))
        if not agrees(gap.stated.value, difference, gap.stated.decimals):
            yield _Want(gap.stated.location, gap.stated.text, write_number(gap.stated, difference), "JZ402",
                        f"gap to {gap.peer.role}")


def _input_locations(report: Report) -> set[Location]:
    """Where the inputs are written: never rewritten, whatever a claim says."""
    inputs = report.inputs
    found = {row.score.location for rows in (inputs.principles, inputs.evidence, inputs.barriers)
             for row in rows if row.score is not None}
    for task in inputs.tasks:
        found.update(item.location for item in (task.time, task.score, task.label) if item is not None)
    if inputs.growth is not None:
        found.add(inputs.growth.location)
    return found


def plan_edits(text: str, checked: Checked, index: RoleIndex | None, m: Methodology) -> list[Edit]:
    """The edits that make every derived value of one report agree with its computed value.

    An edit is planned only where the stated text is found at its location; two different
    rewrites of one place, or overlapping ones, cancel each other (the check reports the place).
    """
    entry = checked.entry
    if entry is None:
        return []
    report = entry.report
    positions = _Positions(text)
    protected = _input_locations(report)
    by_start: dict[int, list[_Want]] = {}
    for want in [*_claims(report, entry, positions), *_citations(report, entry, index, m, positions)]:
        start = positions.holds(want.location, want.old)
        if start is None or want.location in protected or want.old == want.new:
            continue
        by_start.setdefault(start, []).append(want)
    spans = [(start, start + max(len(w.old) for w in wants), wants) for start, wants in sorted(by_start.items())]
    edits: list[Edit] = []
    reach = -1  # the furthest end of the spans before this one
    for number, (start, end, wants) in enumerate(spans):
        clashes = reach > start or (number + 1 < len(spans) and spans[number + 1][0] < end)
        reach = max(reach, end)
        if clashes or len({(w.old, w.new) for w in wants}) != 1:
            continue
        want = wants[0]
        edits.append(Edit(want.location, want.old, want.new, want.rule, want.what))
    return edits


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with each edit's old characters replaced by its new ones; nothing else changes."""
    positions = _Positions(text)
    parts, last = [], 0
    for edit in sorted(edits, key=lambda e: positions.offset(e.location) or 0):
        start = positions.holds(edit.location, edit.old)
        assert start is not None and start >= last, edit
        parts += [text[last:start], edit.new]
        last = start + len(edit.old)
    parts.append(text[last:])
    return "".join(parts)


@exact
def fix_text(text: str, checked: Checked, index: RoleIndex | None, m: Methodology) -> tuple[str, list[Edit]]:
    """One report's text (as on disk, BOM and line endings included) with every derived value fixed.

    `checked` is the analysis of this very text and `index` the site's reports, so cited scores
    of other roles can be fixed too. Idempotent: a fixed text has no edits.
    """
    edits = plan_edits(text, checked, index, m)
    return (apply_edits(text, edits) if edits else text), edits


# An edit can make another statement read differently ("the Yellow band (25-47)" becomes "the Green
# band (25-47)", whose limits are then Green's): fix again until nothing is left, a few times at most.
MAX_PASSES = 4


def fix_settled(text: str, checked: Checked, index: RoleIndex | None, m: Methodology,
                analyse: Callable[[str], Checked]) -> tuple[str, list[Edit], Checked]:
    """`fix_text` repeated on its own result (`analyse` reads a text as the check does) until it plans
    no edit: the fixed text, every edit made and the analysis of the fixed text."""
    made: list[Edit] = []
    for _ in range(MAX_PASSES):
        fixed, edits = fix_text(text, checked, index, m)
        if not edits:
            break
        made += edits
        text, checked = fixed, analyse(fixed)
        if checked.entry is None:
            break
    return text, made, checked


# -- the command ---------------------------------------------------------------------------------
def unified_diff(old: str, new: str, shown: str) -> str:
    """A `git diff`-style patch of one file (`a/path`, `b/path`)."""
    import difflib

    name = shown.replace("\\", "/")
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}"):
        out.append(line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file's bytes in one step (temp file in the same folder, then `os.replace`), keeping its mode,
    so an editor or `jobzone serve` never sees half a report."""
    import os
    import stat
    import tempfile

    target = path.resolve()  # through a symlink to the file it points at
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _structural(checked: Checked) -> set[tuple[str, int]]:
    """Reading and structure problems (JZ0xx, JZ1xx), by code and line: a fix must never add one."""
    return {(d.code, d.location.line) for d in checked.diagnostics if d.code < "JZ2"}


def cmd_fix(args: argparse.Namespace) -> int:
    """Fix the named reports (default: the whole site), print a diff of each, then what is left."""
    from pathlib import Path

    from builder.check import Checked, analyse_bytes, cross_check, read_bytes
    from builder.project import (EXIT_ERRORS, EXIT_OK, load_project, open_cache, print_diagnostics, run_check,
                                 with_missing_files)

    config, m = load_project(args.config)
    cache = open_cache(config, m)
    result, wanted = run_check(config, m, args.paths, cache)
    chosen = set(wanted)
    dry_run = bool(getattr(args, "dry_run", False))
    after: list[Checked] = []
    numbers = reports = 0
    failures = []
    for checked in result.checked:
        if checked.path not in chosen or checked.entry is None:
            after.append(checked)  # not asked for, or does not parse: never written
            continue
        path = Path(checked.path)
        data, problem = read_bytes(path, checked.path)
        if data is None:
            after.append(Checked(checked.path, None, [problem] if problem is not None else []))
            continue
        checked = analyse_bytes(data, checked.path, m, cache)  # this very text (a cache hit unless it just changed)
        if checked.entry is None:
            after.append(checked)
            continue
        text = data.decode("utf-8")
        fixed, edits, post = fix_settled(text, checked, result.index, m,
                                         lambda t, shown=checked.path: analyse_bytes(t.encode("utf-8"), shown, m, cache))
        if not edits:
            after.append(checked)
            continue
        new_data = fixed.encode("utf-8")
        if post.entry is None or not _structural(post) <= _structural(checked):
            failures.append(f"{checked.path}: error: jobzone fix would break this report's structure; not written "
                            "(please report it)")
            after.append(checked)
            continue
        print(unified_diff(text, fixed, checked.path), end="")
        if not dry_run:
            try:
                write_atomically(path, new_data)
            except OSError as exc:
                failures.append(f"{checked.path}: error: cannot write the fixed report: {exc.strerror or exc}")
                after.append(checked)
                continue
        numbers += len(edits)
        reports += 1
        after.append(post)

    # What is left after the fix, from the fixed texts: the same checks `jobzone check` runs.
    own_paths = {c.path for c in result.checked}
    post_check = with_missing_files(cross_check(after, m), config)
    elsewhere = [d for d in result.diagnostics if d.location.path not in own_paths]  # e.g. unreadable folders
    remaining = [d for d in [*post_check.diagnostics, *elsewhere]
                 if d.is_error and (not args.paths or d.location.path in chosen)]
    remaining = sorted(dict.fromkeys(remaining), key=lambda d: d.sort_key())

    if numbers:
        verb = "Would fix" if dry_run else "Fixed"
        note = " (dry run: nothing written)" if dry_run else ""
        print(f"{verb} {_plural(numbers, 'number')} in {_plural(reports, 'report')}{note}.")
    else:
        print("Nothing to fix.")
    for line in failures:
        print(line)
    if remaining:
        print(f"Could not fix {_plural(len(remaining), 'error')}:")
        print_diagnostics(remaining, "text", len(wanted))
    return EXIT_ERRORS if remaining or failures else EXIT_OK
