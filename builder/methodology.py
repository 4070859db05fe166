"""The scoring methodology, loaded from data so a site can change it without code.

The package ships `data/methodology.toml`; a site may put its own `methodology.toml`
beside its config to override any part of it (tables are merged key by key; the
`zones` and `sublabels` lists are replaced whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from builder.tomldata import LocatedError, key_position, read_toml

COEFFICIENTS = (
    "trs_base", "trs_max", "modifier_base", "evidence", "barrier", "growth",
    "raw_floor", "raw_span", "score_scale",
)
PRECISIONS = ("weighted", "trs", "modifier", "raw", "score")
RANGES = ("principle", "growth", "task_score", "time_share", "evidence", "barrier")
METRICS = (
    "score", "growth_correlation", "protective_total", "evidence_total", "barrier_total",
    "trs", "share_high", "displacement", "augmentation",
)


class MethodologyError(LocatedError):
    """The methodology data is malformed; names the file and, when known, the line."""


@dataclass(frozen=True)
class Zone:
    """A zone and the lowest score in it; zones are listed from the highest minimum down."""

    name: str
    min: Decimal
    description: str = ""


@dataclass(frozen=True)
class Bound:
    """Inclusive limits a sub-label rule puts on one metric (either may be open)."""

    min: Decimal | None = None
    max: Decimal | None = None

    def holds(self, value: Decimal) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self, metric: str) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{metric} >= {self.min}")
        if self.max is not None:
            parts.append(f"{metric} <= {self.max}")
        return " and ".join(parts)


@dataclass(frozen=True)
class SubLabelRule:
    """A sub-label: its zone, the limits on metrics that give it, and the rule as published."""

    label: str
    zone: str
    when: dict[str, Bound]
    rule: str
    published: bool

    def applies(self, zone: str, metrics: dict[str, Decimal]) -> bool:
        return zone == self.zone and all(
            bound.holds(metrics[name]) for name, bound in self.when.items()
        )


@dataclass(frozen=True)
class Methodology:
    """The scoring method as data (coefficients, precision, ranges, zones, sub-labels), so a site can change it."""

    name: str
    version: str
    coefficients: dict[str, Decimal]
    precision: dict[str, int]
    ranges: dict[str, tuple[Decimal, Decimal]]
    protective_max: int
    barrier_max: int
    task_time: int
    high_score_threshold: int
    labels: dict[str, str]  # upper-case label -> split name
    rows: dict[str, tuple[str, ...]]  # "principles", "evidence", "barriers" -> the names of that table's rows
    zones: tuple[Zone, ...]
    sublabels: tuple[SubLabelRule, ...]
    source: tuple[str, ...] = field(default=())

    def zone_of(self, score: Decimal) -> str:
        """The first zone, from the top, whose minimum the score reaches."""
        for zone in self.zones:
            if score >= zone.min:
                return zone.name
        return self.zones[-1].name

    def zone_named(self, name: str) -> Zone | None:
        for zone in self.zones:
            if zone.name.casefold() == name.casefold():
                return zone
        return None

    def sublabel_of(self, zone: str, metrics: dict[str, Decimal]) -> SubLabelRule | None:
        for rule in self.sublabels:
            if rule.applies(zone, metrics):
                return rule
        return None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _decimal(value: Any, where: str, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MethodologyError(path, f"{where}: expected a number, found {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise MethodologyError(path, f"{where}: expected a number, found {value!r}") from exc


def _int(value: Any, where: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MethodologyError(path, f"{where}: expected an integer, found {value!r}")
    return value


SCORED_TABLES = ("principles", "evidence", "barriers")


def _rows(table: dict[str, Any], path: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for name in SCORED_TABLES:
        value = table.get(name)
        if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
            raise MethodologyError(path, f"rows.{name}: expected a list of row names, found {value!r}")
        rows[name] = tuple(value)
    return rows


def _table(data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise MethodologyError(path, f"[{key}]: expected a table")
    return value


T = TypeVar("T")


def _zones(data: dict[str, Any], path: str) -> list[Zone]:
    zones_data = data.get("zones")
    if not isinstance(zones_data, list) or not zones_data:
        raise MethodologyError(path, "[[zones]]: expected at least one zone")
    zones = []
    for index, item in enumerate(zones_data):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise MethodologyError(path, f"zones[{index}]: expected a table with a name")
        zones.append(Zone(item["name"], _decimal(item.get("min"), f"zones[{index}].min", path),
                          str(item.get("description", ""))))
    if any(a.min <= b.min for a, b in zip(zones, zones[1:])):
        raise MethodologyError(path, "[[zones]]: zones must be listed from the highest minimum down")
    return zones


def _sublabel(item: Any, where: str, zone_names: set[str], path: str) -> SubLabelRule:
    if not isinstance(item, dict) or not isinstance(item.get("label"), str):
        raise MethodologyError(path, f"{where}: expected a table with a label")
    if item.get("zone") not in zone_names:
        raise MethodologyError(path, f"{where}.zone: expected one of {sorted(zone_names)}, found {item.get('zone')!r}")
    when: dict[str, Bound] = {}
    for metric, bound in (item.get("when") or {}).items():
        if metric not in METRICS:
            raise MethodologyError(path, f"{where}.when: unknown metric {metric!r}; "
                                   f"expected one of {', '.join(METRICS)}")
        if not isinstance(bound, dict) or not set(bound) <= {"min", "max"}:
            raise MethodologyError(path, f"{where}.when.{metric}: expected {{ min = …, max = … }}")
        when[metric] = Bound(
            _decimal(bound["min"], f"{where}.when.{metric}.min", path) if "min" in bound else None,
            _decimal(bound["max"], f"{where}.when.{metric}.max", path) if "max" in bound else None,
        )
    return SubLabelRule(item["label"], item["zone"], when, str(item.get("rule", "")), bool(item.get("published", False)))


def _range(pair: Any, key: str, path: str) -> tuple[Decimal, Decimal]:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise MethodologyError(path, f"ranges.{key}: expected [min, max]")
    low, high = (_decimal(v, f"ranges.{key}", path) for v in pair)
    if low > high:
        raise MethodologyError(path, f"ranges.{key}: min {low} is above max {high}")
    return low, high


def _places(value: Any, key: str, path: str) -> int:
    places = _int(value, f"precision.{key}", path)
    if not 0 <= places <= 10:
        raise MethodologyError(path, f"precision.{key}: expected 0..10, found {places}")
    return places


def _build(data: dict[str, Any], path: str, sources: tuple[str, ...]) -> Methodology:
    """The methodology from its merged data. Every value is read even after a problem with another, so
    all problems are told at once (each message starts with the value it is about)."""
    problems: list[LocatedError] = []

    def read(part: Callable[[], T]) -> T | None:
        try:
            return part()
        except MethodologyError as exc:
            problems.append(exc)
            return None

    def table(key: str) -> dict[str, Any]:
        return read(lambda: _table(data, key, path)) or {}

    coefficients_data, precision_data, ranges_data = table("coefficients"), table("precision"), table("ranges")
    totals, rows_data = table("totals"), table("rows")
    coefficients = {key: read(lambda key=key: _decimal(coefficients_data.get(key), f"coefficients.{key}", path))
                    for key in COEFFICIENTS}
    if coefficients["raw_span"] == 0:
        problems.append(MethodologyError(path, "coefficients.raw_span: must not be zero"))
    precision = {key: read(lambda key=key: _places(precision_data.get(key), key, path)) for key in PRECISIONS}
    ranges = {key: read(lambda key=key: _range(ranges_data.get(key), key, path)) for key in RANGES}
    maxima = {key: read(lambda key=key: _int(totals.get(key), f"totals.{key}", path))
              for key in ("protective_max", "barrier_max", "task_time", "high_score_threshold")}
    labels = {str(k).upper(): str(v) for k, v in table("labels").items()}
    if "labels" in data and not labels:
        problems.append(MethodologyError(path, "[labels]: expected at least one Aug/Disp label"))
    rows = read(lambda: _rows(rows_data, path)) if "rows" in data else None
    zones = read(lambda: _zones(data, path))
    names = {zone.name for zone in zones or ()}
    rules = [read(lambda item=item, index=index: _sublabel(item, f"sublabels[{index}]", names, path))
             for index, item in enumerate(data.get("sublabels") or [])] if zones is not None else []
    if problems:
        raise MethodologyError.of(problems)
    return Methodology(
        name=str(data.get("name", "")),
        version=str(data.get("version", "")),
        coefficients=coefficients,  # type: ignore[arg-type]  # no None: a None would be a problem, raised above
        precision=precision,  # type: ignore[arg-type]
        ranges=ranges,  # type: ignore[arg-type]
        labels=labels,
        rows=rows,  # type: ignore[arg-type]
        zones=tuple(zones or ()),
        sublabels=tuple(rules),  # type: ignore[arg-type]
        source=sources,
        **maxima,  # type: ignore[arg-type]
    )


def default_text() -> str:
    return resources.files("builder").joinpath("data/methodology.toml").read_text(encoding="utf-8")


def load_methodology(override_text: str | None = None, override_path: str = "methodology.toml",
                     shown: str | None = None) -> Methodology:
    """The package methodology, with a site's override text merged over it (`shown`: the override's
    name on the site's pages, which must not depend on where the project lies)."""
    text = default_text()
    data = read_toml(text, "builder/data/methodology.toml", MethodologyError)
    sources = ("builder/data/methodology.toml",)
    path = "builder/data/methodology.toml"
    if override_text is not None:
        data = _merge(data, read_toml(override_text, override_path, MethodologyError))
        sources += (shown or override_path,)
        path, text = override_path, override_text
    try:
        return _build(data, path, sources)
    except MethodologyError as exc:  # each message starts with the value it is about: point at its line
        raise MethodologyError.of([MethodologyError(p.path, p.message, *key_position(text, p.message.partition(":")[0]))
                                   for p in (exc, *exc.more)]) from None


def load_methodology_file(path: Path | None, shown: str | None = None) -> Methodology:
    """I/O edge: read the site's override file, if there is one."""
    if path is None or not path.exists():
        return load_methodology()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MethodologyError(str(path), f"cannot read: {exc}") from exc
    return load_methodology(text, str(path), shown)
