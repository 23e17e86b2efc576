"""The report's plots, drawn from what the criteria already fetched (no query of their own).
A plot whose data is missing, or whose drawing fails, becomes a note: the report still renders."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from burnin.report import svg
from burnin.report.model import RunRecord
from burnin.report.timeline import disconnections, parse_period, traffic_periods


@dataclass(frozen=True)
class Plot:
    name: str  # connection, error-rate, memory, health-latency, users
    title: str
    png: bytes | None
    note: str = ""  # why there is no image, or what the image is drawn from

    @property
    def data_uri(self) -> str:
        image = self.png or b""
        kind = "svg+xml" if image.startswith(b"<svg") else "png"
        return f"data:image/{kind};base64," + base64.b64encode(image).decode("ascii")


class MissingData(Exception):
    """The criteria did not fetch what this plot needs."""


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(9, 2.8), dpi=90)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _png(figure: Any) -> bytes:
    from matplotlib import pyplot

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()


def _times(unix: list[float], record: RunRecord) -> list[datetime]:
    return [datetime.fromtimestamp(t, UTC).astimezone(record.timezone) for t in unix]


def _time_axis(axes: Any, record: RunRecord) -> None:
    import matplotlib.dates as mdates

    axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=record.timezone))
    axes.set_xlabel(f"time ({record.timezone.key})")


def connection_plot(record: RunRecord) -> tuple[bytes, str]:
    answer = record.ranges.get("bot_connected")
    if answer is None or not any(s.points for s in answer.series):
        raise MissingData(
            "no bot_connected range was fetched (longest-disconnect/coverage did not run)"
        )
    figure, axes = _figure()
    for series in answer.series:
        axes.step(
            _times([t for t, _ in series.points], record),
            [v for _, v in series.points],
            where="post",
            color="tab:green",
            linewidth=1,
        )
    for start, seconds in disconnections(answer):
        begin, end = _times([start, start + seconds], record)
        axes.axvspan(begin, end, color="tab:red", alpha=0.3)
    axes.set_ylim(-0.1, 1.2)
    axes.set_yticks([0, 1], ["down", "up"])
    axes.set_title("bot_connected (disconnections shaded red)")
    _time_axis(axes, record)
    return _png(figure), f"{answer.query}, step {answer.step_s}s"


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
                bars.append((span, row["errors"] / minutes, kind))
        if not bars:
            raise MissingData(
                "no error series was fetched: error-rate keeps only its average and worst-5-minute values"
            )
    figure, axes = _figure()  # only once there is something to draw: matplotlib costs
    if answer is not None and not bars:
        for series in answer.series:
            points = series.points
            rates = [
                max(0.0, (v2 - v1) / (t2 - t1) * 60)
                for (t1, v1), (t2, v2) in zip(points, points[1:], strict=False)
            ]
            axes.plot(
                _times([t for t, _ in points[1:]], record), rates, color="tab:red", linewidth=1
            )
        note = f"from {answer.query}"
    else:
        for (start, end), rate, kind in bars:
            color = "tab:orange" if kind == "peak" else "tab:blue"
            axes.hlines(rate, start, end, color=color, linewidth=4)
        note = "average errors/min per peak (orange) and off-peak (blue) period, from the traffic criteria"
    error_rate = record.result("error-rate")
    if "error_rate" in record.thresholds.metrics:
        phase = error_rate.phase if error_rate else record.phases[0]
        tiers = record.thresholds.tiers("error_rate", phase)
        axes.axhline(
            tiers.acceptable, color="tab:orange", linestyle="--", linewidth=1, label="acceptable"
        )
        axes.axhline(tiers.critical, color="tab:red", linestyle="--", linewidth=1, label="critical")
        axes.legend(loc="upper right", fontsize=8)
    axes.set_ylabel("errors/min")
    axes.set_title("Error rate")
    _time_axis(axes, record)
    return _png(figure), note


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
    import numpy

    figure, axes = _figure()
    for series in answer.series:
        unix = numpy.array([t for t, _ in series.points])
        megabytes = numpy.array([v for _, v in series.points]) / 1e6
        axes.plot(_times(list(unix), record), megabytes, color="tab:purple", linewidth=1)
        fitted_per_s, intercept = numpy.polyfit(unix, megabytes, 1)
        axes.plot(
            _times([unix[0], unix[-1]], record),
            [fitted_per_s * unix[0] + intercept, fitted_per_s * unix[-1] + intercept],
            color="black",
            linestyle="--",
            label=f"fit {fitted_per_s * 3600:.3g} MB/hr",
        )
    axes.legend(loc="upper left", fontsize=8)
    axes.set_ylabel("MB")
    axes.set_title("Resident memory")
    _time_axis(axes, record)
    return _png(figure), f"from {answer.query}"


def latency_plot(record: RunRecord) -> tuple[bytes, str]:
    """SVG written directly: a smoke run draws this one, and matplotlib's import would cost it
    more than its checks."""
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
    return svg.render(chart), row.queries[0] if row and row.queries else ""


def users_plot(record: RunRecord) -> tuple[bytes, str]:
    periods = traffic_periods(record)
    answer = record.ranges.get("bot_users")
    if answer is None and not any(periods.values()):
        raise MissingData(
            "no user series or traffic periods were fetched (peak criteria did not run)"
        )
    figure, axes = _figure()
    for kind, rows in periods.items():
        color = "tab:orange" if kind == "peak" else "tab:blue"
        for index, row in enumerate(rows):
            span = parse_period(row["period"], record.timezone)
            if span is None:
                continue
            axes.axvspan(
                span[0],
                span[1],
                color=color,
                alpha=0.15,
                label=("peak hours" if kind == "peak" else "off-peak hours")
                if index == 0
                else None,
            )
            if row.get("peak_users") is not None and answer is None:
                axes.hlines(row["peak_users"], span[0], span[1], color=color, linewidth=3)
    if answer is not None:
        for series in answer.series:
            axes.plot(
                _times([t for t, _ in series.points], record),
                [v for _, v in series.points],
                color="tab:green",
                linewidth=1,
            )
        note = f"from {answer.query}"
    else:
        note = "most users in each period (bars), from the traffic criteria; no user series was fetched"
    window = record.main_window
    if window is not None:
        axes.set_xlim(
            window.start.astimezone(record.timezone), window.end.astimezone(record.timezone)
        )
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_ylabel("users")
    axes.set_title("Users, peak and off-peak periods shaded")
    _time_axis(axes, record)
    return _png(figure), note


def smoke_trend_plot(record: RunRecord) -> tuple[bytes, str]:
    """The smoke checks so far (the run history): health latency per run, coloured by state.
    SVG written directly, like the latency plot: smoke runs never import matplotlib."""
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
            png, note = draw(record)
            drawn.append(Plot(name, title, png, note))
        except MissingData as exc:
            drawn.append(Plot(name, title, None, f"left out: {exc}"))
        except Exception as exc:  # noqa: BLE001 - a broken plot must not cost the report
            drawn.append(Plot(name, title, None, f"plotting failed: {type(exc).__name__}: {exc}"))
    return drawn
