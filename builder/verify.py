"""Verification of one report: every stated number against the scorer's, every input in range.

Pure: a report, its scorecard and the methodology in; diagnostics out. Checks that
need other reports (cited scores, duplicate titles) live in `corpus`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from builder.diagnostics import Diagnostic, Location, error
from builder.document import normalise_title
from builder.methodology import SCORED_TABLES, Methodology
from builder.model import Citation, Claim, Report, ScoredRow
from builder.numbers import NUMBER_RE, Stated, StatedText, agrees, exact, format_number, round_half_up
from builder.score import CHAIN_RULES, Scorecard, Value
from builder.statements import role_key

_CODE_BY_PREFIX = (("coef.", "JZ303"), ("band.", "JZ303"), ("range.", "JZ303"), ("protective.max", "JZ303"),
                   ("barrier.max", "JZ303"), ("sublabel.rule", "JZ303"), ("zone.band.", "JZ303"), ("zone", "JZ304"),
                   ("sublabel", "JZ305"))
_CHAIN_SHAPES = {
    "trs": "{0} \u2212 {1}",
    "modifier": "{0} + ({1} \u00d7 {2})",
    "raw": "{0} \u00d7 {1} \u00d7 {2} \u00d7 {3}",
    "score": "({0} \u2212 {1}) / {2} \u00d7 {3}",
}


def same_label(a: str, b: str) -> bool:
    """Zone and sub-label words compare in any case, with or without parentheses."""
    def norm(text: str) -> str:
        return " ".join(text.replace("(", " ").replace(")", " ").casefold().split())
    return norm(a) == norm(b)


def rule_mismatch(stated: str, rule: str) -> int | None:
    """Offset of the first number where a restated sub-label rule departs from the methodology's rule.

    Wording may differ; the numbers, in order, may not. None when they agree.
    """
    found = list(NUMBER_RE.finditer(stated))
    expected = NUMBER_RE.findall(rule)
    for index, match in enumerate(found):
        if index >= len(expected) or match.group() != expected[index]:
            return match.start()
    return None if len(found) == len(expected) else len(stated)


def code_of(key: str) -> str:
    """The diagnostic code for a stated value of `key` that disagrees (shared with `jobzone fix`)."""
    return next((code for prefix, code in _CODE_BY_PREFIX if key.startswith(prefix)), "JZ301")


def _ranges(report: Report, m: Methodology) -> list[Diagnostic]:
    problems = []

    def check(stated: Stated | None, range_key: str, what: str, whole: bool = True) -> None:
        if stated is None:
            return
        low, high = m.ranges[range_key]
        if not low <= stated.value <= high:
            problems.append(error("JZ201", f"{what} is {stated.text}, outside the allowed range "
                                  f"{format_number(low)} to {format_number(high)}", stated.location))
        elif whole and stated.value != stated.value.to_integral_value():
            problems.append(error("JZ201", f"{what} is {stated.text}: expected a whole number", stated.location))

    def rows(items: tuple[ScoredRow, ...], range_key: str, what: str) -> None:
        for row in items:
            check(row.score, range_key, f"{what} score of '{row.name}'")

    inputs = report.inputs
    for table, found in zip(SCORED_TABLES, (inputs.principles, inputs.evidence, inputs.barriers), strict=True):
        problems.extend(_row_names(found, m.rows[table], table))
    times = [task.time.value for task in inputs.tasks if task.time is not None]
    if inputs.tasks and len(times) == len(inputs.tasks) and sum(times) != m.task_time:
        stated = next((c.stated for c in report.claims if c.key == "task.total.time"), None)
        problems.append(error("JZ201", f"the tasks' Time % add up to {format_number(sum(times, Decimal(0)))}%; "
                              f"they must add up to {m.task_time}%",
                              stated.location if stated is not None else inputs.tasks[0].location))
    rows(inputs.principles, "principle", "principle")
    check(inputs.growth, "growth", "AI Growth Correlation")
    rows(inputs.evidence, "evidence", "evidence")
    rows(inputs.barriers, "barrier", "barrier")
    allowed = ", ".join(m.labels)
    for task in inputs.tasks:
        check(task.time, "time_share", f"Time % of task '{task.name}'", whole=False)
        check(task.score, "task_score", f"Score of task '{task.name}'")
        if task.label is None or task.label.text.upper() not in m.labels:
            found = repr(task.label.text) if task.label and task.label.text else "nothing"
            problems.append(error("JZ202", f"Aug/Disp of task '{task.name}': expected one of {allowed}, found {found}",
                                  task.label.location if task.label else task.location))
    return problems


def _row_names(found: tuple[ScoredRow, ...], names: tuple[str, ...], table: str) -> list[Diagnostic]:
    """Each of the methodology's rows of a scored table once, and no other (the total sums exactly those)."""
    if not found:
        return []  # no table at all: told where the table is read
    wanted = {normalise_title(name): name for name in names}
    kind, title = _SCORED_TABLE_NAMES[table]
    problems, seen = [], set()
    for row in found:
        key = normalise_title(row.name)
        if key not in wanted:
            problems.append(error("JZ202", f"{kind} '{row.name}': expected one of {', '.join(names)}", row.location))
        elif key in seen:
            problems.append(error("JZ202", f"{kind} '{row.name}' is stated twice", row.location))
        seen.add(key)
    for key, name in wanted.items():
        if key not in seen:
            problems.append(error("JZ112", f"{title} table has no '{name}' row", found[-1].location))
    return problems


_SCORED_TABLE_NAMES = {"principles": ("principle", "Protective Principles"), "evidence": ("evidence dimension", "Evidence"),
                       "barriers": ("barrier", "Barrier")}


def disagrees(claim: Claim, value: Value) -> bool:
    """The one test of a stated number or word against its computed value; `fix` uses it too."""
    stated = claim.stated
    if isinstance(stated, Stated):
        return isinstance(value.exact, Decimal) and not agrees(stated.value, value.stated_value(stated.decimals),
                                                                stated.decimals)
    if claim.key == "sublabel.rule":
        return rule_mismatch(stated.text, str(value.exact)) is not None
    return not same_label(stated.text, str(value.exact))


def _claims(report: Report, card: Scorecard) -> tuple[list[Diagnostic], set[Location]]:
    problems, flagged = [], set()
    for claim in report.claims:
        value = card.get(claim.key)
        if value is None or not disagrees(claim, value):
            continue
        stated = claim.stated
        if isinstance(stated, Stated):
            exact = value.stated_value(stated.decimals)
            unit = "%" if stated.text.endswith("%") else ""
            shown = format_number(exact, stated.decimals)
            more = ""
            if round_half_up(exact, stated.decimals) != exact and len(format_number(exact)) < 14:
                more = f" (exactly {format_number(exact)})"
            message = f"{claim.context}: stated {stated.text}, computed {shown}{unit}{more}"
        elif claim.key == "sublabel.rule":
            offset = rule_mismatch(stated.text, str(value.exact)) or 0
            where = stated.location
            stated = StatedText(stated.text, Location(where.path, where.line, where.col + offset))
            message = f"{claim.context}: stated {claim.stated.text!r}, the methodology's rule is {value.exact!r}"
        else:
            message = f"{claim.context}: stated {stated.text!r}, computed {value.exact!r}"
        if value.formula:
            message += f" = {value.formula}" if value.formula != "methodology" else " (methodology)"
        problems.append(error(code_of(claim.key), message, stated.location))
        flagged.add(stated.location)
    return problems, flagged


def _chains(report: Report, flagged: set[Location]) -> list[Diagnostic]:
    problems = []
    for chain in report.chains:
        if chain.result.location in flagged or any(f.location in flagged for f in chain.factors):
            continue
        computed = CHAIN_RULES[chain.kind](*(f.value for f in chain.factors))
        if agrees(chain.result.value, computed, chain.result.decimals):
            continue
        shape = _CHAIN_SHAPES[chain.kind].format(*(f.text for f in chain.factors))
        problems.append(error("JZ302", f"stated {chain.result.text} does not follow from the factors beside it: "
                              f"{shape} = {format_number(computed, chain.result.decimals)}", chain.result.location))
    return problems


def point_gap(own: Decimal, cited: Decimal) -> Decimal:
    """The "N-point gap" between this report's score and a cited one (shared with `jobzone fix`)."""
    return abs(own - cited)


def _override(report: Report) -> list[Diagnostic]:
    statement = report.override_statement
    override = report.meta.override
    if statement is None:
        return []
    stated = statement.stated
    says_none = isinstance(stated, StatedText)
    if override is None and not says_none:
        return [error("JZ306", f"the text states an assessor override of {stated.text} but the frontmatter has no "
                      "'assessor_override' (with score and reason)", stated.location)]
    if override is not None and says_none:
        return [error("JZ306", f"the frontmatter overrides the score to {override.score.text} but the text says "
                      "'Assessor override: None'", stated.location)]
    if override is not None and isinstance(stated, Stated) and stated.value != override.score.value:
        return [error("JZ306", f"assessor override stated as {stated.text}, frontmatter says {override.score.text}",
                      stated.location)]
    return []


def _inconsistent(citations: list[Citation]) -> list[Diagnostic]:
    """One role cited at different scores: the odd ones out (against the most common score) are wrong."""
    counts: dict[Decimal, int] = {}
    for citation in citations:
        counts[citation.score.value] = counts.get(citation.score.value, 0) + 1
    if len(counts) < 2:
        return []
    usual = max(counts, key=lambda value: counts[value])  # ties: the first cited
    lines = ", ".join(str(c.location.line) for c in citations if c.score.value == usual)
    return [error("JZ406", f"{c.role} is cited at {c.score.text} here but at {format_number(usual)} elsewhere "
                  f"(line {lines})", c.score.location) for c in citations if c.score.value != usual]


def _citations(report: Report, card: Scorecard, m: Methodology) -> list[Diagnostic]:
    problems = []
    own = card.number("score")
    by_role: dict[str, list[Citation]] = defaultdict(list)
    for citation in report.citations:
        by_role[role_key(citation.role)].append(citation)
    for cited_together in by_role.values():
        problems.extend(_inconsistent(cited_together))
    for citation in report.citations:
        cited = citation.score
        if citation.zone is not None:
            zone = m.zone_of(cited.value)
            if not same_label(citation.zone.text, zone):
                # A zone stated once for a list ("these Green Zone roles") is blamed on the item's score.
                where = citation.zone.location if citation.zone.location.line == cited.location.line else cited.location
                problems.append(error("JZ403", f"{citation.role} is cited as {citation.zone.text} at {cited.text}, "
                                      f"but {cited.text} is in the {zone} zone", where))
        if citation.relation and own is not None:
            mine = round_half_up(own, cited.decimals)
            holds = {"identical": mine == cited.value, "above": mine > cited.value, "below": mine < cited.value}
            if not holds[citation.relation]:
                problems.append(error("JZ401", f"'{citation.relation_text} {citation.role} ({cited.text})' does not hold:"
                                      f" this report's score is {format_number(own)}", cited.location))
    for gap in report.gaps:
        if gap.peer is None:
            problems.append(error("JZ402", f"a {gap.stated.text}-point gap is stated but no cited score precedes it in "
                                  "this section", gap.stated.location))
            continue
        if own is None:
            continue
        difference = point_gap(own, gap.peer.score.value)
        if not agrees(gap.stated.value, difference, gap.stated.decimals):
            problems.append(error("JZ402", f"stated a {gap.stated.text}-point gap to {gap.peer.role} "
                                  f"({gap.peer.score.text}), computed {format_number(difference, gap.stated.decimals)}"
                                  f" = |{format_number(own)} \u2212 {gap.peer.score.text}|", gap.stated.location))
    return problems


@exact
def verify_report(report: Report, card: Scorecard, m: Methodology) -> list[Diagnostic]:
    """All single-report checks; structural problems from parsing come first."""
    claim_problems, flagged = _claims(report, card)
    return [*report.diagnostics, *_ranges(report, m), *claim_problems, *_chains(report, flagged),
            *_override(report), *_citations(report, card, m)]
