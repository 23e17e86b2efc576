"""longest-disconnect and coverage: read from the raw `bot_connected` samples of the window.

Raw samples, not a range query: a range query repeats a series' last value for five minutes
after its last scrape and steps over short holes, so it shows data where there was none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

from burnin.bands import Band, Tiers
from burnin.coverage import (
    Coverage,
    Stretch,
    coverage_of,
    held,
    lowest_of,
    times_of,
    with_unknown_as,
)
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Evidence, Verdict, no_data

# Prometheus answers at most 11,000 points per series; stay well under it.
MAX_POINTS = 10_000
MIN_STEP_S = 15
# Monitoring "ran the whole time" when no hole is longer than this (PromQL's own lookback: a
# longer hole is one that queries also see as the series gone).
COVERAGE_SLACK_S = 300.0


def step_for(window: Window) -> int:
    return max(MIN_STEP_S, math.ceil(window.seconds / MAX_POINTS))


@dataclass(frozen=True)
class SeriesSamples:
    """The raw samples of one series family in a window, and how much of it they cover."""

    selector: str
    series: list[Series]
    coverage: Coverage

    @property
    def points(self) -> list[tuple[float, float]]:
        return sorted(p for s in self.series for p in s.points)

    def stretches(self) -> list[Stretch]:
        """Known time and its value. Several series (a label that changed, two instances under
        one selector) are held one by one and combined by the lowest value at each moment.
        Worked out once: every criterion judging these samples reads the same stretches."""
        return self._stretches

    @cached_property
    def _stretches(self) -> list[Stretch]:
        if len(self.series) <= 1:
            return held(self.series[0].points if self.series else [], self.coverage)
        window = self.coverage.window
        return lowest_of(
            [
                held(s.points, coverage_of(self.selector, [times_of(s.points)], window))
                for s in self.series
            ]
        )

    def evidence(self, **values: object) -> Evidence:
        return Evidence(
            "prometheus",
            f"{self.selector}[{self.coverage.window.seconds}s] (raw samples)",
            {**values, "coverage": self.coverage.values()},
        )


def measure_samples(
    prometheus: PrometheusProbe, metrics: Metrics, contract_name: str, window: Window
) -> SeriesSamples:
    selector = metrics.series(contract_name)
    series = prometheus.samples(selector, window)
    times = [times_of(s.points) for s in series]
    return SeriesSamples(selector, series, coverage_of(selector, times, window))


def measure_connection(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> SeriesSamples:
    return measure_samples(prometheus, metrics, "bot_connected", window)


def disconnections(stretches: list[Stretch]) -> list[tuple[float, float]]:
    """(start, seconds) of each unbroken run of known disconnected time."""
    runs: list[tuple[float, float]] = []
    run_start = run_end = None
    for stretch in stretches:
        down = stretch.value < 1
        if down and run_end is not None and stretch.start == run_end:
            run_end = stretch.end
            continue
        if run_start is not None and run_end is not None:
            runs.append((run_start, run_end - run_start))
        run_start, run_end = (stretch.start, stretch.end) if down else (None, None)
    if run_start is not None and run_end is not None:
        runs.append((run_start, run_end - run_start))
    return runs


def judge_longest_disconnect(data: SeriesSamples, tiers: Tiers, min_percent: float) -> Verdict:
    """The longest disconnection seen. A hole in the data could hide one as long as the hole,
    joined to the disconnections on either side of it: the pass must hold for that worst case
    too, and the window must be covered."""
    window = data.coverage.window
    stretches = data.stretches()
    runs = disconnections(stretches)
    longest, started = max(((s, t) for t, s in runs), default=(0.0, None))
    worst = max(
        (s for _, s in disconnections(with_unknown_as(stretches, window, 0.0))), default=0.0
    )
    evidence = (
        data.evidence(longest_disconnect_s=longest, started_at=started, disconnections=len(runs)),
    )
    if data.coverage.interval_s is None:
        return no_data(
            "longest-disconnect", f"no usable samples: {data.coverage.describe()}", window, evidence
        )
    cause = f"{len(runs)} disconnection(s)" if runs else ""
    seen = Verdict.from_tiers("longest-disconnect", longest, tiers, window, evidence, cause)
    if not seen.band.passes:
        return with_coverage_note(seen, data.coverage)
    if not tiers.band(worst).passes:
        return no_data(
            "longest-disconnect",
            f"longest disconnection seen {longest:g} s, but the holes in the data could hide one "
            f"of up to {worst:.0f} s ({data.coverage.describe()})",
            window,
            evidence,
        )
    if worst > longest:
        # What is proven is the worst case: its band, with the value seen.
        seen = replace(
            seen,
            band=tiers.band(worst),
            cause=f"{cause + '; ' if cause else ''}up to {worst:.0f} s if the holes in the data "
            "were disconnected",
        )
    return require_coverage(seen, data.coverage, min_percent)


def judge_coverage(data: SeriesSamples, min_percent: float) -> Verdict:
    """Monitoring covered the window: at least the coverage line, no hole longer than PromQL's
    five-minute lookback."""
    coverage = data.coverage
    window = coverage.window
    threshold = (
        f"at least {min_percent:g} % of the window covered by samples, no hole longer than "
        f"{COVERAGE_SLACK_S / 60:g} min"
    )
    evidence = (data.evidence(),)
    if coverage.interval_s is None:
        return no_data("coverage", f"no usable samples: {coverage.describe()}", window, evidence)
    problems = []
    if coverage.percent < min_percent:
        problems.append(f"only {coverage.percent:.2f} % of the window covered")
    if coverage.widest_hole_s > COVERAGE_SLACK_S:
        problems.append(f"a {coverage.widest_hole_s / 60:.1f} min hole")
    band = Band.DEGRADED if problems else Band.TARGET
    cause = "; ".join([*problems, coverage.describe()])
    observed = f"{coverage.percent:.2f} % covered, widest hole {coverage.widest_hole_s:.0f} s"
    return Verdict("coverage", band, observed, "", threshold, cause, window, evidence)


def coverage_evidence(coverage: Coverage) -> Evidence:
    return Evidence(
        "prometheus",
        f"{coverage.series}[{coverage.window.seconds}s] (raw samples)",
        {"coverage": coverage.values()},
    )


def _with_coverage(verdict: Verdict, coverage: Coverage, note: str) -> Verdict:
    known = any("coverage" in item.values for item in verdict.evidence)
    evidence = verdict.evidence if known else (*verdict.evidence, coverage_evidence(coverage))
    cause = "; ".join(x for x in (verdict.cause, note) if x)
    return replace(verdict, cause=cause, evidence=evidence)


def with_coverage_note(verdict: Verdict, coverage: Coverage) -> Verdict:
    """A failure stands on partial data; say on how much."""
    note = f"seen on partial data: {coverage.describe()}" if coverage.holes else ""
    return _with_coverage(verdict, coverage, note)


def require_coverage(verdict: Verdict, coverage: Coverage, min_percent: float) -> Verdict:
    """Partial data can prove a failure, never a pass: a passing verdict whose data covers less
    of the window than the coverage line becomes NO_DATA, with the hours covered and the holes;
    a failure stands; NO_DATA and SKIPPED stay as they are."""
    if verdict.band in (Band.DEGRADED, Band.CRITICAL):
        return with_coverage_note(verdict, coverage)
    if not verdict.band.passes:
        return verdict
    if coverage.interval_s is not None and coverage.percent >= min_percent:
        note = f"data: {coverage.describe()}" if coverage.holes else ""
        return _with_coverage(verdict, coverage, note)
    seen = verdict.observed_text if verdict.observed is not None else "nothing"
    below = no_data(
        verdict.criterion,
        f"{coverage.series}: {coverage.describe()}: below the {min_percent:g} % coverage line, "
        f"so the window cannot pass (the covered part shows {seen})",
        verdict.window,
        verdict.evidence,
    )
    return _with_coverage(below, coverage, "")
