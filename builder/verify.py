"""Verification of one report: every stated number against the scorer's, every input in range.

Pure: a report, its scorecard and the methodology in; diagnostics out. Checks that
need other reports (cited scores, duplicate titles) live in `corpus`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from builder.diagnostics import Diagnostic, Location, error
from builder.methodology import Methodology
from builder.model import Citation, Report, ScoredRow
from builder.numbers import Stated, StatedText, agrees, format_number, round_half_up
from builder.score import CHAIN_RULES, Scorecard

_CODE_BY_PREFIX = (("coef.", "JZ303"), ("band.", "JZ303"), ("protective.max", "JZ303"), ("barrier.max", "JZ303"),
                   ("zone", "JZ304"), ("sublabel", "JZ305"))
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


def _code(key: str) -> str:
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


def _claims(report: Report, card: Scorecard) -> tuple[list[Diagnostic], set[Location]]:
    problems, flagged = [], set()
    for claim in report.claims:
        value = card.get(claim.key)
        if value is None:
            continue
        stated = claim.stated
        if isinstance(stated, Stated):
            if not isinstance(value.exact, Decimal) or agrees(stated.value, value.exact, stated.decimals):
                continue
            shown = format_number(value.exact, stated.decimals)
            exact = format_number(value.exact)
            more = f" (exactly {exact})" if exact != shown and len(exact) < 14 else ""
            message = f"{claim.context}: stated {stated.text}, computed {shown}{more}"
        else:
            if same_label(stated.text, str(value.exact)):
                continue
            message = f"{claim.context}: stated {stated.text!r}, computed {value.exact!r}"
        if value.formula:
            message += f" = {value.formula}" if value.formula != "methodology" else " (methodology)"
        problems.append(error(_code(claim.key), message, stated.location))
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


def _citations(report: Report, card: Scorecard, m: Methodology) -> list[Diagnostic]:
    problems = []
    own = card.number("score")
    first_seen: dict[str, Citation] = {}
    scores_seen: dict[str, set[Decimal]] = defaultdict(set)
    for citation in report.citations:
        cited = citation.score
        key = " ".join(citation.role.casefold().split())
        earlier = first_seen.setdefault(key, citation)
        if earlier is not citation and earlier.score.value != cited.value:
            problems.append(error("JZ406", f"{citation.role} is cited at {cited.text} here but at "
                                  f"{earlier.score.text} on line {earlier.location.line}", cited.location))
        scores_seen[key].add(cited.value)
        if citation.zone is not None:
            zone = m.zone_of(cited.value)
            if not same_label(citation.zone.text, zone):
                problems.append(error("JZ403", f"{citation.role} is cited as {citation.zone.text} at {cited.text}, "
                                      f"but {cited.text} is in the {zone} zone", citation.zone.location))
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
        difference = abs(own - gap.peer.score.value)
        if not agrees(gap.stated.value, difference, gap.stated.decimals):
            problems.append(error("JZ402", f"stated a {gap.stated.text}-point gap to {gap.peer.role} "
                                  f"({gap.peer.score.text}), computed {format_number(difference, gap.stated.decimals)}"
                                  f" = |{format_number(own)} \u2212 {gap.peer.score.text}|", gap.stated.location))
    return problems


def verify_report(report: Report, card: Scorecard, m: Methodology) -> list[Diagnostic]:
    """All single-report checks; structural problems from parsing come first."""
    claim_problems, flagged = _claims(report, card)
    return [*report.diagnostics, *_ranges(report, m), *claim_problems, *_chains(report, flagged),
            *_override(report), *_citations(report, card, m)]
