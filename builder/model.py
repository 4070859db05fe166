"""The typed report model: what a report says, each number with its location.

Inputs are the values an analyst chooses (time shares, scores, evidence, barriers);
claims are the derived numbers and words the report states, each keyed by the
quantity it restates so the verifier can compare it with the scorer's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Union

from builder.diagnostics import Diagnostic, Location
from builder.document import Document, Table
from builder.numbers import Stated, StatedText
from builder.refs import LinkRef


@dataclass(frozen=True)
class Override:
    """An assessor's override of the formula score, with the reason it must carry."""

    score: Stated
    reason: str


@dataclass(frozen=True)
class Meta:
    """Validated frontmatter."""

    title: str
    slug: str
    seniority: str | None = None
    job_family: str | None = None
    aliases: tuple[str, ...] = ()
    updated: date | None = None
    override: Override | None = None
    extra: dict[str, object] = field(default_factory=dict)
    title_location: Location | None = None
    slug_location: Location | None = None


@dataclass(frozen=True)
class ScoredRow:
    """A row of a principle, evidence or barrier table: a name and its input score."""

    name: str
    score: Stated | None
    location: Location


@dataclass(frozen=True)
class TaskRow:
    """A task of the Task Decomposition table: its inputs and the stated Weighted cell, each located."""

    name: str
    time: Stated | None
    score: Stated | None
    weighted: Stated | None
    label: StatedText | None
    location: Location


@dataclass(frozen=True)
class Inputs:
    """What a report is scored from: the scores and shares of its tables, each located."""

    principles: tuple[ScoredRow, ...] = ()
    growth: Stated | None = None
    tasks: tuple[TaskRow, ...] = ()
    evidence: tuple[ScoredRow, ...] = ()
    barriers: tuple[ScoredRow, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A derived number or word as stated; `key` names the quantity it restates."""

    key: str
    stated: Union[Stated, StatedText]
    context: str = ""  # the statement it belongs to, for messages


@dataclass(frozen=True)
class Chain:
    """A formula written out with its factors ("1.0 + (3 × 0.04) = 1.12").

    The result must follow from the stated factors as well as from the inputs.
    """

    kind: str  # "trs" | "modifier" | "raw" | "score"
    factors: tuple[Stated, ...]
    result: Stated


@dataclass(frozen=True)
class Citation:
    """Another role's score as this report cites it."""

    role: str
    score: Stated
    location: Location
    zone: StatedText | None = None
    sublabel: StatedText | None = None
    relation: str | None = None  # "identical" | "above" | "below": this report relative to the cited one
    relation_text: str = ""
    section: str = ""


@dataclass(frozen=True)
class Gap:
    """"The 27.4-point gap": the difference between this score and a cited one."""

    stated: Stated
    peer: Citation | None


@dataclass(frozen=True)
class Mention:
    """A role named without a score (e.g. "NOT a Search Engineer"), for cross-links."""

    role: str
    location: Location


@dataclass
class Report:
    """A report read into data: frontmatter, tables, inputs, every stated number as a claim, and links."""

    path: str
    meta: Meta
    document: Document
    tables: dict[str, Table]
    inputs: Inputs
    claims: list[Claim]
    chains: list[Chain]
    citations: list[Citation]
    gaps: list[Gap]
    mentions: list[Mention]
    override_statement: Claim | None
    diagnostics: list[Diagnostic]
    links: tuple[LinkRef, ...] = ()  # relative links to other reports and files, found once while parsing
