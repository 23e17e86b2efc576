"""The report's plots, drawn from what the criteria already fetched (no query of their own).
A plot whose data is missing, or whose drawing fails, becomes a note: the report still renders."""

from __future__ import annotations

import base64
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from burnin.report import svg
from burnin.report.model import RangeAnswer, RunRecord
from burnin.report.timeline import disconnections, notable_events, parse_period, traffic_periods


@dataclass(frozen=True)
class Plot:
    name: str  # connection, error-rate, memory, health-latency, users
    title: str
    image: bytes | None  # SVG
    note: str = ""  # why there is no image, or what the image is drawn from

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.image or b"").decode("ascii")


class MissingData(Exception):
    """The criteria did not fetch what this plot needs."""


def _time_chart(record: RunRecord, title: str, y_label: str, **parts: Any) -> bytes:
    """A chart over time: x in unix seconds, ticks at round times of the report's zone."""
    chart = svg.Chart(title, y_label, parts.pop("lines", []), **parts)
    x0, x1 = chart.x_extent()
    zone = record.timezone
    return svg.render(
        replace(chart, x_ticks=svg.time_ticks(x0, x1, zone), x_label=f"time ({zone.key})")
    )


def series_note(answer: RangeAnswer, what: str = "") -> str:
    """Which series a plot draws and at which step, and how it is drawn when dense."""
    points = max((len(s.points) for s in answer.series), default=0)
    span_s = (answer.end - answer.start).total_seconds()
    columns = svg.WIDTH - svg.LEFT - svg.RIGHT
    drawn = (
        f"; drawn per pixel column (about {span_s / columns:.0f} s): min-max band and median"
        if points > columns
        else ""
    )
    return f"{what or answer.query}, a sample every {answer.step_s} s{drawn}"


def restart_marks(record: RunRecord) -> list[svg.Mark]:
    """The restarts the evidence dates, marked across a time plot."""
    return [
        svg.Mark(event.at.timestamp(), "restart", "red")
        for event in notable_events(record)
        if event.kind == "restart" and event.at is not None
    ]


def connection_plot(record: RunRecord) -> tuple[bytes, str]:
    answer = record.ranges.get("bot_connected")
    if answer is None or not any(s.points for s in answer.series):
        raise MissingData(
            "no bot_connected range was fetched (longest-disconnect/coverage did not run)"
        )
    image = _time_chart(
        record,
        "bot_connected (disconnections shaded red)",
        "",
        lines=[
            svg.Line(
                [t for t, _ in s.points], [v for _, v in s.points], "green", markers=False,
                step=True,
            )
            for s in answer.series
        ],
        spans=[svg.Span(start, start + seconds, "red", 0.3) for start, seconds in disconnections(answer)],
        marks=restart_marks(record),
        y_range=(-0.1, 1.2),
        y_ticks=[(0.0, "down"), (1.0, "up")],
    )  # fmt: skip
    return image, series_note(answer) + "; disconnections shaded red, restarts marked"


def error_rate_plot(record: RunRecord) -> tuple[bytes, str]:
    answer = record.ranges.get("bot_errors_total")
    bars = []
    if answer is None or not any(len(s.points) > 1 for s in answer.series):
        # The error criteria keep scalars only; the traffic criteria keep errors per period.
        for kind, rows in traffic_periods(record).items():
            for row in rows:
                span = parse_period(row["period"], record.timezone)
                if span is None or row.get("errors") is None:
                    continue
                minutes = (span[1] - span[0]).total_seconds() / 60
                bar_colour = "orange" if kind == "peak" else "blue"
                start, end = span[0].timestamp(), span[1].timestamp()
                bars.append(svg.Bar(start, end, row["errors"] / minutes, bar_colour))
        if not bars:
            raise MissingData(
                "no error series was fetched: error-rate keeps only its average and worst-5-minute values"
            )
    lines = []
    if answer is not None and not bars:
        for series in answer.series:
            points = series.points
            rates = [
                max(0.0, (v2 - v1) / (t2 - t1) * 60)
                for (t1, v1), (t2, v2) in zip(points, points[1:], strict=False)
            ]
            lines.append(svg.Line([t for t, _ in points[1:]], rates, "red", markers=False))
        note = series_note(
            answer, f"errors per minute between consecutive samples of {answer.query}"
        )
    else:
        note = "average errors/min per peak (orange) and off-peak (blue) period, from the traffic criteria"
    levels: list[tuple[float, str, str]] = []
    error_rate = record.result("error-rate")
    if "error_rate" in record.thresholds.metrics:
        phase = error_rate.phase if error_rate else record.phases[0]
        tiers = record.thresholds.tiers("error_rate", phase)
        levels = [(tiers.acceptable, "acceptable", "orange"), (tiers.critical, "critical", "red")]
    legend = [("peak", "orange"), ("off-peak", "blue")] if bars else []
    image = _time_chart(
        record, "Error rate", "errors/min", lines=lines, bars=bars, levels=levels, legend=legend,
        marks=restart_marks(record),
    )  # fmt: skip
    return image, note + "; the error-rate lines dashed"


def memory_plot(record: RunRecord) -> tuple[bytes, str]:
    answer = record.ranges.get("process_resident_memory_bytes")
    row = record.result("memory-growth")
    slope = (
        row.verdict.observed
        if row and row.verdict and isinstance(row.verdict.observed, float)
        else None
    )
    if answer is None or not any(len(s.points) > 1 for s in answer.series):
        slope_text = f" (the fitted slope is {slope:.3g} MB/hr)" if slope is not None else ""
        raise MissingData(
            "no resident-memory series was fetched: memory-growth asks Prometheus for the "
            f"slope only{slope_text}"
        )
    lines, legend, low, high = [], [], math.inf, -math.inf
    for series in answer.series:
        if len(series.points) < 2:
            continue
        unix = [t for t, _ in series.points]
        megabytes = [v / 1e6 for _, v in series.points]
        lines.append(svg.Line(unix, megabytes, "purple", markers=False))
        low, high = min(low, *megabytes), max(high, *megabytes)
        # least squares, as Prometheus' deriv() and memory-growth fit it
        per_s, intercept = statistics.linear_regression(unix, megabytes)
        ends = [unix[0], unix[-1]]
        fitted = [per_s * t + intercept for t in ends]
        lines.append(svg.Line(ends, fitted, "black", markers=False, dashed=True))
        legend.append((f"fit {per_s * 3600:.3g} MB/hr", "black"))
    # Around the data, not from zero: growth of a few MB must show. memory-peak's line is drawn
    # when it is near the data, else named in the note.
    levels: list[tuple[float, str, str]] = []
    note = series_note(answer)
    if "memory_peak" in record.thresholds.metrics:
        peak = record.result("memory-peak")
        tiers = record.thresholds.tiers("memory_peak", peak.phase if peak else record.phases[0])
        if tiers.acceptable <= high + 2 * max(high - low, 1.0):
            levels.append((tiers.acceptable, "memory-peak acceptable", "orange"))
            high = max(high, tiers.acceptable)
        else:
            note += f"; memory-peak's acceptable line ({tiers.acceptable:g} MB) is far above"
    pad = max(high - low, 1.0) * 0.15
    y_range = (max(0.0, low - pad), high + pad)
    image = _time_chart(
        record, "Resident memory", "MB", lines=lines, legend=legend, y_range=y_range,
        levels=levels, marks=restart_marks(record),
    )  # fmt: skip
    return image, note + "; the least-squares fit dashed"


def latency_plot(record: RunRecord) -> tuple[bytes, str]:
    row = record.result("health-latency")
    samples = [x for values in (row.values("total_ms") if row else []) for x in values]
    if not samples:
        raise MissingData(
            "health-latency kept no latency samples (it did not run or every request failed)"
        )
    levels: list[tuple[float, str, str]] = []
    if row and "health_latency" in record.thresholds.metrics:
        tiers = record.thresholds.tiers("health_latency", row.phase)
        levels = [(tiers.acceptable, "acceptable", "orange"), (tiers.critical, "critical", "red")]
    n = len(samples)
    chart = svg.Chart(
        "Health endpoint latency samples",
        "ms",
        [svg.Line(list(range(1, n + 1)), samples)],
        levels,
        [(i, f"request {i}" if i == 1 else str(i)) for i in sorted({1, (n + 1) // 2, n})],
    )
    asked = row.queries[0] if row and row.queries else "the health endpoint"
    return svg.render(chart), f"{asked}: each request's total time, in order; the lines dashed"


def users_plot(record: RunRecord) -> tuple[bytes, str]:
    periods = traffic_periods(record)
    answer = record.ranges.get("bot_users")
    if answer is None and not any(periods.values()):
        raise MissingData(
            "no user series or traffic periods were fetched (peak criteria did not run)"
        )
    spans, bars, legend = [], [], []
    for kind, rows in periods.items():
        colour = "orange" if kind == "peak" else "blue"
        for row in rows:
            span = parse_period(row["period"], record.timezone)
            if span is None:
                continue
            start, end = span[0].timestamp(), span[1].timestamp()
            spans.append(svg.Span(start, end, colour, 0.15))
            if row.get("peak_users") is not None and answer is None:
                bars.append(svg.Bar(start, end, row["peak_users"], colour))
        if rows:
            legend.append(("peak hours" if kind == "peak" else "off-peak hours", colour))
    lines = []
    if answer is not None:
        lines = [
            svg.Line([t for t, _ in s.points], [v for _, v in s.points], "green", markers=False)
            for s in answer.series
        ]
        note = series_note(answer) + "; peak hours shaded orange, off-peak blue"
    else:
        note = (
            "most users in each period (bars), from the traffic criteria: the users series "
            "was not fetched (no peak or off-peak criterion ran)"
        )
    window = record.main_window
    x_range = (window.start.timestamp(), window.end.timestamp()) if window is not None else None
    image = _time_chart(
        record,
        "Users, peak and off-peak periods shaded",
        "users",
        lines=lines, spans=spans, bars=bars, legend=legend, x_range=x_range,
    )  # fmt: skip
    return image, note


def smoke_trend_plot(record: RunRecord) -> tuple[bytes, str]:
    """The smoke checks so far (the run history): health latency per run, coloured by state."""
    from burnin.report.trend import smoke_points

    points = [p for p in smoke_points(record.earlier) if p.latency_ms is not None]
    if len(points) < 2:
        raise MissingData(f"{len(points)} smoke run(s) with a latency recorded so far")
    colours = {"OK": "green", "WARNING": "orange", "CRITICAL": "red"}
    xs = [p.at.timestamp() for p in points]
    states = [p.state for p in points]
    local = [p.at.astimezone(record.timezone) for p in points]
    ticks = sorted({0, len(points) // 2, len(points) - 1})
    chart = svg.Chart(
        "Smoke checks so far",
        "health latency, ms",
        [
            svg.Line(
                xs,
                [p.latency_ms or 0.0 for p in points],
                colour="gray",
                point_colours=[colours.get(state, "purple") for state in states],
            )
        ],
        x_ticks=[(xs[i], f"{local[i]:%d %b %H:%M}") for i in ticks],
        legend=[(s, colours.get(s, "purple")) for s in dict.fromkeys(states)],
    )
    return svg.render(chart), f"{len(points)} smoke runs of this deployment (the run history)"


PLOTS: tuple[tuple[str, str, Callable[[RunRecord], tuple[bytes, str]]], ...] = (
    ("connection", "Connection timeline", connection_plot),
    ("error-rate", "Error rate", error_rate_plot),
    ("memory", "Resident memory and fitted slope", memory_plot),
    ("health-latency", "Health latency samples", latency_plot),
    ("users", "Users with peak and off-peak periods", users_plot),
    ("smoke-trend", "Smoke checks so far", smoke_trend_plot),
)


def draw_all(record: RunRecord) -> list[Plot]:
    """Every plot, or a note saying why it is missing. Never raises."""
    drawn = []
    for name, title, draw in PLOTS:
        try:
            image, note = draw(record)
            drawn.append(Plot(name, title, image, note))
        except MissingData as exc:
            drawn.append(Plot(name, title, None, f"left out: {exc}"))
        except Exception as exc:  # noqa: BLE001 - a broken plot must not cost the report
            drawn.append(Plot(name, title, None, f"plotting failed: {type(exc).__name__}: {exc}"))
    return drawn
