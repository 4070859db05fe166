"""The score worked step by step, as the report computes it: for role pages and `jobzone show`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from builder import charts
from builder.corpus import Entry
from builder.methodology import Methodology
from builder.numbers import format_number


@dataclass(frozen=True)
class Step:
    """One line of the worked score: what, how (the scorecard's formula) and the result."""

    label: str
    formula: str
    result: str


def worked_steps(entry: Entry, m: Methodology) -> list[Step]:
    """The score as the report computes it, each step with the scorecard's formula."""
    card, report, p = entry.card, entry.report, m.precision
    steps: list[Step] = []

    def add(label: str, key: str, places: int | None = None, unit: str = "") -> None:
        value = card.get(key)
        if value is not None and isinstance(value.exact, Decimal):
            steps.append(Step(label, value.formula, format_number(value.exact, places) + unit))

    for index, task in enumerate(report.inputs.tasks):
        add(f"Weighted: {task.name}", f"task.{index}.weighted", p["weighted"])
    add("Weighted total", "task.total.weighted", p["weighted"])
    add("Task Resistance Score", "trs", p["trs"])
    add("Evidence total", "evidence.total")
    add("Evidence modifier", "modifier.evidence", p["modifier"])
    add("Barrier total", "barrier.total")
    add("Barrier modifier", "modifier.barrier", p["modifier"])
    growth = card.number("growth")
    if growth is not None:
        steps.append(Step("AI Growth Correlation", "stated input", format_number(growth)))
    add("Growth modifier", "modifier.growth", p["modifier"])
    add("Raw", "raw", p["raw"])
    add("JobZone Score (formula)", "score.formula", p["score"])
    override = report.meta.override
    if override is not None:
        steps.append(Step("Assessor override", override.reason, override.score.text))
    score, zone = card.number("score"), card.text("zone")
    if score is not None and zone is not None:
        band = next((b for b in charts.bands(m.zones) if b.name == zone), None)
        steps.append(Step("Zone", f"score {format_number(score)} is in {zone} ({band.text if band else ''})", zone))
    add(f"Share of task time scoring {m.high_score_threshold}+", "share_high", None, "%")
    value = card.get("sublabel")
    if value is not None and isinstance(value.exact, str):
        steps.append(Step("Sub-label", value.formula, value.exact))
    return steps
