"""Charts as plain SVG strings: no JavaScript, readable in print, zones named in text.

Pure: numbers in, markup out. Every text is escaped here, since the caller inserts
the SVG as trusted markup. Colours come from CSS classes (with fill attributes as a
fallback when the SVG is viewed on its own), and every zone, score and share is also
written as a text label, so nothing is conveyed by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from builder.methodology import Zone
from builder.numbers import format_number
from builder.slugs import slugify

WIDTH = 640
LEFT, RIGHT = 24, 616  # the 0..100 axis
SCALE_MAX = Decimal(100)
_FILLS = {"green": "#bfe3c0", "yellow": "#f6e39b", "red": "#f3b8b0"}
_SCORE_FILLS = ("#e8eef7", "#c6d6ee", "#93b2de", "#5b87c7", "#2f5fa8")
_DARK_FILLS = frozenset({"#5b87c7", "#2f5fa8", "#d9534f"})  # labels on these are drawn in white
_SPLIT_FILLS = {"displacement": "#d9534f", "augmentation": "#5b87c7", "not-involved": "#b9b9b9"}
CHAR_WIDTH = 6.4  # rough width of one 11px character, to keep labels from overlapping


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _slug(name: str) -> str:
    try:
        return slugify(name)
    except ValueError:
        return "other"


def _x(score: Decimal) -> float:
    clamped = min(max(score, Decimal(0)), SCALE_MAX)
    return LEFT + float(clamped / SCALE_MAX) * (RIGHT - LEFT)


@dataclass(frozen=True)
class Band:
    """One zone's stretch of the 0..100 scale, with the range as reports write it."""

    name: str
    low: Decimal
    high: Decimal  # exclusive, except for the top band
    text: str


def bands(zones: tuple[Zone, ...]) -> list[Band]:
    found = []
    upper: Decimal | None = None
    for zone in zones:
        high = SCALE_MAX if upper is None else upper
        if upper is None:
            text = f"\u2265{format_number(zone.min)}"
        elif zone.min <= 0:
            text = f"<{format_number(upper)}"
        else:
            step = Decimal(1) if upper == upper.to_integral_value() else Decimal("0.1")
            text = f"{format_number(zone.min)}\u2013{format_number(upper - step)}"
        found.append(Band(zone.name, max(zone.min, Decimal(0)), high, text))
        upper = zone.min
    return found


def _open(chart_id: str, height: float, title: str, desc: str, kind: str) -> list[str]:
    return [
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(desc)}</desc>',
    ]


def _band_rects(zones: tuple[Zone, ...], top: float, height: float) -> list[str]:
    parts = []
    for band in bands(zones):
        x0, x1 = _x(band.low), _x(band.high)
        slug = _slug(band.name)
        parts.append(f'<rect class="band zone-{slug}" x="{_f(x0)}" y="{_f(top)}" width="{_f(x1 - x0)}" '
                     f'height="{_f(height)}" fill="{_FILLS.get(slug, "#dddddd")}"/>')
    return parts


def _band_labels(zones: tuple[Zone, ...], y: float, halo: bool) -> list[str]:
    """Each zone's name and range, centred on its band (drawn last, so nothing covers them)."""
    parts = []
    for band in bands(zones):
        x0, x1 = _x(band.low), _x(band.high)
        label = f"{band.name} {band.text}" if (x1 - x0) > CHAR_WIDTH * (len(band.name) + len(band.text) + 3) \
            else band.name
        style = (' class="band-label halo" fill="#222" stroke="#fff" stroke-opacity="0.7" stroke-width="3"'
                 if halo else ' class="band-label" fill="currentColor"')
        parts.append(f'<text{style} x="{_f((x0 + x1) / 2)}" y="{_f(y)}" text-anchor="middle">{_e(label)}</text>')
    return parts


def _axis(zones: tuple[Zone, ...], y: float) -> list[str]:
    ticks = sorted({Decimal(0), SCALE_MAX, *(b.low for b in bands(zones) if b.low > 0)})
    parts = [f'<line class="axis" x1="{LEFT}" y1="{_f(y)}" x2="{RIGHT}" y2="{_f(y)}" stroke="currentColor"/>']
    for tick in ticks:
        x = _x(tick)
        parts.append(f'<line class="axis" x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x)}" y2="{_f(y + 4)}" '
                     'stroke="currentColor"/>')
        parts.append(f'<text class="tick" x="{_f(x)}" y="{_f(y + 16)}" text-anchor="middle" fill="currentColor">'
                     f'{_e(format_number(tick))}</text>')
    return parts


def _anchor(x: float, width: float) -> tuple[float, str]:
    """Place a label at x, flipping to the left when it would run off the right edge."""
    if x + width > WIDTH - 4:
        return x - 6, "end"
    return x + 6, "start"


def score_position(chart_id: str, title: str, score: Decimal, label: str, zones: tuple[Zone, ...],
                   peers: list[tuple[str, Decimal, str]]) -> str:
    """Where a score sits on 0..100 among the zone bands, with the cited peers' scores below."""
    bar_top, bar_h = 30.0, 36.0
    axis_y = bar_top + bar_h
    rows: list[list[tuple[float, float]]] = []
    placed: list[tuple[str, Decimal, str, int, float, str]] = []
    for name, value, zone in sorted(peers, key=lambda p: (p[1], p[0])):
        text = f"{name} {format_number(value)}"
        x = _x(value)
        width = CHAR_WIDTH * len(text) + 8
        tx, anchor = _anchor(x, width)
        span = (tx, tx + width) if anchor == "start" else (tx - width, tx)
        row = next((i for i, spans in enumerate(rows) if all(span[1] < a or span[0] > b for a, b in spans)), None)
        if row is None:
            rows.append([])
            row = len(rows) - 1
        rows[row].append(span)
        placed.append((name, value, zone, row, tx, anchor))
    first_row = axis_y + 40
    height = first_row + 20 * len(rows) + (8 if rows else 0)
    band_text = ", ".join(f"{b.name} {b.text}" for b in bands(zones))
    peer_text = "; ".join(f"{n} {format_number(v)} ({z})" for n, v, z, *_ in placed)
    desc = f"{title} scores {format_number(score)} of 100: {label}. Zone bands: {band_text}."
    if peer_text:
        desc += f" Cited roles: {peer_text}."
    parts = _open(chart_id, height, f"Score position of {title}", desc, "position")
    parts += _band_rects(zones, bar_top, bar_h)
    parts += _axis(zones, axis_y)
    for name, value, zone, row, tx, anchor in placed:
        x, y = _x(value), first_row + 20 * row
        parts.append(f'<g class="peer"><title>{_e(f"{name}: {format_number(value)} ({zone})")}</title>'
                     f'<line x1="{_f(x)}" y1="{_f(axis_y + 20)}" x2="{_f(x)}" y2="{_f(y - 4)}" stroke="currentColor" '
                     f'stroke-dasharray="2 2" opacity="0.6"/>'
                     f'<circle cx="{_f(x)}" cy="{_f(y - 4)}" r="3.5" fill="currentColor"/>'
                     f'<text x="{_f(tx)}" y="{_f(y)}" text-anchor="{anchor}" fill="currentColor">'
                     f'{_e(name)} {_e(format_number(value))}</text></g>')
    x = _x(score)
    text = f"{format_number(score)} \u00b7 {label}"
    tx, anchor = _anchor(x, CHAR_WIDTH * len(text) + 8)
    parts.append(f'<g class="marker"><line x1="{_f(x)}" y1="{_f(bar_top - 8)}" x2="{_f(x)}" y2="{_f(axis_y + 4)}" '
                 f'stroke="currentColor" stroke-width="3"/>'
                 f'<text class="marker-label" x="{_f(tx)}" y="{_f(bar_top - 12)}" text-anchor="{anchor}" '
                 f'fill="currentColor" font-weight="bold">{_e(text)}</text></g>')
    parts += _band_labels(zones, bar_top + bar_h / 2 + 4, halo=True)
    parts.append("</svg>")
    return "\n".join(parts)


def _segments(y: float, height: float, items: list[tuple[str, Decimal, str, str]]) -> list[str]:
    """A 100% stacked bar: (label, share, css class, fill) per segment, labelled when wide enough."""
    parts = []
    total = sum((share for _, share, _, _ in items), Decimal(0)) or Decimal(1)
    x = float(LEFT)
    for label, share, css, fill in items:
        width = float(share / total) * (RIGHT - LEFT)
        if width <= 0:
            continue
        text = f"{label}: {format_number(share)}%"
        parts.append(f'<g class="seg {css}"><title>{_e(text)}</title>'
                     f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="{_f(height)}" fill="{fill}" '
                     f'stroke="#fff" stroke-width="1"/>')
        short = f"{format_number(share)}%"
        if width > CHAR_WIDTH * len(short) + 6:
            ink = "#fff" if fill in _DARK_FILLS else "#111"
            parts.append(f'<text x="{_f(x + width / 2)}" y="{_f(y + height / 2 + 4)}" text-anchor="middle" '
                         f'fill="{ink}">{_e(short)}</text>')
        parts.append("</g>")
        x += width
    return parts


def _legend(y: float, items: list[tuple[str, Decimal, str, str]]) -> tuple[list[str], float]:
    parts = []
    x = float(LEFT)
    for label, share, css, fill in items:
        text = f"{label}: {format_number(share)}%"
        width = CHAR_WIDTH * len(text) + 26
        if x + width > RIGHT:
            x, y = float(LEFT), y + 18
        parts.append(f'<rect class="key {css}" x="{_f(x)}" y="{_f(y - 10)}" width="11" height="11" fill="{fill}"/>'
                     f'<text x="{_f(x + 16)}" y="{_f(y)}" fill="currentColor">{_e(text)}</text>')
        x += width
    return parts, y


def task_breakdown(chart_id: str, title: str, time_by_score: list[tuple[int, Decimal]],
                   splits: list[tuple[str, Decimal]]) -> str:
    """Share of task time per task score (1-5), and displacement vs augmentation vs not involved."""
    scores = [(f"Score {s}", share, f"s{min(max(s, 1), 5)}", _SCORE_FILLS[min(max(s, 1), 5) - 1])
              for s, share in time_by_score]
    split_items = [(name[:1].upper() + name[1:], share, f"split-{_slug(name)}",
                    _SPLIT_FILLS.get(_slug(name), "#999999")) for name, share in splits]
    parts: list[str] = []
    y = 20.0
    parts.append(f'<text class="heading" x="{LEFT}" y="{_f(y)}" fill="currentColor" font-weight="bold">'
                 "Share of task time by task score (higher = more automatable)</text>")
    parts += _segments(y + 8, 28, scores)
    legend, y = _legend(y + 54, scores)
    parts += legend
    y += 32
    parts.append(f'<text class="heading" x="{LEFT}" y="{_f(y)}" fill="currentColor" font-weight="bold">'
                 "Displacement vs augmentation (share of task time)</text>")
    parts += _segments(y + 8, 28, split_items)
    legend, y = _legend(y + 54, split_items)
    parts += legend
    height = y + 12
    desc = ("Task time by score: " + ", ".join(f"{label} {format_number(s)}%" for label, s, *_ in scores)
            + ". Split: " + ", ".join(f"{label} {format_number(s)}%" for label, s, *_ in split_items) + ".")
    return "\n".join([*_open(chart_id, height, f"Task decomposition of {title}", desc, "tasks"), *parts, "</svg>"])


def distribution(chart_id: str, roles: list[tuple[str, Decimal, str]], zones: tuple[Zone, ...],
                 bin_width: int = 5) -> str:
    """How many roles score in each bin of 0..100, over the zone bands."""
    count = 100 // bin_width
    bins: list[list[tuple[str, Decimal, str]]] = [[] for _ in range(count)]
    for role in sorted(roles, key=lambda r: (r[1], r[0])):
        clamped = min(max(role[1], Decimal(0)), SCALE_MAX)
        bins[min(int(clamped // bin_width), count - 1)].append(role)
    tallest = max((len(b) for b in bins), default=0) or 1
    plot_top, plot_h = 24.0, 120.0
    base = plot_top + plot_h
    parts = _band_rects(zones, plot_top, plot_h)
    step = (RIGHT - LEFT) / count
    for index, members in enumerate(bins):
        if not members:
            continue
        height = (plot_h - 16) * len(members) / tallest
        x = LEFT + index * step
        low, high = index * bin_width, (index + 1) * bin_width
        names = "; ".join(f"{name} {format_number(score)}" for name, score, _ in members)
        parts.append(f'<g class="bin"><title>{_e(f"{low}-{high}: {names}")}</title>'
                     f'<rect class="bar" x="{_f(x + 2)}" y="{_f(base - height)}" width="{_f(step - 4)}" '
                     f'height="{_f(height)}" fill="currentColor" opacity="0.75"/>'
                     f'<text x="{_f(x + step / 2)}" y="{_f(base - height - 4)}" text-anchor="middle" '
                     f'fill="currentColor">{len(members)}</text></g>')
    parts += _axis(zones, base)
    label_y = base + 34
    parts += _band_labels(zones, label_y, halo=False)
    per_zone = ", ".join(f"{b.name} {sum(1 for r in roles if r[2] == b.name)}" for b in bands(zones))
    desc = f"{len(roles)} scored role{'s' if len(roles) != 1 else ''} on the 0-100 scale; by zone: {per_zone}."
    title = "Distribution of scores"
    return "\n".join([*_open(chart_id, label_y + 10, title, desc, "distribution"), *parts, "</svg>"])
