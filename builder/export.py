"""Machine-readable exports: the roles as CSV and JSON, and each report's parsed tables.

Pure: views in, {site path: text} out. Numbers are published at the methodology's
precision as exact decimals (CSV) or the shortest float that reads back the same
(JSON). JSON escapes <, > and & so a title can never be read as markup, even when
the file is served or sniffed as HTML.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from builder.document import Table
from builder.links import role_path
from builder.methodology import Methodology
from builder.numbers import round_half_up
from builder.render import RoleRow, RoleView
from builder.schema import as_json
from builder.score import Scorecard

COLUMNS = ("slug", "title", "url", "score", "zone", "sublabel", "trs",
           "evidence_modifier", "barrier_modifier", "growth_modifier", "raw")


def to_json(data: object) -> str:
    """Compact JSON (the C encoder: indenting would use the pure-Python one, a quarter of a build)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    return as_json(value) if not isinstance(value, (str, int, float, bool, type(None))) else value


def _at(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else round_half_up(value, places)


def roles_records(roles: list[tuple[RoleRow, Scorecard]], m: Methodology, base_url: str = "") -> list[dict[str, Any]]:
    """One record per role (the columns of COLUMNS), in slug order; `url` absolute when a base URL is known.
    (Plain records, not a DataFrame: importing pandas would cost a small rebuild more than the rest of it.)"""
    p = m.precision
    records = []
    for row, card in sorted(roles, key=lambda pair: pair[0].slug):
        records.append({
            "slug": row.slug, "title": row.title, "url": base_url + role_path(row.slug),
            "score": row.score, "zone": row.zone, "sublabel": row.sublabel,
            "trs": _at(card.number("trs"), p["trs"]),
            "evidence_modifier": _at(card.number("modifier.evidence"), p["modifier"]),
            "barrier_modifier": _at(card.number("modifier.barrier"), p["modifier"]),
            "growth_modifier": _at(card.number("modifier.growth"), p["modifier"]),
            "raw": _at(card.number("raw"), p["raw"]),
        })
    return records


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula ("=HYPERLINK(…)") gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def roles_csv(records: list[dict[str, Any]]) -> str:
    """The roles table as CSV; numbers stay numbers, text cannot become a formula, no value is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([spreadsheet_safe(record[column]) for column in COLUMNS] for record in records)
    return out.getvalue()


def roles_json(records: list[dict[str, Any]]) -> str:
    return to_json({"roles": records})


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        key = name or "column"
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key} ({seen[key]})")
    return out


def table_records(table: Table) -> dict[str, Any]:
    """A parsed table as its header and one record per row (source line kept as `line`).

    The same records as `table.frame()` gives, built from the cells directly: a DataFrame
    per table of every role costs more than the rest of the page together."""
    header = _unique([cell.text for cell in table.header])
    rows = [{"line": row[0].line if row else table.line,
             **{name: row[index].text if index < len(row) else "" for index, name in enumerate(header)}}
            for row in table.rows]
    return {"line": table.line, "header": header, "rows": rows}


def role_json(view: RoleView, base_url: str = "") -> str:
    """Everything a page shows about one role, as data."""
    report, card, row = view.entry.report, view.entry.card, view.row
    meta = report.meta
    return to_json({
        "slug": row.slug,
        "title": row.title,
        "url": base_url + row.path,
        "score": row.score,
        "zone": row.zone,
        "sublabel": row.sublabel,
        "meta": {
            "seniority": meta.seniority, "job_family": meta.job_family, "aliases": list(meta.aliases),
            "updated": meta.updated.isoformat() if meta.updated else None,
            "assessor_override": {"score": meta.override.score.value, "reason": meta.override.reason}
            if meta.override else None,
        },
        "steps": [{"label": s.label, "formula": s.formula, "result": s.result} for s in view.steps],
        "computed": {key: value.plain for key, value in sorted(card.values.items())},
        "cites": [{"role": p.name, "score": p.score, "url": (base_url + p.path) if p.path else None,
                   "assessed": p.assessed} for p in view.peers],
        "referenced_by": [{"title": b.title, "url": base_url + b.path} for b in view.backlinks],
        "tables": {key: table_records(table) for key, table in report.tables.items()},
    })


def exports(roles: list[tuple[RoleRow, Scorecard]], m: Methodology, base_url: str = "") -> dict[str, str]:
    """The site-wide downloads; each role's own `index.json` is written with its page (`role_json`)."""
    records = roles_records(roles, m, base_url)
    return {"data/roles.csv": roles_csv(records), "data/roles.json": roles_json(records)}
