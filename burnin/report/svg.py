"""Small line charts written as SVG text: the plots of a smoke run (a few dozen points) drawn
without importing matplotlib, whose import alone costs more than a smoke check's work."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
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
}


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


@dataclass(frozen=True)
class Chart:
    title: str
    y_label: str
    lines: Sequence[Line]
    levels: Sequence[tuple[float, str, str]] = ()  # (y, label, colour): dashed thresholds
    x_ticks: Sequence[tuple[float, str]] = ()  # (x, label)
    legend: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, colour)


def _axis(value: float) -> tuple[float, float]:
    """(top, step): a round step of 1, 2 or 5 x 10^k giving 3 to 5 gridlines above zero."""
    value = value if value > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(value / 4))
    step = next(m * magnitude for m in (1, 2, 5, 10) if value / (m * magnitude) <= 5)
    return math.ceil(value / step) * step, step


def render(chart: Chart) -> bytes:
    xs = [x for line in chart.lines for x in line.xs]
    ys = [y for line in chart.lines for y in line.ys] + [y for y, _, _ in chart.levels]
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x1 == x0:
        x1 = x0 + 1
    top, step = _axis(max(ys, default=1.0) * 1.05)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - max(0.0, y) / top * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">'
        f"{escape(chart.title)}</text>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#444"/>',
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{escape(chart.y_label)}</text>',
    ]
    for i in range(round(top / step) + 1):
        value = step * i
        y = py(value)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    for x, label in chart.x_ticks:
        # Labels at the edges grow inwards, so none is cut off.
        anchor = "start" if x == x0 else "end" if x == x1 else "middle"
        out.append(
            f'<text x="{px(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    for y, label, colour in chart.levels:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
            f'stroke="{COLOURS[colour]}" stroke-dasharray="5 4"/>'
            f'<text x="{LEFT + plot_w - 4}" y="{py(y) - 4:.1f}" text-anchor="end" '
            f'fill="{COLOURS[colour]}">{escape(label)}</text>'
        )
    for line in chart.lines:
        points = [(px(x), py(y)) for x, y in zip(line.xs, line.ys, strict=True)]
        if line.joined and len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{COLOURS[line.colour]}" '
                'stroke-width="1.5"/>'
            )
        if line.markers:
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
