"""The report's charts written as SVG text: lines, steps, shaded stretches, bars and threshold
levels on a time or sample axis. No plotting library: matplotlib's import alone cost a
checkpoint run more than its queries (measured in ci/bench)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from html import escape

WIDTH, HEIGHT = 810, 252
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 30, 40
COLOURS = {
    "blue": "#1f77b4",
    "orange": "#ff7f0e",
    "red": "#d62728",
    "green": "#2ca02c",
    "gray": "#7f7f7f",
    "purple": "#9467bd",
    "black": "#000000",
}
# Time-axis tick spacings (seconds): the first giving at most MAX_TICKS ticks is used.
TICK_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_TICKS = 6


@dataclass(frozen=True)
class Line:
    xs: Sequence[float]
    ys: Sequence[float]
    colour: str = "blue"
    markers: bool = True
    joined: bool = True
    label: str = ""
    # Per-point colours (a state per point); overrides `colour` for the markers.
    point_colours: Sequence[str] = ()
    step: bool = False  # each value holds until the next point (a state, not a trend)
    dashed: bool = False


@dataclass(frozen=True)
class Span:
    """A shaded stretch of the x axis (a disconnection, a peak period)."""

    x0: float
    x1: float
    colour: str
    opacity: float = 0.25


@dataclass(frozen=True)
class Mark:
    """A moment marked across the plot (a restart): a vertical line and its label."""

    x: float
    label: str
    colour: str = "black"


@dataclass(frozen=True)
class Bar:
    """A horizontal segment: one value held over a stretch (a period's average)."""

    x0: float
    x1: float
    y: float
    colour: str


@dataclass(frozen=True)
class Chart:
    title: str
    y_label: str
    lines: Sequence[Line]
    levels: Sequence[tuple[float, str, str]] = ()  # (y, label, colour): dashed thresholds
    x_ticks: Sequence[tuple[float, str]] = ()  # (x, label)
    legend: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, colour)
    spans: Sequence[Span] = ()
    bars: Sequence[Bar] = ()
    marks: Sequence[Mark] = ()
    y_ticks: Sequence[tuple[float, str]] = ()  # fixed gridlines and labels; else round steps
    y_range: tuple[float, float] | None = None  # else 0 to a round top above the data
    x_range: tuple[float, float] | None = None  # else the data's
    x_label: str = ""

    def x_extent(self) -> tuple[float, float]:
        """The x range drawn: `x_range`, else from the lines, spans and bars."""
        if self.x_range:
            return self.x_range
        xs = [x for line in self.lines for x in line.xs]
        xs += [x for s in self.spans for x in (s.x0, s.x1)]
        xs += [x for b in self.bars for x in (b.x0, b.x1)]
        return (min(xs), max(xs)) if xs else (0.0, 1.0)


def _axis(value: float) -> tuple[float, float]:
    """(top, step): a round step of 1, 2 or 5 x 10^k giving 3 to 5 gridlines above zero."""
    value = value if value > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(value / 4))
    step = next(m * magnitude for m in (1, 2, 5, 10) if value / (m * magnitude) <= 5)
    return math.ceil(value / step) * step, step


def _round_ticks(bottom: float, top: float) -> list[tuple[float, str]]:
    step = _axis(top - bottom)[1] if top > bottom else 1.0
    first = math.ceil(bottom / step - 1e-9)
    values = [(first + i) * step for i in range(int((top - bottom) / step) + 2)]
    return [(v, f"{v:g}") for v in values if bottom - 1e-9 <= v <= top + 1e-9]


def time_ticks(x0: float, x1: float, zone: tzinfo) -> list[tuple[float, str]]:
    """Ticks at round local times (whole hours, quarter hours...) between two unix times."""
    step = next((s for s in TICK_STEPS if (x1 - x0) / s <= MAX_TICKS), TICK_STEPS[-1])
    local = datetime.fromtimestamp(x0, zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    k = math.ceil((local - midnight).total_seconds() / step)
    ticks: list[tuple[float, str]] = []
    while True:
        moment = midnight + timedelta(seconds=k * step)
        x = moment.timestamp()
        if x > x1:
            return ticks
        ticks.append((x, f"{moment:%m-%d %H:%M}"))
        k += 1


def _step_points(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    step_xs, step_ys = [], []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i:
            step_xs.append(x)
            step_ys.append(ys[i - 1])
        step_xs.append(x)
        step_ys.append(y)
    return step_xs, step_ys


def _columns(
    points: list[tuple[float, float]], gap: float = 2.0
) -> list[list[tuple[float, float, float, float]]]:
    """A dense line summarised per pixel column: (x, lowest, median, highest) of the points in
    each column, in stretches broken where more than `gap` columns hold no point (a hole in the
    data is not drawn over)."""
    by_column: dict[int, list[float]] = {}
    for x, y in points:
        by_column.setdefault(int(x), []).append(y)
    stretches: list[list[tuple[float, float, float, float]]] = []
    previous: int | None = None
    for column in sorted(by_column):
        ys = sorted(by_column[column])
        middle = len(ys) // 2
        median = ys[middle] if len(ys) % 2 else (ys[middle - 1] + ys[middle]) / 2
        if previous is None or column - previous > gap:
            stretches.append([])
        stretches[-1].append((column + 0.5, ys[0], median, ys[-1]))
        previous = column
    return stretches


def _dense(points: list[tuple[float, float]], colour: str, dashed: bool) -> list[str]:
    """The min-max band and the median line of each stretch of pixel columns."""
    out = []
    for stretch in _columns(points):
        # SVG y grows downwards: the highest value is the smallest y.
        upper = [f"{x:.1f},{low:.1f}" for x, low, _, _ in stretch]
        lower = [f"{x:.1f},{high:.1f}" for x, _, _, high in reversed(stretch)]
        out.append(
            f'<polygon points="{" ".join(upper + lower)}" fill="{COLOURS[colour]}" '
            'fill-opacity="0.3" stroke="none"/>'
        )
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        median = " ".join(f"{x:.1f},{mid:.1f}" for x, _, mid, _ in stretch)
        out.append(
            f'<polyline points="{median}" fill="none" stroke="{COLOURS[colour]}" '
            f'stroke-width="1.5"{dash}/>'
        )
    return out


def render(chart: Chart) -> bytes:
    x0, x1 = chart.x_extent()
    if x1 == x0:
        x1 = x0 + 1
    if chart.y_range:
        bottom, top = chart.y_range
    else:
        ys = [y for line in chart.lines for y in line.ys] + [y for y, _, _ in chart.levels]
        ys += [b.y for b in chart.bars]
        bottom, top = 0.0, _axis(max(ys, default=1.0) * 1.05)[0]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (min(max(x, x0), x1) - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - (min(max(y, bottom), top) - bottom) / (top - bottom) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">'
        f"{escape(chart.title)}</text>",
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{escape(chart.y_label)}</text>',
    ]
    for span in chart.spans:
        left, right = px(span.x0), px(span.x1)
        out.append(
            f'<rect x="{left:.1f}" y="{TOP}" width="{max(right - left, 2.0):.1f}" '
            f'height="{plot_h}" fill="{COLOURS[span.colour]}" fill-opacity="{span.opacity}"/>'
        )
    grid = chart.y_ticks or _round_ticks(bottom, top)
    for value, label in grid:
        y = py(value)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>'
    )
    for x, label in chart.x_ticks:
        # Labels at the edges grow inwards, so none is cut off.
        anchor = "start" if px(x) - LEFT < 40 else "end" if LEFT + plot_w - px(x) < 40 else "middle"
        out.append(
            f'<text x="{px(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    if chart.x_label:
        out.append(
            f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle">'
            f"{escape(chart.x_label)}</text>"
        )
    for y, label, colour in chart.levels:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
            f'stroke="{COLOURS[colour]}" stroke-dasharray="5 4"/>'
            f'<text x="{LEFT + plot_w - 4}" y="{py(y) - 4:.1f}" text-anchor="end" '
            f'fill="{COLOURS[colour]}">{escape(label)}</text>'
        )
    for bar in chart.bars:
        out.append(
            f'<line x1="{px(bar.x0):.1f}" x2="{px(bar.x1):.1f}" y1="{py(bar.y):.1f}" '
            f'y2="{py(bar.y):.1f}" stroke="{COLOURS[bar.colour]}" stroke-width="4"/>'
        )
    for mark in chart.marks:
        x = px(mark.x)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
            f'stroke="{COLOURS[mark.colour]}" stroke-dasharray="2 2"/>'
            f'<text x="{x + 3:.1f}" y="{TOP + 10}" fill="{COLOURS[mark.colour]}">'
            f"{escape(mark.label)}</text>"
        )
    for line in chart.lines:
        # More points than pixel columns: each column's min-max band and median, not every
        # sample (a day of 15 s samples drawn one by one is a solid block).
        dense = line.joined and len(line.xs) > plot_w
        line_xs, line_ys = (
            _step_points(line.xs, line.ys)
            if line.step and not dense
            else (list(line.xs), list(line.ys))
        )
        points = [(px(x), py(y)) for x, y in zip(line_xs, line_ys, strict=True)]
        if dense:
            out += _dense(points, line.colour, line.dashed)
        elif line.joined and len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="6 4"' if line.dashed else ""
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{COLOURS[line.colour]}" '
                f'stroke-width="1.5"{dash}/>'
            )
        if line.markers and not dense:
            colours = line.point_colours or [line.colour] * len(points)
            out += [
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS[c]}"/>'
                for (x, y), c in zip(points, colours, strict=True)
            ]
    for i, (label, colour) in enumerate(chart.legend):
        y = TOP + 14 + 14 * i
        out.append(
            f'<circle cx="{LEFT + 12}" cy="{y - 4}" r="4" fill="{COLOURS[colour]}"/>'
            f'<text x="{LEFT + 20}" y="{y}">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out).encode()
