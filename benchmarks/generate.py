"""Generate N valid role reports that cite each other, for benchmarks and large-site tests.

Every derived number is computed with jobzone's own scorer (`builder.score`), so the
reports check clean; each report cites three others with their real scores, zones
and the right calibration words. Filler prose brings each report to about the size
of the shipped one (18 KB).

    python benchmarks/generate.py N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from builder.meta import SLUG_RE
from builder.methodology import Methodology, load_methodology
from builder.model import Inputs, Meta, ScoredRow, TaskRow
from builder.numbers import Stated, StatedText, format_number, round_half_up
from builder.score import Scorecard, score_report
from builder.diagnostics import Location

WORDS = ("model pipeline ranking feature evaluation serving platform automation review design data "
         "stakeholder deployment monitoring experiment quality tooling workflow judgement analysis").split()
FAMILIES = ("Engineer", "Analyst", "Scientist", "Architect", "Specialist", "Manager", "Designer", "Researcher")
FIELDS = ("Data", "Platform", "Search", "Pricing", "Fraud", "Growth", "Risk", "Content", "Payments", "Security",
          "Quality", "Network", "Cloud", "Mobile", "Support", "Supply Chain", "Marketing", "Finance", "Legal", "Health")
LABELS = ("AUGMENTATION", "DISPLACEMENT", "NOT INVOLVED")
NOWHERE = Location("generated.md")


@dataclass
class Role:
    title: str
    slug: str
    principles: list[int]
    growth: int
    tasks: list[tuple[int, int, str]]  # time %, score, label
    evidence: list[int]
    barriers: list[int]
    card: Scorecard | None = None


def _stated(value: int) -> Stated:
    return Stated(Decimal(value), str(value), NOWHERE)


def _inputs(role: Role) -> Inputs:
    return Inputs(
        principles=tuple(ScoredRow(f"p{i}", _stated(v), NOWHERE) for i, v in enumerate(role.principles)),
        growth=_stated(role.growth),
        tasks=tuple(TaskRow(f"t{i}", _stated(t), _stated(s), None, StatedText(label, NOWHERE), NOWHERE)
                    for i, (t, s, label) in enumerate(role.tasks)),
        evidence=tuple(ScoredRow(f"e{i}", _stated(v), NOWHERE) for i, v in enumerate(role.evidence)),
        barriers=tuple(ScoredRow(f"b{i}", _stated(v), NOWHERE) for i, v in enumerate(role.barriers)),
    )


def _random_role(index: int, rng: random.Random) -> Role:
    title = f"{rng.choice(FIELDS)} {rng.choice(FAMILIES)} {index + 1}"
    slug = f"role-{index + 1:05d}"
    assert SLUG_RE.fullmatch(slug)
    shares = [15, 25, 15, 15, 15, 10, 5]
    rng.shuffle(shares)
    tasks = [(share, rng.randint(1, 5), rng.choice(LABELS)) for share in shares]
    return Role(title, slug, [rng.randint(0, 3) for _ in range(3)], rng.randint(-2, 2), tasks,
                [rng.randint(-2, 2) for _ in range(5)], [rng.randint(0, 2) for _ in range(5)])


def _n(card: Scorecard, key: str, places: int | None = None) -> str:
    value = card.number(key)
    assert value is not None, key
    return format_number(round_half_up(value, places) if places is not None else value)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _filler(rng: random.Random, sentences: int) -> str:
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(sentences))


def render(role: Role, peers: list[Role], m: Methodology, rng: random.Random) -> str:
    """One report in the format of docs/format.md, every stated number from the scorer."""
    card = role.card
    assert card is not None
    p = m.precision
    score = card.number("score")
    zone = card.text("zone")
    sublabel = card.text("sublabel")
    out = [f"---\ntitle: {role.title}\nslug: {role.slug}\nseniority: Mid-level\naliases: []\n---\n",
           "## Role Definition\n", "| Field | Value |\n|---|---|", f"| Job Title | {role.title} |",
           "| Seniority Level | Mid-level |", f"| Primary Function | {_filler(rng, 4)} |",
           f"| Typical Experience | {_filler(rng, 3)} |\n", f"Seniority note: {_filler(rng, 4)}\n",
           "## Protective Principles + AI Growth Correlation\n", "| Principle | Score (0-3) | Rationale |\n|---|---|---|"]
    for name, value in zip(("Embodied Physicality", "Deep Interpersonal Connection", "Goal-Setting & Moral Judgment"),
                           role.principles):
        out.append(f"| {name} | {value} | {_filler(rng, 2)} |")
    out += [f"| Protective Total | {_n(card, 'protective.total')}/{m.protective_max} |  |",
            f"| AI Growth Correlation | {role.growth} | {_filler(rng, 2)} |\n",
            f"Quick screen result: Protective {_n(card, 'protective.total')} + Correlation {role.growth} = "
            "Likely zone. Proceed to quantify.\n",
            "## Task Decomposition (Agentic AI Scoring)\n",
            "| Task | Time % | Score (1-5) | Weighted | Aug/Disp | Rationale |\n|---|---|---|---|---|---|"]
    for index, (share, task_score, label) in enumerate(role.tasks):
        out.append(f"| Task {index + 1}: {' '.join(rng.choice(WORDS) for _ in range(4))} | {share}% | {task_score} | "
                   f"{_n(card, f'task.{index}.weighted', p['weighted'])} | {label} | {_filler(rng, 2)} |")
    total = _n(card, "task.total.weighted", p["weighted"])
    trs = _n(card, "trs", p["trs"])
    out += [f"| Total | {_n(card, 'task.total.time')}% |  | {total} |  |  |\n",
            f"Task Resistance Score: {format_number(m.coefficients['trs_base'])} - {total} = {trs}/"
            f"{format_number(m.coefficients['trs_max'])}\n",
            f"Displacement/Augmentation split: {_n(card, 'split.displacement')}% displacement, "
            f"{_n(card, 'split.augmentation')}% augmentation, {_n(card, 'split.not involved')}% not involved.\n",
            f"Reinstatement check (Acemoglu): {_filler(rng, 5)}\n",
            "## Evidence Score\n", "| Dimension | Score (-2 to 2) | Evidence |\n|---|---|---|"]
    for name, value in zip(("Job Posting Trends", "Company Actions", "Wage Trends", "AI Tool Maturity",
                            "Expert Consensus"), role.evidence):
        out.append(f"| {name} | {_signed(value) if value < 0 else value} | {_filler(rng, 3)} |")
    out += [f"| Total | {_n(card, 'evidence.total')} |  |\n", "## Barrier Assessment\n",
            "Reframed question: What prevents AI execution even when programmatically possible?\n",
            "| Barrier | Score (0-2) | Rationale |\n|---|---|---|"]
    for name, value in zip(("Regulatory/Licensing", "Physical Presence", "Union/Collective Bargaining",
                            "Liability/Accountability", "Cultural/Ethical"), role.barriers):
        out.append(f"| {name} | {value} | {_filler(rng, 3)} |")
    c = m.coefficients
    mods = {k: _n(card, f"modifier.{k}", p["modifier"]) for k in ("evidence", "barrier", "growth")}
    raw = _n(card, "raw", p["raw"])
    band = ", ".join(f"{z.name} >={format_number(z.min)}" if i == 0 else
                     f"{z.name} <{format_number(m.zones[i - 1].min)}" if i == len(m.zones) - 1 else
                     f"{z.name} {format_number(z.min)}-{format_number(m.zones[i - 1].min - 1)}"
                     for i, z in enumerate(m.zones))
    base = format_number(c["modifier_base"])
    out += [f"| Total | {_n(card, 'barrier.total')}/{m.barrier_max} |  |\n", "## AI Growth Correlation Check\n",
            f"Confirmed at {_signed(role.growth)}. {_filler(rng, 6)}\n", "## JobZone Composite Score (AIJRI)\n",
            "| Input | Value |\n|---|---|", f"| Task Resistance Score | {trs}/{format_number(c['trs_max'])} |",
            f"| Evidence Modifier | {base} + ({_n(card, 'evidence.total')} × {format_number(c['evidence'])}) = "
            f"{mods['evidence']} |",
            f"| Barrier Modifier | {base} + ({_n(card, 'barrier.total')} × {format_number(c['barrier'])}) = "
            f"{mods['barrier']} |",
            f"| Growth Modifier | {base} + ({role.growth} × {format_number(c['growth'])}) = {mods['growth']} |\n",
            f"Raw: {trs} × {mods['evidence']} × {mods['barrier']} × {mods['growth']} = {raw}\n",
            f"JobZone Score: ({raw} - {format_number(c['raw_floor'])}) / {format_number(c['raw_span'])} × "
            f"{format_number(c['score_scale'])} = {_n(card, 'score')}/{format_number(c['score_scale'])}\n",
            f"Zone: {zone.upper()} ({band})\n", "## Sub-Label Determination\n", "| Metric | Value |\n|---|---|",
            f"| % of task time scoring {m.high_score_threshold}+ | {_n(card, 'share_high')}% |",
            f"| AI Growth Correlation | {role.growth} |",
            f"| Sub-label | {sublabel} -- {card.text('sublabel.rule')} |\n"]
    relations = []
    for peer in peers:
        peer_score = peer.card.number("score")
        word = "identical to" if peer_score == score else "above" if score > peer_score else "below"
        relations.append(f"{word} {peer.title} ({format_number(peer_score)})")
    out += [f"Assessor override: None -- formula score accepted. The {_n(card, 'score')} sits comfortably "
            f"mid-{zone} and aligns with calibration peers: {', '.join(relations)}.\n",
            "## Assessor Commentary\n", "### Score vs Reality Check\n",
            f"The {sublabel} label at {_n(card, 'score')} is honest. {_filler(rng, 8)}\n",
            "### What the Numbers Don't Capture\n"]
    out += [f"- {_filler(rng, 6)}" for _ in range(3)] + [""]
    out += ["### Who Should Worry (and Who Shouldn't)\n", *(f"{_filler(rng, 9)}\n" for _ in range(2)),
            "## What This Means\n", f"The role in 2028: {_filler(rng, 6)}\n", "Survival strategy:\n"]
    out += [f"- {_filler(rng, 4)}" for _ in range(3)] + [""]
    out += ["Where to look next. If you're considering a career shift, these roles share transferable skills:\n"]
    out += [f"- {peer.title} (AIJRI {format_number(peer.card.number('score'))}) -- {_filler(rng, 2)}"
            for peer in peers] + [""]
    out.append(f"Timeline: 2-4 years. {_filler(rng, 3)}")
    return "\n".join(out) + "\n"


def generate(count: int, out: Path, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    m = load_methodology()
    roles = [_random_role(i, rng) for i in range(count)]
    for role in roles:
        meta = Meta(role.title, role.slug)
        role.card = score_report(_inputs(role), meta, m)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, role in enumerate(roles):
        others = [roles[(index + step) % count] for step in (1, 7, 31) if count > 1]
        peers = list({peer.slug: peer for peer in others if peer is not role}.values())
        path = out / f"{role.slug}.md"
        path.write_text(render(role, peers, m, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.count, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
