"""Scoring: pure functions from a report's inputs and the methodology to every derived number.

The chain is the one a report publishes: each step is computed exactly from the
previous steps *as rounded* to the methodology's precision (weighted cells 2 dp,
TRS 2 dp, modifiers 2 dp, Raw 4 dp, score 1 dp), so the scorer agrees with an
analyst who follows the report line by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from builder.methodology import Methodology
from builder.model import Inputs, Meta, ScoredRow
from builder.numbers import Stated, exact, format_number, round_half_up

HUNDRED = Decimal(100)
TIMES = "\u00d7"
MINUS = "\u2212"


# -- one function per rule; the verifier reuses them on a report's stated factors --
def weighted(time_share: Decimal, score: Decimal) -> Decimal:
    return time_share / HUNDRED * score


def task_resistance(base: Decimal, weighted_total: Decimal) -> Decimal:
    return base - weighted_total


def modifier(base: Decimal, value: Decimal, coefficient: Decimal) -> Decimal:
    return base + value * coefficient


def raw_score(trs: Decimal, evidence: Decimal, barrier: Decimal, growth: Decimal) -> Decimal:
    return trs * evidence * barrier * growth


def jobzone_score(raw: Decimal, floor: Decimal, span: Decimal, scale: Decimal) -> Decimal:
    return (raw - floor) / span * scale


CHAIN_RULES = {"trs": task_resistance, "modifier": modifier, "raw": raw_score, "score": jobzone_score}


@dataclass(frozen=True)
class Value:
    """A computed quantity: exact value (or a word), and how it was computed. A value `below` a limit
    (the top of a zone's band: the next zone's minimum) is, as stated, the largest number under it
    at the precision written: 47 for "25-47", 47.9 for "25-47.9" (`stated_value`)."""

    exact: Decimal | str
    formula: str = ""
    below: bool = False

    def stated_value(self, places: int) -> Decimal:
        """What a number written with `places` decimals must say to be this value."""
        assert isinstance(self.exact, Decimal)
        return self.exact - Decimal(1).scaleb(-places) if self.below else self.exact

    @property
    def plain(self) -> Decimal | str:
        """The value as the methodology's own numbers write it (a band's top: 47 below 48, 47.4 below 47.5)."""
        if not self.below or not isinstance(self.exact, Decimal):
            return self.exact
        exponent = self.exact.as_tuple().exponent
        return self.stated_value(-exponent if isinstance(exponent, int) and exponent < 0 else 0)


@dataclass
class Scorecard:
    """Every derived number of one report by key, each with how it was computed."""

    values: dict[str, Value] = field(default_factory=dict)

    def get(self, key: str) -> Value | None:
        return self.values.get(key)

    def number(self, key: str) -> Decimal | None:
        value = self.values.get(key)
        return value.exact if value is not None and isinstance(value.exact, Decimal) else None

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value.exact if value is not None and isinstance(value.exact, str) else None

    def set(self, key: str, exact: Decimal | str, formula: str = "", below: bool = False) -> None:
        self.values[key] = Value(exact, formula, below)


def _v(stated: Stated | None) -> Decimal | None:
    return stated.value if stated is not None else None


def _total(rows: tuple[ScoredRow, ...]) -> tuple[Decimal, str] | None:
    values = [_v(row.score) for row in rows]
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0)), sum_formula(values)


def sum_formula(values: list[Decimal], unit: str = "") -> str:
    """"1 + 1 − 1": how a sum is written out in a diagnostic."""
    parts = []
    for index, value in enumerate(values):
        text = format_number(abs(value)) + unit
        if index == 0:
            parts.append(f"{MINUS}{text}" if value < 0 else text)
        else:
            parts.append(f"{MINUS if value < 0 else '+'} {text}")
    return " ".join(parts) or "nothing"


@exact
def score_report(inputs: Inputs, meta: Meta, m: Methodology) -> Scorecard:
    """Every derived number of one report, from its inputs alone."""
    card = Scorecard()
    c, places = m.coefficients, m.precision
    for name in c:
        card.set(f"coef.{name}", c[name], "methodology")
    card.set("coef.high_score_threshold", Decimal(m.high_score_threshold), "methodology")
    card.set("protective.max", Decimal(m.protective_max), "methodology")
    card.set("barrier.max", Decimal(m.barrier_max), "methodology")
    for upper, zone in zip((None, *m.zones), m.zones):
        card.set(f"band.{zone.name}.min", zone.min, "methodology")
        if upper is not None:
            card.set(f"band.{zone.name}.max", upper.min, "methodology", below=True)
            card.set(f"band.{zone.name}.below", upper.min, "methodology")
        else:  # the top zone runs to the top of the scale ("Green band (48-100)")
            card.set(f"band.{zone.name}.max", c["score_scale"], "methodology")
    for name, (low, high) in m.ranges.items():
        card.set(f"range.{name}.min", low, "methodology")
        card.set(f"range.{name}.max", high, "methodology")
    for table, rows in (("principle", inputs.principles), ("evidence", inputs.evidence), ("barrier", inputs.barriers),
                        ("task", inputs.tasks)):
        for index, row in enumerate(rows):
            if row.score is not None:  # restated in the row's own rationale ("Scored +1 not +2 because ...")
                card.set(f"row.{table}.{index}", row.score.value)

    protective = _total(inputs.principles)
    if protective:
        card.set("protective.total", *protective)
    growth = _v(inputs.growth)
    if growth is not None:
        card.set("growth", growth, "AI Growth Correlation")
    evidence = _total(inputs.evidence)
    if evidence:
        card.set("evidence.total", *evidence)
    barrier = _total(inputs.barriers)
    if barrier:
        card.set("barrier.total", *barrier)

    tasks = inputs.tasks
    rounded: list[Decimal] = []
    for index, task in enumerate(tasks):
        if task.time is not None and task.score is not None:
            exact = weighted(task.time.value, task.score.value)
            card.set(f"task.{index}.weighted", exact, f"{format_number(task.time.value)}% {TIMES} {format_number(task.score.value)}")
            rounded.append(round_half_up(exact, places["weighted"]))
    times = [_v(task.time) for task in tasks]
    if tasks and all(t is not None for t in times):
        card.set("task.total.time", sum(times, Decimal(0)), sum_formula(times, "%"))
        for split in dict.fromkeys(m.labels.values()):
            members = [t.time.value for t in tasks if t.label and m.labels.get(t.label.text.upper()) == split]
            card.set(f"split.{split}", sum(members, Decimal(0)),
                     sum_formula(members, "%"))
        scored = [t for t in tasks if t.score is not None]
        if len(scored) == len(tasks):
            high = [t.time.value for t in tasks if t.score.value >= m.high_score_threshold]
            card.set("share_high", sum(high, Decimal(0)),
                     f"{sum_formula(high, '%')} (tasks scoring {m.high_score_threshold}+)")
    if tasks and len(rounded) == len(tasks):
        total = sum(rounded, Decimal(0))
        card.set("task.total.weighted", total, sum_formula(rounded))
        trs = task_resistance(c["trs_base"], total)
        card.set("trs", trs, f"{format_number(c['trs_base'])} {MINUS} {format_number(total)}")

    modifier_inputs = {"evidence": evidence[0] if evidence else None, "barrier": barrier[0] if barrier else None,
                       "growth": growth}
    for kind, value in modifier_inputs.items():
        if value is not None:
            card.set(f"modifier.{kind}", modifier(c["modifier_base"], value, c[kind]),
                     f"{format_number(c['modifier_base'])} + ({format_number(value)} {TIMES} {format_number(c[kind])})")

    factors = [card.number(key) for key in ("trs", "modifier.evidence", "modifier.barrier", "modifier.growth")]
    if all(f is not None for f in factors):
        published = [round_half_up(f, places[p]) for f, p in zip(factors, ("trs", "modifier", "modifier", "modifier"))]
        card.set("raw", raw_score(*published), f" {TIMES} ".join(format_number(f) for f in published))
        raw = round_half_up(card.number("raw"), places["raw"])
        card.set("score.formula", jobzone_score(raw, c["raw_floor"], c["raw_span"], c["score_scale"]),
                 f"({format_number(raw)} {MINUS} {format_number(c['raw_floor'])}) / {format_number(c['raw_span'])} "
                 f"{TIMES} {format_number(c['score_scale'])}")
        formula_score = round_half_up(card.number("score.formula"), places["score"])
        if meta.override is not None:
            card.set("score", meta.override.score.value, "assessor override")
            card.set("override", meta.override.score.text, "frontmatter assessor_override")
        else:
            card.set("score", formula_score, "formula score")
            card.set("override", "None", "no assessor_override in frontmatter")
        published_score = card.number("score")
        zone = m.zone_of(published_score)
        card.set("zone", zone, f"score {format_number(published_score)}")
        for bound in ("min", "max"):  # the limits of this report's zone ("within the Yellow band (25-47)")
            card.values[f"zone.band.{bound}"] = card.values[f"band.{zone}.{bound}"]
        metrics = {
            "score": published_score, "growth_correlation": growth,
            "protective_total": protective[0] if protective else None,
            "evidence_total": evidence[0] if evidence else None,
            "barrier_total": barrier[0] if barrier else None,
            "trs": card.number("trs"), "share_high": card.number("share_high"),
            "displacement": card.number("split.displacement"), "augmentation": card.number("split.augmentation"),
        }
        rule = m.sublabel_of(zone, {k: v for k, v in metrics.items() if v is not None}) \
            if all(metrics[name] is not None for r in m.sublabels for name in r.when) else None
        if rule is not None:
            card.set("sublabel", rule.label, rule.rule)
            card.set("sublabel.rule", rule.rule)
    return card
