"""`jobzone list` and `jobzone show`: the site's roles and one role's score, in the terminal (rich)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from builder.corpus import Entry
from builder.methodology import Methodology
from builder.numbers import format_number
from builder.project import EXIT_ERRORS, EXIT_OK, UsageError, load_project, open_cache, run_check, shown_path
from builder.reporting import format_text
from builder.steps import worked_steps

ZONE_STYLES = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}
SORTS = {
    "score": lambda e: (-(e.card.number("score") or Decimal(-1)), e.report.meta.title.casefold()),
    "title": lambda e: e.report.meta.title.casefold(),
    "zone": lambda e: (e.card.text("zone") or "", -(e.card.number("score") or Decimal(-1))),
    "sublabel": lambda e: (e.card.text("sublabel") or "", -(e.card.number("score") or Decimal(-1))),
    "slug": lambda e: e.report.meta.slug,
}


def console() -> Console:
    """The terminal; when output goes to a file or pipe, wide enough that rows are not wrapped."""
    terminal = Console()
    return terminal if terminal.is_terminal else Console(width=200, color_system=None)


def _zone(text: str | None) -> Text:
    """The zone as a word, coloured where the terminal allows: never colour alone."""
    return Text(text or "—", style=ZONE_STYLES.get((text or "").casefold(), ""))


def roles_table(entries: list[Entry], errors: dict[str, int], sort: str, reverse: bool) -> Table:
    table = Table(title=f"{len(entries)} role{'s' if len(entries) != 1 else ''}", title_justify="left")
    for name, justify in (("Role", "left"), ("Slug", "left"), ("Score", "right"), ("Zone", "left"),
                          ("Sub-label", "left"), ("Seniority", "left"), ("Errors", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for entry in sorted(entries, key=SORTS[sort], reverse=reverse):
        meta, card = entry.report.meta, entry.card
        score = card.number("score")
        count = errors.get(entry.report.path, 0)
        table.add_row(meta.title, meta.slug, format_number(score) if score is not None else "—",
                      _zone(card.text("zone")), card.text("sublabel") or "—", meta.seniority or "",
                      Text(str(count), style="bold red") if count else "")
    return table


def cmd_list(args: argparse.Namespace) -> int:
    config, methodology = load_project(args.config)
    result, _ = run_check(config, methodology, [], open_cache(config, methodology))
    errors: dict[str, int] = {}
    for diagnostic in result.diagnostics:
        if diagnostic.is_error:
            errors[diagnostic.location.path] = errors.get(diagnostic.location.path, 0) + 1
    out = console()
    out.print(roles_table(result.entries, errors, args.sort, args.reverse))
    unreadable = [c.path for c in result.checked if c.entry is None]
    if unreadable:
        out.print(f"Not listed (cannot be read; see `jobzone check`): {', '.join(unreadable)}")
    return EXIT_OK


def _find(entries: list[Entry], wanted: str) -> Entry | None:
    as_path = shown_path(Path(wanted)) if wanted.endswith(".md") else None
    for entry in entries:
        if entry.report.meta.slug == wanted or entry.report.path == as_path:
            return entry
    return None


def show_entry(out: Console, entry: Entry, m: Methodology) -> None:
    meta, card = entry.report.meta, entry.card
    score = card.number("score")
    headline = Text(f"{meta.title}  ")
    headline.append(f"{format_number(score) if score is not None else '—'}/100  ", style="bold")
    headline.append_text(_zone(card.text("zone")))
    headline.append(f"  {card.text('sublabel') or ''}")
    out.print(headline)
    out.print(f"{entry.report.path} · slug {meta.slug}" + (f" · {meta.seniority}" if meta.seniority else ""))
    steps = Table(title="The score, step by step", title_justify="left")
    steps.add_column("Step")
    steps.add_column("Computed as")
    steps.add_column("Result", justify="right")
    for step in worked_steps(entry, m):
        steps.add_row(step.label, step.formula, step.result)
    out.print(steps)
    if entry.report.citations:
        cited = Table(title="Roles it cites", title_justify="left")
        for name in ("Role", "Cited score", "Line"):
            cited.add_column(name)
        for citation in entry.report.citations:
            cited.add_row(citation.role, citation.score.text, str(citation.location.line))
        out.print(cited)


def cmd_show(args: argparse.Namespace) -> int:
    config, methodology = load_project(args.config)
    result, _ = run_check(config, methodology, [], open_cache(config, methodology))
    entry = _find(result.entries, args.slug)
    if entry is None:
        known = ", ".join(sorted(e.report.meta.slug for e in result.entries)[:10])
        raise UsageError(f"no report with slug or path {args.slug!r}" + (f"; known slugs include {known}" if known
                                                                          else ""))
    out = console()
    show_entry(out, entry, methodology)
    own = [d for d in result.diagnostics if d.location.path == entry.report.path]
    for diagnostic in own:
        out.print(Text(format_text(diagnostic), style="red" if diagnostic.is_error else "yellow"))
    return EXIT_ERRORS if any(d.is_error for d in own) else EXIT_OK
