"""Server-rendered SVG charts: pure functions from numbers to markup.

The machine that serves the dashboard may have no internet and there is no JavaScript build, so charts
are inline SVG strings. Every chart is an image to assistive technology (``role="img"`` with an
``aria-label``), every label is escaped, and every bar or point carries ``data-value`` with the number
it draws, so that a reader (or a browser test) gets the exact figure rather than a pixel height.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "PALETTE",
    "Bar",
    "Series",
    "bar_chart",
    "histogram",
    "histogram_bins",
    "horizontal_bar_chart",
    "line_chart",
    "stacked_bar_chart",
]

PALETTE: tuple[str, ...] = ("#1f5f99", "#e08a1e", "#3f9a5a", "#8e4fa8", "#c0392b", "#5f6b7a")
_INK = "#1d2733"
_MUTED = "#5f6b7a"
_GRID = "#e3e7ec"
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str | None = None  # shown on the bar; the formatted value when absent
    color: str | None = None
    tooltip: str | None = None  # longer hover text; the shown text when absent


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float]
    color: str


Format = Callable[[float], str]


def _number(value: float) -> str:
    """Short human form: thousands separators for whole numbers, three significant digits otherwise."""
    if math.isfinite(value) and value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _data(value: float) -> str:
    # Machine form for data-value: no separators, enough digits to compare with the tables.
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return f"{value:.6g}"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _ticks(top: float, count: int = 4, integer: bool = False) -> list[float]:
    """Round gridline values from 0 to at least ``top``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not math.isfinite(top) or top <= 0:
        top = 1.0
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    steps = math.ceil(top / step - 1e-9)
    return [i * step for i in range(steps + 1)]


def _open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_e(label)}" {_FONT}>'
        f"<title>{_e(label)}</title>"
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _every(count: int, room: float, per_label: float) -> int:
    """Show every n-th category label so that labels do not overlap."""
    fits = max(1, int(room // per_label))
    return max(1, math.ceil(count / fits))


def _value_axis(
    parts: list[str], ticks: list[float], left: int, right: int, top: int, bottom: int, fmt: Format
) -> Callable[[float], float]:
    """Draw horizontal gridlines with labels; return the value → y mapping."""
    high = ticks[-1] or 1.0

    def y(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(value, high)) / high

    for tick in ticks:
        ty = y(tick)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{_GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="{_MUTED}">{_e(fmt(tick))}</text>'
        )
    return y


def bar_chart(
    bars: Sequence[Bar],
    *,
    label: str,
    width: int = 640,
    height: int = 240,
    color: str = PALETTE[0],
    value_format: Format = _number,
    integer: bool = False,
    show_values: bool | None = None,
    gap: float = 0.2,
) -> str:
    """Vertical bars, one per category, on a zero-based value axis."""
    left, right, top, bottom = 52, width - 10, 14, height - 30
    parts = [_open(width, height, label)]
    ticks = _ticks(max((b.value for b in bars), default=0.0), integer=integer)
    y = _value_axis(parts, ticks, left, right, top, bottom, value_format)
    band = (right - left) / max(len(bars), 1)
    label_every = _every(len(bars), right - left, 44)
    values_shown = len(bars) <= 12 if show_values is None else show_values
    for i, bar in enumerate(bars):
        x = left + i * band + band * gap / 2
        w = max(band * (1 - gap), 1.0)
        by = y(bar.value)
        text = bar.text if bar.text is not None else value_format(bar.value)
        parts.append(
            f'<rect x="{x:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bottom - by:.1f}" '
            f'fill="{bar.color or color}" data-label="{_e(bar.label)}" data-value="{_data(bar.value)}">'
            f"<title>{_e(bar.label)}: {_e(bar.tooltip or text)}</title></rect>"
        )
        if values_shown:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{by - 4:.1f}" text-anchor="middle" fill="{_INK}">'
                f"{_e(text)}</text>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{_MUTED}">'
                f"{_e(_truncate(bar.label, 14))}</text>"
            )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{_MUTED}"/></svg>')
    return "".join(parts)


def horizontal_bar_chart(
    bars: Sequence[Bar],
    *,
    label: str,
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 230,
    color: str = PALETTE[0],
    value_format: Format = _number,
) -> str:
    """One row per category, label on the left and the number at the end of the bar (top-N lists)."""
    text_room = 150
    height = max(len(bars), 1) * (bar_height + 6) + 8
    left, right = label_width, width - text_room
    high = max((b.value for b in bars), default=0.0) or 1.0
    parts = [_open(width, height, label)]
    for i, bar in enumerate(bars):
        y = 4 + i * (bar_height + 6)
        w = (right - left) * max(bar.value, 0.0) / high
        text = bar.text if bar.text is not None else value_format(bar.value)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" fill="{_INK}">'
            f"{_e(_truncate(bar.label, label_width // 6))}</text>"
            f'<rect x="{left}" y="{y}" width="{max(w, 1.0):.1f}" height="{bar_height}" rx="2" '
            f'fill="{bar.color or color}" data-label="{_e(bar.label)}" data-value="{_data(bar.value)}">'
            f"<title>{_e(bar.label)}: {_e(bar.tooltip or text)}</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + bar_height * 0.68:.1f}" fill="{_INK}">{_e(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[Series], x: int, y: int) -> str:
    parts = []
    for s in series:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{x + 14}" y="{y}" fill="{_INK}">{_e(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return "".join(parts)


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    width: int = 640,
    height: int = 260,
    value_format: Format = _number,
    integer: bool = False,
) -> str:
    """One bar per category, made of one segment per series (bottom to top in series order)."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories")
    left, right, top, bottom = 52, width - 10, 28, height - 30
    parts = [_open(width, height, label), _legend(series, left, 14)]
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = _ticks(max(totals, default=0.0), integer=integer)
    y = _value_axis(parts, ticks, left, right, top, bottom, value_format)
    band = (right - left) / max(len(categories), 1)
    w = max(min(band * 0.7, 90.0), 1.0)
    label_every = _every(len(categories), right - left, 70)
    for i, category in enumerate(categories):
        x = left + i * band + (band - w) / 2
        base = 0.0
        for s in series:
            value = s.values[i]
            y0, y1 = y(base), y(base + value)
            parts.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{w:.1f}" height="{y0 - y1:.1f}" fill="{s.color}" '
                f'data-series="{_e(s.name)}" data-label="{_e(category)}" data-value="{_data(value)}">'
                f"<title>{_e(category)} · {_e(s.name)}: {_e(value_format(value))}</title></rect>"
            )
            base += value
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{_MUTED}">'
                f"{_e(category)}</text>"
            )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{_MUTED}"/></svg>')
    return "".join(parts)


def line_chart(
    points: Sequence[tuple[float, float]],
    *,
    label: str,
    width: int = 640,
    height: int = 240,
    y_max: float | None = None,
    x_format: Format = _number,
    y_format: Format = _number,
    x_ticks: Sequence[float] = (),
    markers: Sequence[float] = (),
    color: str = PALETTE[0],
) -> str:
    """A line through (x, y) points in x order, a dot per point; ``markers`` are dashed vertical rules
    at chosen x values (e.g. a 24-hour target)."""
    left, right, top, bottom = 52, width - 14, 14, height - 30
    ordered = sorted(points)
    parts = [_open(width, height, label)]
    ticks = _ticks(y_max if y_max is not None else max((p[1] for p in ordered), default=0.0))
    y = _value_axis(parts, ticks, left, right, top, bottom, y_format)
    x_low = min((p[0] for p in ordered), default=0.0)
    x_high = max((p[0] for p in ordered), default=1.0)
    span = (x_high - x_low) or 1.0

    def x(value: float) -> float:
        return left + (right - left) * (value - x_low) / span

    for tick in x_ticks or (x_low, x_high):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{bottom + 16}" text-anchor="middle" fill="{_MUTED}">'
            f"{_e(x_format(tick))}</text>"
        )
    for marker in markers:
        if x_low <= marker <= x_high:
            parts.append(
                f'<line x1="{x(marker):.1f}" x2="{x(marker):.1f}" y1="{top}" y2="{bottom}" '
                f'stroke="{_MUTED}" stroke-dasharray="4 3"/>'
            )
    if ordered:
        path = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in ordered)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
    for px, py in ordered:
        parts.append(
            f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="2.5" fill="{color}" '
            f'data-x="{_data(px)}" data-value="{_data(py)}">'
            f"<title>{_e(x_format(px))}: {_e(y_format(py))}</title></circle>"
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{_MUTED}"/></svg>')
    return "".join(parts)


def histogram_bins(values: Sequence[float], bin_width: float = 1.0, limit: float = 48.0) -> list[Bar]:
    """Counts in bins [k w, (k + 1) w) from 0 up to ``limit``, then one overflow bin ``≥ limit``.

    A value below zero (a release stamped before the arrival) is a data problem worth seeing, so it gets
    a bin of its own, shown only when there is one.
    """
    if not (bin_width > 0 and limit > 0):
        raise ValueError("bin_width and limit must be positive")
    bins = math.ceil(limit / bin_width)
    counts = [0] * bins
    below = over = 0
    for value in values:
        if value < 0:
            below += 1
        elif value >= limit:
            over += 1
        else:
            counts[min(int(value // bin_width), bins - 1)] += 1
    out = [Bar("< 0", below)] if below else []
    out += [Bar(_number(k * bin_width), n) for k, n in enumerate(counts)]
    out.append(Bar(f"≥ {_number(limit)}", over, color=PALETTE[1]))
    return out


def histogram(
    values: Sequence[float],
    *,
    label: str,
    bin_width: float = 1.0,
    limit: float = 48.0,
    width: int = 640,
    height: int = 240,
) -> str:
    """Distribution of ``values`` in fixed-width bins, adjacent bars, the overflow bin in another colour."""
    return bar_chart(
        histogram_bins(values, bin_width, limit),
        label=label,
        width=width,
        height=height,
        integer=True,
        show_values=False,
        gap=0.08,
    )
