"""The report format's section titles, shared by the importer, parser and templates."""

from __future__ import annotations

ROLE_DEFINITION = "Role Definition"
PROTECTIVE = "Protective Principles + AI Growth Correlation"
TASKS = "Task Decomposition (Agentic AI Scoring)"
EVIDENCE = "Evidence Score"
BARRIERS = "Barrier Assessment"
GROWTH_CHECK = "AI Growth Correlation Check"
COMPOSITE = "JobZone Composite Score (AIJRI)"
SUBLABEL = "Sub-Label Determination"
COMMENTARY = "Assessor Commentary"
MEANING = "What This Means"

SECTION_TITLES: tuple[str, ...] = (
    ROLE_DEFINITION, PROTECTIVE, TASKS, EVIDENCE, BARRIERS,
    GROWTH_CHECK, COMPOSITE, SUBLABEL, COMMENTARY, MEANING,
)
SUBSECTION_TITLES: tuple[str, ...] = (
    "Score vs Reality Check",
    "What the Numbers Don't Capture",
    "Who Should Worry (and Who Shouldn't)",
)
