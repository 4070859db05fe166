"""`jobzone new`: a report with every section, table and statement line of the format, ready to fill.

The scaffold mirrors the shipped report's structure exactly, so the parser finds every
table and statement where it looks for them; its inputs and derived numbers are blank
(empty cells, or `…` in statement lines), so `jobzone check` lists what is missing,
each item at its line. Coefficients and zone bands restated in the lines come from the
methodology, never from here, so a site that overrides them gets its own values.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from builder import sections as S
from builder.methodology import METRICS, Methodology
from builder.numbers import format_number, round_half_up
from builder.score import jobzone_score, modifier, raw_score, task_resistance

BLANK = "…"  # where a number or word goes in a statement line; tables use empty cells
TASK_ROWS = 5

ROLE_FIELDS = ("Job Title", "Seniority Level", "Primary Function", "What This Role Is NOT", "Typical Experience")


@dataclass(frozen=True)
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def render(self) -> str:
        lines = [_row(self.header), "|" + "---|" * len(self.header)]
        lines += [_row(row) for row in self.rows]
        return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    # An empty cell is written "|  |", as in the shipped report; a pipe inside a cell is escaped.
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _blank_row(name: str, width: int) -> tuple[str, ...]:
    return (name,) + ("",) * (width - 1)


def _num(value: Decimal) -> str:
    return format_number(value)


def _bands(m: Methodology) -> str:
    """The zone reminder, e.g. "Green >=48, Yellow 25-47, Red <25", from the methodology's zones.

    A band's upper limit is the next zone's minimum less one step (1, or 0.1 for a decimal
    minimum), as the scorer computes it.
    """
    parts: list[str] = []
    upper: Decimal | None = None
    for zone in m.zones:
        if upper is None:
            parts.append(f"{zone.name} >={_num(zone.min)}")
        elif zone.min <= 0:
            parts.append(f"{zone.name} <{_num(upper)}")
        else:
            step = Decimal(1) if upper == upper.to_integral_value() else Decimal("0.1")
            parts.append(f"{zone.name} {_num(zone.min)}-{_num(upper - step)}")
        upper = zone.min
    return ", ".join(parts)


def _score_header(m: Methodology, key: str) -> str:
    """A score column's header with the methodology's range: "Score (0-3)", "Score (-2 to 2)"."""
    low, high = m.ranges[key]
    return f"Score ({_num(low)}-{_num(high)})" if low >= 0 else f"Score ({_num(low)} to {_num(high)})"


def _split_names(m: Methodology) -> list[str]:
    """Split names in the methodology's label order ("displacement", "augmentation", "not involved")."""
    return list(dict.fromkeys(m.labels.values()))


def _frontmatter(title: str, slug: str, seniority: str | None) -> str:
    import yaml

    meta: dict[str, object] = {"title": title, "slug": slug}
    if seniority:
        meta["seniority"] = seniority
    meta["aliases"] = []
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def _body(title: str, seniority: str | None, m: Methodology) -> list[str]:
    """Every block of the report in order; the caller joins them with blank lines."""
    c, places = m.coefficients, m.precision
    base = _num(c["modifier_base"])
    threshold = m.high_score_threshold
    # Derived numbers start as what the formula gives when every input is 0, so each stated line is
    # consistent: `jobzone check` names the empty inputs first, and once they are filled it shows
    # each derived number's computed value, and `jobzone fix` writes them all.
    zero = Decimal(0)
    weighted = format_number(zero, places["weighted"])
    trs_value = round_half_up(task_resistance(c["trs_base"], zero), places["trs"])
    modifier_value = round_half_up(modifier(c["modifier_base"], zero, c["evidence"]), places["modifier"])
    raw_value = round_half_up(raw_score(trs_value, modifier_value, modifier_value, modifier_value), places["raw"])
    score_value = round_half_up(jobzone_score(raw_value, c["raw_floor"], c["raw_span"], c["score_scale"]),
                                places["score"])
    trs, mod, raw, score = (format_number(v) for v in (trs_value, modifier_value, raw_value, score_value))
    zone = m.zone_of(score_value)
    start_rule = m.sublabel_of(zone, dict.fromkeys(METRICS, zero) | {"score": score_value, "trs": trs_value})
    start_label = f"{start_rule.label} -- {start_rule.rule}" if start_rule else f"{BLANK} -- {BLANK}"
    role_values = {"Job Title": title, "Seniority Level": seniority or ""}
    role = _Table(("Field", "Value"), tuple((name, role_values.get(name, "")) for name in ROLE_FIELDS))
    protective = _Table(("Principle", _score_header(m, "principle"), "Rationale"),
                        (*(_blank_row(p, 3) for p in m.rows["principles"]),
                         ("Protective Total", f"0/{m.protective_max}", ""),
                         _blank_row("AI Growth Correlation", 3)))
    tasks = _Table(("Task", "Time %", _score_header(m, "task_score"), "Weighted", "Aug/Disp", "Rationale"),
                   (*((f"Task {n}: {BLANK}", "", "", weighted, "", "") for n in range(1, TASK_ROWS + 1)),
                    ("Total", f"{m.task_time}%", "", weighted, "", "")))
    evidence = _Table(("Dimension", _score_header(m, "evidence"), "Evidence"),
                      (*(_blank_row(d, 3) for d in m.rows["evidence"]), ("Total", "0", "")))
    barriers = _Table(("Barrier", _score_header(m, "barrier"), "Rationale"),
                      (*(_blank_row(b, 3) for b in m.rows["barriers"]), ("Total", f"0/{m.barrier_max}", "")))
    composite = _Table(("Input", "Value"), (
        ("Task Resistance Score", f"{trs}/{_num(c['trs_max'])}"),
        ("Evidence Modifier", f"{base} + (0 × {_num(c['evidence'])}) = {mod}"),
        ("Barrier Modifier", f"{base} + (0 × {_num(c['barrier'])}) = {mod}"),
        ("Growth Modifier", f"{base} + (0 × {_num(c['growth'])}) = {mod}"),
    ))
    sublabel = _Table(("Metric", "Value"), (
        (f"% of task time scoring {threshold}+", "0%"),
        ("AI Growth Correlation", "0"),
        ("Sub-label", start_label),
    ))
    splits = ", ".join(f"0% {name}" for name in _split_names(m))
    return [
        f"## {S.ROLE_DEFINITION}",
        role.render(),
        f"Seniority note: {BLANK} How would a more junior or a more senior {title} score?",
        f"## {S.PROTECTIVE}",
        protective.render(),
        f"Quick screen result: Protective 0 + Correlation 0 = Likely {BLANK} Zone. Proceed to quantify.",
        f"## {S.TASKS}",
        tasks.render(),
        f"Task Resistance Score: {_num(c['trs_base'])} - {weighted} = {trs}/{_num(c['trs_max'])}",
        f"Displacement/Augmentation split: {splits}.",
        f"Reinstatement check (Acemoglu): {BLANK} Does AI create new tasks for this role?",
        f"## {S.EVIDENCE}",
        evidence.render(),
        f"## {S.BARRIERS}",
        "Reframed question: What prevents AI execution even when programmatically possible?",
        barriers.render(),
        f"## {S.GROWTH_CHECK}",
        f"Confirmed at 0. {BLANK} Why does AI adoption grow, shrink or not change demand for this role?",
        f"## {S.COMPOSITE}",
        composite.render(),
        f"Raw: {trs} × {mod} × {mod} × {mod} = {raw}",
        (f"JobZone Score: ({raw} - {_num(c['raw_floor'])}) / {_num(c['raw_span'])} × {_num(c['score_scale'])} "
         f"= {score}/{_num(c['score_scale'])}"),
        f"Zone: {zone.upper()} ({_bands(m)})",
        f"## {S.SUBLABEL}",
        sublabel.render(),
        "Assessor override: None -- formula score accepted.",
        f"## {S.COMMENTARY}",
        f"### {S.SUBSECTION_TITLES[0]}",
        f"{BLANK} Is the score honest? Compare it with the closest roles already assessed.",
        f"### {S.SUBSECTION_TITLES[1]}",
        f"- {BLANK}",
        f"### {S.SUBSECTION_TITLES[2]}",
        f"{BLANK} Who in this role is most exposed, and who is safer than the label suggests?",
        f"## {S.MEANING}",
        f"The role in 2028: {BLANK}",
        "Survival strategy:",
        f"- {BLANK}",
        (f"Where to look next. If you're considering a career shift, these {BLANK} roles share transferable "
         f"skills with {title}:"),
        f"- {BLANK}",
        f"Timeline: {BLANK}",
    ]


def clean_title(title: str) -> str:
    """One line, single spaces: a title is compared with the Job Title cell word by word."""
    return " ".join(title.split())


def new_report(title: str, seniority: str | None, methodology: Methodology) -> tuple[str, str]:
    """(slug, Markdown) of a fresh report; a ValueError when the title has nothing to make a slug of, or makes
    one too long for a file name."""
    from builder.importer import title_slug

    title = clean_title(title)
    seniority = clean_title(seniority) if seniority else None
    slug = title_slug(title)
    body = "\n\n".join(_body(title, seniority, methodology))
    return slug, f"{_frontmatter(title, slug, seniority)}\n{body}\n"


def cmd_new(args: argparse.Namespace) -> int:
    """Write `<out or content dir>/<slug>.md`, as `jobzone import` writes (never overwriting without --force,
    never outside that folder), so the two commands cannot differ in what they refuse."""
    from builder.importer import WriteRefused, write_report
    from builder.project import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, load_project, shown_path

    config, methodology = load_project(args.config)
    try:
        slug, markdown = new_report(args.title, args.seniority, methodology)
    except ValueError as exc:
        print(f"jobzone: error: cannot make a report name from the title: {exc}", file=sys.stderr)
        return EXIT_USAGE
    folder = Path(args.out) if args.out else config.content_path
    try:
        target, changed = write_report(folder, slug, markdown, args.force)
    except WriteRefused as exc:
        print(f"{shown_path(folder / f'{slug}.md')}: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    shown = shown_path(target)
    print(shown if changed else f"{shown}: unchanged")
    print(f"Fill the tables, then run `jobzone check {shown}`.")
    return EXIT_OK
