"""longest-disconnect and coverage: read from the `bot_connected` series over the window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from burnin.bands import Band, Tiers
from burnin.probes.prometheus import PrometheusProbe, Series
from burnin.promql import Metrics
from burnin.verdict import Evidence, Verdict, no_data
from burnin.window import Window

# Prometheus answers at most 11,000 points per series; stay well under it.
MAX_POINTS = 10_000
MIN_STEP_S = 15
# Monitoring "ran the whole time" when no stretch longer than this lacks data.
COVERAGE_SLACK = timedelta(minutes=5)


def step_for(window: Window) -> int:
    return max(MIN_STEP_S, math.ceil(window.seconds / MAX_POINTS))


@dataclass(frozen=True)
class ConnectionSeries:
    query: str
    step_s: int
    series: list[Series]

    def evidence(self, **values: object) -> Evidence:
        return Evidence("prometheus", f"{self.query} (range, step {self.step_s}s)", dict(values))


def measure_connection(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> ConnectionSeries:
    query = metrics.series("bot_connected")
    step = step_for(window)
    return ConnectionSeries(query, step, prometheus.range(query, window.start, window.end, step))


def longest_run(
    points: list[tuple[float, float]], step_s: int, value: float
) -> tuple[float, float | None]:
    """(seconds, start) of the longest run of consecutive points equal to `value`."""
    best, best_start, run, run_start, previous = 0.0, None, 0.0, None, None
    for timestamp, observed in points:
        contiguous = previous is not None and timestamp - previous <= step_s * 1.5
        if observed == value:
            if run and contiguous:
                run += step_s
            else:
                run, run_start = float(step_s), timestamp
            if run > best:
                best, best_start = run, run_start
        else:
            run = 0.0
        previous = timestamp
    return best, best_start


def judge_longest_disconnect(data: ConnectionSeries, tiers: Tiers, window: Window) -> Verdict:
    if not any(s.points for s in data.series):
        return no_data(
            "longest-disconnect",
            "no bot_connected samples in the window",
            window,
            (data.evidence(),),
        )
    longest, start = max(
        (longest_run(s.points, data.step_s, 0.0) for s in data.series), key=lambda r: r[0]
    )
    drops = sum(_runs(s.points, data.step_s, 0.0) for s in data.series)
    evidence = (
        data.evidence(longest_disconnect_s=longest, started_at=start, disconnections=drops),
    )
    cause = f"{drops} disconnection(s)" if drops else ""
    return Verdict.from_tiers("longest-disconnect", longest, tiers, window, evidence, cause)


def _runs(points: list[tuple[float, float]], step_s: int, value: float) -> int:
    count, previous_matched, previous_t = 0, False, None
    for timestamp, observed in points:
        contiguous = previous_t is not None and timestamp - previous_t <= step_s * 1.5
        matched = observed == value
        if matched and not (previous_matched and contiguous):
            count += 1
        previous_matched, previous_t = matched, timestamp
    return count


def judge_coverage(data: ConnectionSeries, window: Window) -> Verdict:
    """The data spans the window: first and last sample near its edges, no long hole inside."""
    times = sorted({t for s in data.series for t, _ in s.points})
    threshold = f"data from within {COVERAGE_SLACK.seconds // 60} min of the window's start to its end, no gap longer"
    if not times:
        return no_data(
            "coverage", "no bot_connected samples in the window", window, (data.evidence(),)
        )
    start, end = window.start.timestamp(), window.end.timestamp()
    late_start = times[0] - start
    early_end = end - times[-1]
    gaps = [(b - a, a) for a, b in zip(times, times[1:], strict=False)]
    widest, widest_at = max(gaps, default=(0.0, None))
    # A range query repeats the last value for up to 5 minutes: a hole shows as a gap in points.
    problems = []
    slack = COVERAGE_SLACK.total_seconds()
    if late_start > slack:
        problems.append(f"first sample {late_start / 60:.1f} min after the window's start")
    if early_end > slack:
        problems.append(f"last sample {early_end / 60:.1f} min before the window's end")
    if widest > slack + data.step_s:
        problems.append(f"a {widest / 60:.1f} min hole in the data")
    evidence = (
        data.evidence(
            first_sample=times[0],
            last_sample=times[-1],
            widest_gap_s=widest,
            widest_gap_at=widest_at,
            points=len(times),
        ),
    )
    observed = f"{(times[-1] - times[0]) / 3600:.2f} h of data, widest gap {widest / 60:.1f} min"
    band = Band.DEGRADED if problems else Band.TARGET
    return Verdict("coverage", band, observed, "", threshold, "; ".join(problems), window, evidence)
