"""Document -> Report: find each section's table and statements and read their numbers.

Pure: takes the split source, validated frontmatter and the methodology; returns a
`Report` whose `diagnostics` list every structural problem (missing section, ragged
row, non-numeric cell), each with file, line and column. Values that cannot be read
are left as None so the scorer skips what depends on them instead of guessing.
"""

from __future__ import annotations

import re
from decimal import Decimal

from builder import sections as S
from builder.document import Cell, Table, TextBlock, normalise_title, parse_document
from builder.methodology import Methodology
from builder.model import Chain, Claim, Inputs, Meta, Report, ScoredRow, TaskRow
from builder.numbers import Stated, StatedText
from builder.prose import read_prose
from builder.reader import Reader, Shifted
from builder.refs import link_refs
from builder.source import SourceText


def _is_row(cell: Cell | None, *names: str) -> bool:
    return cell is not None and normalise_title(cell.text) in names


def _role_definition(r: Reader, meta: Meta) -> None:
    found = r.table(r.section(S.ROLE_DEFINITION), "role", {"field": ("Field",), "value": ("Value",)})
    if found is None:
        return
    table, cols = found
    for row in table.rows:
        if _is_row(r.cell(row, cols["field"]), "job title"):
            value = r.cell(row, cols["value"])
            if value is not None and " ".join(value.text.split()) != " ".join(meta.title.split()):
                r.fail("JZ105", f"Role Definition's Job Title {value.text!r} differs from the frontmatter title "
                       f"{meta.title!r}", value.line, value.col)
            return
    r.fail("JZ112", "Role Definition table has no 'Job Title' row", table.line)


def _header_range(r: Reader, table: Table, column: int, range_name: str) -> None:
    """A score column's header may state its range ("Score (0-3)"): the methodology's."""
    cell = table.header[column]
    match = r.p.header_range.search(cell.text)
    if match:
        r.claim_range(f"range.{range_name}", TextBlock.of_cell(cell), match, f"range in header {cell.text!r}")


def _restated_score(r: Reader, row: tuple[Cell, ...], own: tuple[int, ...], key: str, what: str) -> None:
    """A row's rationale may restate its score ("Scored +1 not +2 because ..."): it must be the row's."""
    for index, cell in enumerate(row):
        if index not in own and "Scored" in cell.text:
            for match in r.p.scored_row.finditer(cell.text):
                r.claim(key, r.stated_in(TextBlock.of_cell(cell), match, "value"), f"{what} restated in its row")


def _scored_rows(r: Reader, table: Table, cols: dict[str, int], what: str, skip: tuple[str, ...]) -> list[ScoredRow]:
    """The named, scored rows of a principle, evidence or barrier table (`what`: its range's name)."""
    _header_range(r, table, cols["score"], what)
    rows: list[ScoredRow] = []
    for row in table.rows:
        name = r.cell(row, cols["name"])
        if name is None or _is_row(name, *skip):
            continue
        score = r.cell_number(r.cell(row, cols["score"]), f"{what} score of '{name.text}'", "a whole number such as 2 or -1")
        _restated_score(r, row, (cols["name"], cols["score"]), f"row.{what}.{len(rows)}",
                        f"{what} score of '{name.text}'")
        rows.append(ScoredRow(name.text, score, r.loc(name.line, name.col)))
    return rows


def _total_row(r: Reader, table: Table, cols: dict[str, int], names: tuple[str, ...], what: str) -> tuple[Cell, ...] | None:
    found = [row for row in table.rows if _is_row(r.cell(row, cols["name"]), *names)]
    if not found:
        r.fail("JZ112", f"{what} table has no '{names[0].title()}' row", table.line)
        return None
    for again in found[1:]:  # only the first is checked: a second would be published unchecked
        r.fail("JZ116", f"{what} table has a second '{names[0].title()}' row (first on line {found[0][0].line}); "
               "keep one", again[0].line, again[0].col)
    return found[0]


def _protective(r: Reader) -> tuple[list[ScoredRow], Stated | None]:
    section = r.section(S.PROTECTIVE)
    found = r.table(section, "protective", {"name": ("Principle",), "score": ("Score",)})
    growth: Stated | None = None
    principles: list[ScoredRow] = []
    if found:
        table, cols = found
        principles = _scored_rows(r, table, cols, "principle", ("protective total", "ai growth correlation"))
        total = _total_row(r, table, cols, ("protective total",), "Protective Principles")
        if total:
            r.cell_fraction(r.cell(total, cols["score"]), "Protective Total", "protective.total", "protective.max", "a total such as 2/9")
        growth_row = next((row for row in table.rows if _is_row(r.cell(row, cols["name"]), "ai growth correlation")), None)
        if growth_row is None:
            r.fail("JZ112", "Protective Principles table has no 'AI Growth Correlation' row", table.line)
        else:
            growth = r.cell_number(r.cell(growth_row, cols["score"]), "AI Growth Correlation", "a whole number from -2 to 2")
    quick = r.statement(section, r.p.quick_screen, "Quick screen result: Protective N + Correlation N = …")
    if quick:
        block, match = quick
        r.claim("protective.total", r.stated_in(block, match, "protective"), "quick screen")
        r.claim("growth", r.stated_in(block, match, "growth"), "quick screen")
    return principles, growth


def _tasks(r: Reader) -> list[TaskRow]:
    section = r.section(S.TASKS)
    columns = {"name": ("Task",), "time": ("Time",), "score": ("Score",), "weighted": ("Weighted",), "label": ("Aug/Disp", "Aug")}
    found = r.table(section, "tasks", columns)
    tasks: list[TaskRow] = []
    if found:
        table, cols = found
        _header_range(r, table, cols["score"], "task_score")
        for row in table.rows:
            name = r.cell(row, cols["name"])
            if name is None or _is_row(name, "total"):
                continue
            what = f"task '{name.text}'"
            index = len(tasks)
            _restated_score(r, row, tuple(cols.values()), f"row.task.{index}", f"Score of {what}")
            time = r.cell_number(r.cell(row, cols["time"]), f"Time % of {what}", "a share such as 15%")
            score = r.cell_number(r.cell(row, cols["score"]), f"Score of {what}", "a whole number from 1 to 5")
            weighted = r.cell_number(r.cell(row, cols["weighted"]), f"Weighted of {what}", "a number such as 0.30")
            if weighted is not None:
                r.claim(f"task.{index}.weighted", weighted, f"Weighted of {what}")
            label_cell = r.cell(row, cols["label"])
            label = StatedText(label_cell.text, r.loc(label_cell.line, label_cell.col)) if label_cell else None
            tasks.append(TaskRow(name.text, time, score, weighted, label, r.loc(name.line, name.col)))
        total = _total_row(r, table, cols, ("total",), "Task Decomposition")
        if total:
            time_total = r.cell_number(r.cell(total, cols["time"]), "Total Time %", "100%")
            weighted_total = r.cell_number(r.cell(total, cols["weighted"]), "Total Weighted", "the sum of the Weighted column")
            if time_total is not None:
                r.claim("task.total.time", time_total, "Total Time %")
            if weighted_total is not None:
                r.claim("task.total.weighted", weighted_total, "Total Weighted")
    trs = r.statement(section, r.p.trs, "Task Resistance Score: 6.00 - TOTAL = TRS/5.0")
    if trs:
        block, match = trs
        base, total, result = (r.stated_in(block, match, g) for g in ("base", "total", "result"))
        r.claim("coef.trs_base", base, "Task Resistance Score")
        r.claim("task.total.weighted", total, "Task Resistance Score")
        r.claim("trs", result, "Task Resistance Score")
        r.chains.append(Chain("trs", (base, total), result))
        if match.group("max"):
            r.claim("coef.trs_max", r.stated_in(block, match, "max"), "Task Resistance Score")
    split = r.statement(section, r.p.split_line, "Displacement/Augmentation split: N% displacement, N% augmentation, N% not involved")
    if split:
        block, match = split
        wanted = {name.casefold(): name for name in r.methodology.labels.values()}
        seen = set()
        for part in r.p.split_part.finditer(block.text, match.end()):
            label = " ".join(part.group("label").casefold().split())
            if label in wanted:
                seen.add(label)
                r.claim(f"split.{wanted[label]}", r.stated_in(block, part, "value"), "Displacement/Augmentation split")
        for missing in sorted(set(wanted) - seen):
            r.fail("JZ115", f"Displacement/Augmentation split does not state the '{missing}' share", block.line)
    return tasks


def _summed(r: Reader, title: str, key: str, name_column: str, what: str, max_key: str | None = None) -> list[ScoredRow]:
    """A table of scored rows with a Total row (evidence, barriers); the total may be "1/10"."""
    found = r.table(r.section(title), key, {"name": (name_column,), "score": ("Score",)})
    if not found:
        return []
    table, cols = found
    rows = _scored_rows(r, table, cols, what, ("total",))
    total = _total_row(r, table, cols, ("total",), title)
    if total:
        example = "a total such as 1/10" if max_key else "the sum of the scores"
        r.cell_fraction(r.cell(total, cols["score"]), f"{what.title()} Total", f"{what}.total", max_key, example)
    return rows


def _evidence(r: Reader) -> list[ScoredRow]:
    return _summed(r, S.EVIDENCE, "evidence", "Dimension", "evidence")


def _barriers(r: Reader) -> list[ScoredRow]:
    return _summed(r, S.BARRIERS, "barriers", "Barrier", "barrier", "barrier.max")


def _growth_check(r: Reader) -> None:
    found = r.statement(r.section(S.GROWTH_CHECK), r.p.growth_confirmed, "Confirmed at +N.")
    if found:
        block, match = found
        r.claim("growth", r.stated_in(block, match, "growth"), "AI Growth Correlation Check")


_MODIFIER_ROWS = (("evidence modifier", "evidence", "evidence.total"),
                  ("barrier modifier", "barrier", "barrier.total"),
                  ("growth modifier", "growth", "growth"))


def _composite(r: Reader) -> None:
    section = r.section(S.COMPOSITE)
    found = r.table(section, "composite", {"name": ("Input",), "value": ("Value",)})
    if found:
        table, cols = found
        rows = {normalise_title(row[cols["name"]].text): row for row in table.rows if r.cell(row, cols["name"])}
        trs_row = rows.get("task resistance score")
        if trs_row is None:
            r.fail("JZ112", "Composite table has no 'Task Resistance Score' row", table.line)
        else:
            r.cell_fraction(r.cell(trs_row, cols["value"]), "Task Resistance Score", "trs", "coef.trs_max", "a score such as 3.15/5.0")
        for name, kind, input_key in _MODIFIER_ROWS:
            row = rows.get(name)
            cell = r.cell(row, cols["value"]) if row else None
            if cell is None:
                r.fail("JZ112", f"Composite table has no '{name.title()}' row", table.line)
                continue
            block = TextBlock.of_cell(cell)
            match = r.p.modifier.search(cell.text)
            if match is None:
                r.fail("JZ114", f"{name.title()}: expected '1.0 + (N × {r.methodology.coefficients[kind]}) = M', "
                       f"found {cell.text!r}", cell.line, cell.col)
                continue
            negate = match.group("op") != "+"
            base = r.stated_in(block, match, "base")
            value = r.stated_in(block, match, "input", negate=negate)
            coef = r.stated_in(block, match, "coef")
            result = r.stated_in(block, match, "result")
            r.claim("coef.modifier_base", base, name.title())
            r.claim(input_key, value, name.title())
            r.claim(f"coef.{kind}", coef, name.title())
            r.claim(f"modifier.{kind}", result, name.title())
            r.chains.append(Chain("modifier", (base, value, coef), result))
    raw = r.statement(section, r.p.raw, "Raw: TRS × E × B × G = RAW")
    if raw:
        block, match = raw
        factors = tuple(r.stated_in(block, match, g) for g in ("trs", "evidence", "barrier", "growth"))
        for key, stated in zip(("trs", "modifier.evidence", "modifier.barrier", "modifier.growth"), factors):
            r.claim(key, stated, "Raw")
        result = r.stated_in(block, match, "result")
        r.claim("raw", result, "Raw")
        r.chains.append(Chain("raw", factors, result))
    score = r.statement(section, r.p.score, "JobZone Score: (RAW - 0.54) / 7.93 × 100 = SCORE/100")
    if score:
        block, match = score
        raw_stated, floor, span, scale = (r.stated_in(block, match, g) for g in ("raw", "floor", "span", "scale"))
        result = r.stated_in(block, match, "result")
        r.claim("raw", raw_stated, "JobZone Score")
        r.claim("coef.raw_floor", floor, "JobZone Score")
        r.claim("coef.raw_span", span, "JobZone Score")
        r.claim("coef.score_scale", scale, "JobZone Score")
        r.claim("score.formula", result, "JobZone Score")
        if match.group("out_of"):
            r.claim("coef.score_scale", r.stated_in(block, match, "out_of"), "JobZone Score")
        r.chains.append(Chain("score", (raw_stated, floor, span, scale), result))
    zone = r.statement(section, r.p.zone_line, "Zone: ZONE (Green >=48, Yellow 25-47, Red <25)")
    if zone:
        block, match = zone
        r.claim("zone", r.text_in(block, match, "zone"), "Zone")
        if match.group("bands"):
            _bands(r, block, match)


def _bands(r: Reader, block: TextBlock, match: re.Match[str]) -> None:
    """The band reminder after the zone: each limit is checked against the methodology."""
    offset = match.start("bands")
    for band in r.p.band.finditer(match.group("bands")):
        name = r.methodology.zone_named(band.group("zone"))
        assert name is not None
        shifted = Shifted(band, offset)
        if band.group("op") in (">=", "≥", ">"):
            r.claim(f"band.{name.name}.min", r.stated_in(block, shifted, "limit"), "Zone bands")
        elif band.group("op"):
            r.claim(f"band.{name.name}.below", r.stated_in(block, shifted, "limit"), "Zone bands")
        else:
            r.claim_range(f"band.{name.name}", block, shifted, "Zone bands")


def _sublabel(r: Reader) -> Claim | None:
    section = r.section(S.SUBLABEL)
    found = r.table(section, "sublabel", {"name": ("Metric",), "value": ("Value",)})
    if found:
        table, cols = found
        seen = set()
        for row in table.rows:
            name, value = r.cell(row, cols["name"]), r.cell(row, cols["value"])
            if name is None or value is None:
                continue
            metric = r.p.share_high_metric.search(name.text)
            label = normalise_title(name.text)
            if metric:
                seen.add("share")
                threshold = Stated(Decimal(metric.group("threshold")), metric.group("threshold"),
                                   r.loc(name.line, name.col_at(metric.start("threshold"))))
                r.claim("coef.high_score_threshold", threshold, name.text)
                stated = r.cell_number(value, name.text, "a share such as 70%")
                if stated is not None:
                    r.claim("share_high", stated, name.text)
            elif label == "ai growth correlation":
                seen.add("growth")
                stated = r.cell_number(value, "Sub-label AI Growth Correlation", "a whole number from -2 to 2")
                if stated is not None:
                    r.claim("growth", stated, "Sub-Label Determination")
            elif label in ("sub-label", "sublabel"):
                seen.add("label")
                parts = re.split(r"(\s+(?:--|\u2014|\u2013)\s+)", value.text, maxsplit=1)
                r.claim("sublabel", StatedText(parts[0].strip(), r.loc(value.line, value.col)), "Sub-label")
                if len(parts) == 3 and parts[2].strip():
                    offset = len(parts[0]) + len(parts[1])
                    r.claim("sublabel.rule", StatedText(parts[2].strip(), r.loc(value.line, value.col_at(offset))),
                            "Sub-label rule")
        for key, row_name in (("share", "% of task time scoring 3+"), ("growth", "AI Growth Correlation"), ("label", "Sub-label")):
            if key not in seen:
                r.fail("JZ112", f"Sub-Label Determination table has no '{row_name}' row", table.line)
    found_override = r.statement(section, r.p.override, "Assessor override: None -- formula score accepted.")
    if found_override:
        block, match = found_override
        value = match.group("value")
        stated = r.text_in(block, match, "value") if value.casefold() == "none" else r.stated_in(block, match, "value")
        return Claim("override", stated, "Assessor override")
    return None


def parse_report(source: SourceText, meta: Meta, methodology: Methodology) -> Report:
    """Read every input, stated number and citation of one report."""
    document = parse_document(source.body, source.body_line)
    r = Reader(source.path, document, methodology)
    r.check_ragged()
    _role_definition(r, meta)
    principles, growth = _protective(r)
    tasks = _tasks(r)
    evidence = _evidence(r)
    barriers = _barriers(r)
    _growth_check(r)
    _composite(r)
    override = _sublabel(r)
    for title in (S.COMMENTARY, *S.SUBSECTION_TITLES, S.MEANING):
        r.section(title)
    citations, gaps, mentions = read_prose(r)
    inputs = Inputs(tuple(principles), growth, tuple(tasks), tuple(evidence), tuple(barriers))
    return Report(source.path, meta, document, r.tables, inputs, r.claims, r.chains, citations, gaps, mentions,
                  override, r.diagnostics, link_refs(document, source.path))
