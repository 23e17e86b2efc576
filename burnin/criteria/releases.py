"""vs-previous-release: is this deployment worse than the one it replaced, like for like?

Each checkpoint's window is compared with a baseline window of the previous release (the
`baseline` setting; by default the same hours of the day before, so the day's traffic curve
is the same in both), metric by metric, each normalised so that more users is not a
regression:

- error ratio: errors per request, tested on the 5-minute intervals' ratios (Mann-Whitney U);
- CPU per request: CPU milliseconds per request, tested the same way;
- disconnections and restarts: events per day of the time the window was watched (an exact
  test of two rates);
- memory slope: the least-squares growth of its 5-minute means within each process lifetime
  (a restart's drop is not a slope), the two slopes' difference over its standard error;
- health latency: the smoke runs the history holds of both deployments (Mann-Whitney U), when
  there are some.

A metric is worse only when the change is both significant (p under thresholds.toml
[comparison] p_value) and past the margin (worse_ratio times the previous release's; the memory
slope must also be past the stable line, memory_growth's stable_within, and rise by more than
it): a noisy flat metric never flags. Better is the same rule the other way round; a change
past the margin that is not significant is inconclusive, as is a metric with too few values to
test.

The band: DEGRADED when a metric is worse (a yellow flag: the team decides, never a rollback on
its own); NO_DATA when either window is covered by less than the coverage line or a metric has
no data in one of them (partial data never proves "no regression"; a regression seen on it
stands); SKIPPED when the target declares `baseline = "none"` (a first deployment); else
TARGET."""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import repeat
from operator import truediv
from pathlib import Path
from typing import Any

from burnin.bands import Band
from burnin.config.thresholds import Comparison
from burnin.coverage import columns, coverage_of, falls, increasing, times_of
from burnin.criteria.connection import SeriesSamples, disconnections, measure_samples
from burnin.history import HistoryError, RunRow, iso, runs, state_of
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import DAY, Baseline, Window
from burnin.series import Points, Series, inside
from burnin.stats import mann_whitney, pooled_slope, rate_test, slope_test
from burnin.verdict import Evidence, Verdict, no_data

CRITERION = "vs-previous-release"
INTERVAL_S = 300  # the per-interval values: 5 minutes
LATENCY_CRITERION = "health-latency"  # its smoke runs' values in the history
MIN_INTERVALS = 12  # an hour of them in each window, or the distribution is inconclusive
# Smoke runs of each deployment: with 5 each no ordering of the two can reach p < 0.01.
MIN_RUNS = 6
MAX_POINTS = 10_000  # per range query (Prometheus answers at most 11,000 points a series)
MB = 1_000_000
HOUR = 3600.0
BETTER, SAME, WORSE, INCONCLUSIVE = "better", "same", "worse", "inconclusive"
DECLARED_NONE = (
    'the target declares baseline = "none" (a first deployment): no previous release to '
    "compare with"
)
# What the range queries ask, per 5 minutes (contract metric, aggregation).
INTERVAL_METRICS = {
    "requests": "bot_requests_total",
    "errors": "bot_errors_total",
    "cpu": "process_cpu_seconds_total",
}


@dataclass(frozen=True)
class Side:
    """One window's data: the raw samples of the bot's connection, uptime and memory, the
    5-minute increases of its requests, errors and CPU seconds, and the smoke runs' health
    latency the history holds."""

    window: Window
    connected: SeriesSamples
    uptime: SeriesSamples
    memory: SeriesSamples | None  # None: the target declares no process metrics
    intervals: Mapping[str, Sequence[tuple[float, float]]]  # "requests" -> (interval end, value)
    latency_ms: tuple[float, ...] = ()
    deployment: str = ""  # the deployment whose smoke runs these are ("": not known)

    @property
    def coverage_percent(self) -> float:
        """The share of the window its least covered raw series covers."""
        return min(s.coverage.percent for s in self._raw())

    def _raw(self) -> list[SeriesSamples]:
        return [self.connected, self.uptime, *([self.memory] if self.memory else [])]

    def least_covered(self) -> SeriesSamples:
        return min(self._raw(), key=lambda s: s.coverage.percent)

    def restarts(self) -> list[float]:
        """When a process started inside the window (each drop of the uptime counter: the new
        process's start, its sample's time less its uptime)."""
        return process_starts(self.uptime.series)


@dataclass(frozen=True)
class ComparisonMeasurement:
    baseline: Baseline
    before: Side | None  # None: declared none, or no baseline window (`problem` says why)
    now: Side | None
    queries: Mapping[str, str] = field(default_factory=dict)  # what each row's values come from
    problem: str = ""
    latency_note: str = ""  # why health latency is not compared


# Starts of one process seen in two series (two scrape jobs of the bot) lie this close; two
# processes of one unit never do (systemd waits RestartSec between them).
SAME_START_S = 1.0


def process_starts(series: Sequence[Series]) -> list[float]:
    """Each drop of an uptime counter, as the moment the new process started; a start seen in
    several series (the bot's uptime under two scrape jobs) once."""
    starts: list[float] = []
    for s in series:
        times, values = columns(s.points)
        for i in falls(values):
            starts.append(times[i] - max(0.0, values[i]))
    starts.sort()
    return [t for k, t in enumerate(starts) if k == 0 or t - starts[k - 1] >= SAME_START_S]


def _in_time_order(
    points: Sequence[tuple[float, float]],
) -> tuple[Sequence[float], Sequence[float]]:
    times, values = columns(points)
    if increasing(times):
        return times, values
    ordered = sorted(zip(times, values, strict=True))
    return [t for t, _ in ordered], [v for _, v in ordered]


def interval_runs(
    times: Sequence[float], origin: float, starts: Sequence[float] = ()
) -> list[tuple[int, int, int, int]]:
    """(first, end, lifetime, interval) of each run of samples (times in order) that share a
    process lifetime (the number of `starts`, in order, at or before the sample) and a 5-minute
    interval from `origin` (int((t - origin) // INTERVAL_S)): the runs of equal keys had every
    sample's key been computed, found at their edges only (a day of 15-second samples has 5,760
    samples and 288 intervals): each interval's edge by a binary search in C for its start
    time, then moved while the key computed for a neighbour says otherwise (float rounding)."""
    count = len(times)
    if not count:
        return []

    def interval(t: float) -> int:
        return int((t - origin) // INTERVAL_S)

    edges = {0, count}
    for k in range(interval(times[0]) + 1, interval(times[-1]) + 1):
        at = bisect.bisect_left(times, origin + k * INTERVAL_S)
        while at > 0 and interval(times[at - 1]) >= k:
            at -= 1
        while at < count and interval(times[at]) < k:
            at += 1
        edges.add(at)
    # Lifetime j begins at the first sample at or after the j-th start.
    edges.update(bisect.bisect_left(times, start) for start in starts)
    ordered = sorted(e for e in edges if 0 <= e <= count)
    return [
        (first, end, bisect.bisect_right(starts, times[first]), interval(times[first]))
        for first, end in zip(ordered, ordered[1:], strict=False)
        if end > first
    ]


def baseline_window(
    baseline: Baseline, window: Window, previous_deployment: datetime | None = None
) -> Window | None:
    """The previous release's window to compare `window` with; None for `none`, and for
    `previous-deployment` when no earlier deployment is known."""
    if baseline.kind == "previous-day":
        return Window(window.start - DAY, window.end - DAY)
    if baseline.kind == "interval":
        return baseline.interval
    if baseline.kind == "previous-deployment" and previous_deployment is not None:
        return Window(previous_deployment, previous_deployment + window.duration)
    return None


def previous_deployment(found: Sequence[RunRow], deployed_at: datetime) -> str | None:
    """The latest deployment recorded (as its ISO text) before `deployed_at`."""
    earlier = {}
    for run in found:
        if not run.deployment:
            continue
        try:
            moment = datetime.fromisoformat(run.deployment)
        except ValueError:
            continue
        if moment < deployed_at:
            earlier[run.deployment] = moment
    return max(earlier, key=lambda text: earlier[text]) if earlier else None


def smoke_latencies(found: Sequence[RunRow], deployment: str, until: datetime) -> tuple[float, ...]:
    """The health latency of each finished smoke run recorded for `deployment`, judged by
    `until`."""
    latencies: list[float] = []
    for run in found:
        if run.deployment != deployment or "smoke" not in run.phases or run.interrupted:
            continue
        end = run.windows.get("smoke", ("", ""))[1]
        if end and datetime.fromisoformat(end) > until:
            continue
        latencies.extend(
            r.value
            for r in run.results
            if r.criterion == LATENCY_CRITERION and r.phase == "smoke" and r.value is not None
        )
    return tuple(latencies)


def measure_comparison(
    prometheus: PrometheusProbe,
    metrics: Metrics,
    window: Window,
    baseline: Baseline,
    process_metrics: bool = True,
    history: Path | None = None,
    target: str = "",
    deployed_at: datetime | None = None,
) -> ComparisonMeasurement:
    """Both windows' data. Raw samples of the current window come from the probe's span (the
    other criteria's answers); the baseline's are fetched once over the run's span moved back
    by the baseline's offset, and each phase takes its slice. The 5-minute increases are one
    range query per metric over both spans together (two when that is too many points)."""
    if baseline.kind == "none":
        return ComparisonMeasurement(baseline, None, None)
    # The history is read only when it can name a deployment: the one before this one.
    found = _history(history, target) if deployed_at is not None else []
    previous = None
    if deployed_at is not None:
        previous = previous_deployment(found, deployed_at)
    previous_start = datetime.fromisoformat(previous) if previous else None
    before_window = baseline_window(baseline, window, previous_start)
    if before_window is None:
        if deployed_at is None:
            problem = "baseline = previous-deployment needs the deployment start (--deployed-at)"
        else:
            problem = (
                f"baseline = previous-deployment: no deployment before {iso(deployed_at)} is "
                f"recorded in the history ({history})"
            )
        return ComparisonMeasurement(baseline, None, None, problem=problem)
    span = getattr(prometheus, "span", None) or window
    if not (span.start <= window.start and window.end <= span.end):
        span = window
    if baseline.kind == "interval":
        before_span = before_window
    else:
        shift = window.start - before_window.start
        before_span = Window(span.start - shift, span.end - shift)
    queries, increases = _interval_increases(
        prometheus, metrics, [before_span, span], process_metrics
    )
    latency_note = ""
    now_latency: tuple[float, ...] = ()
    before_latency: tuple[float, ...] = ()
    if deployed_at is None:
        latency_note = "health latency: compared only when the deployment start is known"
    elif previous is None:
        latency_note = "health latency: no earlier deployment's smoke runs in the history"
    else:
        now_latency = smoke_latencies(found, iso(deployed_at), window.end)
        before_latency = smoke_latencies(found, previous, before_window.end)
    before = Side(
        before_window,
        _raw_slice(prometheus, metrics, "bot_connected", before_span, before_window),
        _raw_slice(prometheus, metrics, "bot_uptime_seconds", before_span, before_window),
        _raw_slice(prometheus, metrics, "process_resident_memory_bytes", before_span, before_window)
        if process_metrics
        else None,
        {name: _within(points, before_window) for name, points in increases.items()},
        before_latency,
        previous or "",
    )
    now = Side(
        window,
        measure_samples(prometheus, metrics, "bot_connected", window),
        measure_samples(prometheus, metrics, "bot_uptime_seconds", window),
        measure_samples(prometheus, metrics, "process_resident_memory_bytes", window)
        if process_metrics
        else None,
        {name: _within(points, window) for name, points in increases.items()},
        now_latency,
        iso(deployed_at),
    )
    return ComparisonMeasurement(baseline, before, now, queries, latency_note=latency_note)


def _history(path: Path | None, target: str) -> list[RunRow]:
    """The target's runs with their health latencies, read once while the history stays as it
    is (a fleet's bots all ask, in one run)."""
    if path is None:
        return []
    try:
        return _latency_history(path, target, state_of(path))
    except HistoryError:
        return []  # the history plugin says why when it records; latency is then not compared


@lru_cache(maxsize=4)
def _latency_history(path: Path, target: str, _state: tuple[object, ...]) -> list[RunRow]:
    return runs(path, target, criteria=(LATENCY_CRITERION,))


def _raw_slice(
    prometheus: PrometheusProbe, metrics: Metrics, contract_name: str, span: Window, window: Window
) -> SeriesSamples:
    selector = metrics.series(contract_name)
    series = [
        Series(s.labels, inside(s.points, window)) for s in prometheus.samples(selector, span)
    ]
    times = [times_of(s.points) for s in series]
    return SeriesSamples(selector, series, coverage_of(selector, times, window))


def _interval_increases(
    prometheus: PrometheusProbe, metrics: Metrics, spans: list[Window], process_metrics: bool
) -> tuple[dict[str, str], dict[str, Sequence[tuple[float, float]]]]:
    """Each metric's increase over every 5 minutes of the spans, one value per interval end."""
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    asks = (
        [Window(start, end)] if (end - start).total_seconds() / INTERVAL_S <= MAX_POINTS else spans
    )
    queries: dict[str, str] = {}
    found: dict[str, Sequence[tuple[float, float]]] = {}
    for name, contract_name in INTERVAL_METRICS.items():
        if name == "cpu" and not process_metrics:
            continue
        query = metrics.total(f"increase({metrics.series(contract_name)}[5m])")
        queries[name] = query
        summed: dict[float, float] = {}
        for ask in asks:
            for series in prometheus.range(query, ask.start, ask.end, INTERVAL_S):
                for t, value in series.points:
                    summed[t] = summed.get(t, 0.0) + value
        ordered = sorted(summed.items())
        # Two arrays (16 bytes an interval), not tuples: each of a fleet's bots keeps its own.
        found[name] = Points(
            array("d", [t for t, _ in ordered]), array("d", [v for _, v in ordered])
        )
    return queries, found


def _within(points: Sequence[tuple[float, float]], window: Window) -> Sequence[tuple[float, float]]:
    """The intervals (t - 5 min, t] inside the window (a second of rounding either way), of
    intervals in time order."""
    start, end = window.start.timestamp(), window.end.timestamp()
    times = times_of(points)
    first = bisect.bisect_left(times, True, key=lambda t: t - INTERVAL_S >= start - 1)
    last = bisect.bisect_left(times, True, key=lambda t: t > end + 1)
    return points[first:last]


# ---------------------------------------------------------------- judging


@dataclass(frozen=True)
class Row:
    """One metric before and now: the values, the change, the test and its verdict."""

    metric: str
    unit: str
    before: float | None
    now: float | None
    change: str  # "x3.95", "+7.53 MB/hr"
    p_value: float | None
    test: str  # which test, on how many values
    verdict: str  # better / same / worse / inconclusive
    why: str = ""
    queries: tuple[str, str] = ("", "")  # before, now
    missing: str = ""  # a side without data: this row cannot prove anything

    def values(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "before": _rounded(self.before),
            "now": _rounded(self.now),
            "change": self.change,
            "p_value": _rounded(self.p_value),
            "test": self.test,
            "verdict": self.verdict,
            "why": self.why,
            "query_before": self.queries[0],
            "query_now": self.queries[1],
            "missing": self.missing,
        }

    def describe(self) -> str:
        """'error ratio 0.41 -> 1.62 % of requests (x3.95, p 2.1e-08)'."""
        p = "" if self.p_value is None else f", p {_p_text(self.p_value)}"
        return (
            f"{self.metric} {_number(self.before)} -> {_number(self.now)} {self.unit} "
            f"({self.change}{p})"
        )


def _rounded(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return value
    return float(f"{value:.4g}")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _p_text(p: float) -> str:
    return "< 1e-15" if p < 1e-15 else f"{p:.2g}"


def change_verdict(
    p_value: float, worse_past: bool, better_past: bool, enough: bool, rules: Comparison
) -> str:
    """Worse: significant and past the margin the bad way; better: the same the good way;
    inconclusive: too few values, or past the margin but not significant; else same."""
    if not enough:
        return INCONCLUSIVE
    significant = p_value < rules.p_value
    if significant and worse_past:
        return WORSE
    if significant and better_past:
        return BETTER
    return INCONCLUSIVE if worse_past or better_past else SAME


def ratio_of(before: float, now: float) -> float:
    """now / before; 1 when both are 0, infinite when only the baseline is."""
    if before == 0:
        return 1.0 if now == 0 else math.inf
    return now / before


def _ratio_text(before: float, now: float) -> str:
    ratio = ratio_of(before, now)
    return "from 0" if math.isinf(ratio) else f"x{ratio:.3g}"


def compare_distributions(
    before: Sequence[float],
    now: Sequence[float],
    level_before: float,
    level_now: float,
    rules: Comparison,
    least: int = MIN_INTERVALS,
) -> tuple[str, float, str]:
    """Two samples of per-interval values (lower is better), with the levels whose ratio is
    the effect: (verdict, p-value, why)."""
    test = mann_whitney(before, now)
    enough = len(before) >= least and len(now) >= least
    worse_past = test.z > 0 and ratio_of(level_before, level_now) >= rules.worse_ratio
    better_past = test.z < 0 and ratio_of(level_now, level_before) >= rules.worse_ratio
    verdict = change_verdict(test.p_value, worse_past, better_past, enough, rules)
    why = f"Mann-Whitney U on {len(before)} vs {len(now)} values"
    if not enough:
        why += f" (at least {least} each needed)"
    return verdict, test.p_value, why


def compare_rates(
    count_before: int, hours_before: float, count_now: int, hours_now: float, rules: Comparison
) -> tuple[str, float]:
    """Two event counts over the hours each window was watched: (verdict, p-value)."""
    p = rate_test(count_before, hours_before, count_now, hours_now)
    rate_before = count_before / hours_before if hours_before > 0 else 0.0
    rate_now = count_now / hours_now if hours_now > 0 else 0.0
    worse_past = rate_now > rate_before and ratio_of(rate_before, rate_now) >= rules.worse_ratio
    better_past = rate_before > rate_now and ratio_of(rate_now, rate_before) >= rules.worse_ratio
    enough = hours_before > 0 and hours_now > 0
    return change_verdict(p, worse_past, better_past, enough, rules), p


def compare_slopes(
    before: tuple[float, float], now: tuple[float, float], line: float, rules: Comparison
) -> tuple[str, float]:
    """Two fitted slopes (slope, standard error), higher is worse: worse when the new growth is
    past the line (growth under it is no growth: memory-growth's stable line) and rises by more
    than the line and by more than the margin of the baseline's: (verdict, p-value)."""
    p = slope_test(before[0], before[1], now[0], now[1])
    past = rules.worse_ratio - 1
    worse_past = now[0] > line and now[0] - before[0] > max(line, past * abs(before[0]))
    better_past = before[0] > line and before[0] - now[0] > max(line, past * abs(now[0]))
    return change_verdict(p, worse_past, better_past, True, rules), p


def _interval_rows(
    before: Side, now: Side, queries: Mapping[str, str], rules: Comparison
) -> list[Row]:
    rows = []
    for name, per, unit, scale in (
        ("error ratio", "errors", "% of requests", 100.0),
        ("CPU per request", "cpu", "ms/request", 1000.0),
    ):
        if per not in queries:
            continue  # no process metrics: CPU is not asked
        pair = (queries[per], queries["requests"])
        shown = (
            f"{pair[0]} / {pair[1]} over {before.window}",
            f"{pair[0]} / {pair[1]} over {now.window}",
        )
        levels, samples, missing = [], [], []
        for side, word in ((before, "the baseline"), (now, "this window")):
            requests = dict(side.intervals.get("requests", []))
            amounts = dict(side.intervals.get(per, []))
            if not requests or not amounts:
                missing.append(word)
            pairs = [
                (requests[t], amounts[t]) for t in requests if t in amounts and requests[t] > 0
            ]
            served = math.fsum(r for r, _ in pairs)
            levels.append(scale * math.fsum(a for _, a in pairs) / served if served else None)
            samples.append([scale * a / r for r, a in pairs])
        if missing:
            rows.append(
                Row(name, unit, levels[0], levels[1], "-", None, "", INCONCLUSIVE,
                    f"no samples in {' and '.join(missing)}", shown, " and ".join(missing))
            )  # fmt: skip
            continue
        if levels[0] is None or levels[1] is None:
            rows.append(
                Row(name, unit, levels[0], levels[1], "-", None, "", INCONCLUSIVE,
                    "no requests in a window: nothing to divide by", shown)
            )  # fmt: skip
            continue
        verdict, p, why = compare_distributions(samples[0], samples[1], levels[0], levels[1], rules)
        rows.append(
            Row(name, unit, levels[0], levels[1], _ratio_text(levels[0], levels[1]), p,
                f"{why} (5-minute {name}s)", verdict, queries=shown)
        )  # fmt: skip
    return rows


def _count_rows(before: Side, now: Side, rules: Comparison) -> list[Row]:
    rows = []
    counts = (
        ("disconnections", "per day", lambda s: len(disconnections(s.connected.stretches())),
         lambda s: s.connected),
        ("restarts", "per day", lambda s: len(s.restarts()), lambda s: s.uptime),
    )  # fmt: skip
    for name, unit, count, samples in counts:
        shown = tuple(
            f"{samples(s).selector}[{s.window.seconds}s] (raw samples)" for s in (before, now)
        )
        missing = [
            word
            for s, word in ((before, "the baseline"), (now, "this window"))
            if samples(s).coverage.interval_s is None
        ]
        if missing:
            rows.append(
                Row(name, unit, None, None, "-", None, "", INCONCLUSIVE,
                    f"no samples in {' and '.join(missing)}", (shown[0], shown[1]),
                    " and ".join(missing))
            )  # fmt: skip
            continue
        k_before, k_now = count(before), count(now)
        h_before = samples(before).coverage.known_s / HOUR
        h_now = samples(now).coverage.known_s / HOUR
        verdict, p = compare_rates(k_before, h_before, k_now, h_now, rules)
        per_day = [24 * k / h if h > 0 else 0.0 for k, h in ((k_before, h_before), (k_now, h_now))]
        rows.append(
            Row(name, unit, per_day[0], per_day[1], f"{k_before} -> {k_now}", p,
                f"exact test of two rates: {k_before} in {h_before:.1f} h vs {k_now} in "
                f"{h_now:.1f} h", verdict, queries=(shown[0], shown[1]))
        )  # fmt: skip
    return rows


@dataclass(frozen=True)
class MemoryFit:
    slope: float  # MB/hr
    stderr: float
    values: int  # 5-minute means fitted
    lifetimes: int
    hours: float  # the time the lifetimes' samples span, together


def memory_fit(side: Side) -> MemoryFit | None:
    """The least-squares slope of resident memory within each process lifetime, fitted to its
    5-minute means: a memory sampled every 15 s wanders for minutes at a time, and samples that
    close together are not independent (the raw samples' standard error would be a fraction of
    the slope's true uncertainty; the means' is nearer it). None without 3 means to fit."""
    if side.memory is None:
        return None
    starts = side.restarts()
    segments: dict[tuple[int, int], list[tuple[float, float]]] = {}
    spans: dict[tuple[int, int], tuple[float, float]] = {}  # first and last sample time
    for n, series in enumerate(side.memory.series):
        times, values = _in_time_order(series.points)
        # Each sample's lifetime (process starts before it) and 5-minute interval: runs of one
        # key are one mean (in time order, so in the order of their keys).
        for first, end, born, _interval in interval_runs(times, 0.0, starts):
            lifetime = (n, born)
            mean_t = math.fsum(times[first:end]) / (end - first)
            mean_v = math.fsum(values[first:end]) / (end - first)
            segments.setdefault(lifetime, []).append((mean_t / HOUR, mean_v / MB))
            spans[lifetime] = (spans.get(lifetime, (times[first], 0.0))[0], times[end - 1])
    fit = pooled_slope(list(segments.values()))
    if fit is None:
        return None
    hours = math.fsum(last - first for first, last in spans.values()) / HOUR
    return MemoryFit(fit.slope, fit.stderr, fit.points, fit.segments, hours)


def _memory_row(before: Side, now: Side, line: float, rules: Comparison) -> list[Row]:
    if before.memory is None or now.memory is None:
        return []
    shown = (
        f"{before.memory.selector}[{before.window.seconds}s] (raw samples: least squares of "
        "their 5-minute means within each process lifetime)",
        f"{now.memory.selector}[{now.window.seconds}s] (raw samples: least squares of their "
        "5-minute means within each process lifetime)",
    )
    fits = memory_fit(before), memory_fit(now)
    fit_before, fit_now = fits
    if fit_before is None or fit_now is None:
        missing = " and ".join(
            w for f, w in zip(fits, ("the baseline", "this window"), strict=True) if f is None
        )
        return [
            Row("memory slope", "MB/hr", fit_before.slope if fit_before else None,
                fit_now.slope if fit_now else None, "-", None, "", INCONCLUSIVE,
                f"too few samples to fit in {missing}", shown, missing)
        ]  # fmt: skip
    verdict, p = compare_slopes(
        (fit_before.slope, fit_before.stderr), (fit_now.slope, fit_now.stderr), line, rules
    )
    why = (
        f"difference of two least-squares slopes over its standard error ({fit_before.values} "
        f"5-minute means in {fit_before.lifetimes} lifetime(s) vs {fit_now.values} in "
        f"{fit_now.lifetimes}; +-{fit_before.stderr:.2g} and +-{fit_now.stderr:.2g} MB/hr)"
    )
    if min(fit_before.hours, fit_now.hours) < MIN_INTERVALS * INTERVAL_S / HOUR:
        verdict = INCONCLUSIVE
        why += f"; under {MIN_INTERVALS * INTERVAL_S / HOUR:g} h of samples to fit"
    return [
        Row("memory slope", "MB/hr", fit_before.slope, fit_now.slope,
            f"{fit_now.slope - fit_before.slope:+.3g} MB/hr", p, why, verdict, queries=shown)
    ]  # fmt: skip


def _latency_row(before: Side, now: Side, rules: Comparison) -> list[Row]:
    if not before.latency_ms or not now.latency_ms:
        return []
    shown = (
        f"history: health-latency of the smoke runs of deployment {before.deployment}",
        f"history: health-latency of the smoke runs of deployment {now.deployment}",
    )
    level_before = math.fsum(before.latency_ms) / len(before.latency_ms)
    level_now = math.fsum(now.latency_ms) / len(now.latency_ms)
    verdict, p, why = compare_distributions(
        before.latency_ms, now.latency_ms, level_before, level_now, rules, MIN_RUNS
    )
    return [
        Row("health latency", "ms", level_before, level_now, _ratio_text(level_before, level_now),
            p, f"{why} (smoke runs' averages)", verdict, queries=shown)
    ]  # fmt: skip


def compare(
    before: Side, now: Side, queries: Mapping[str, str], rules: Comparison, stable_within: float
) -> list[Row]:
    """Every metric, before and now."""
    return [
        *_interval_rows(before, now, queries, rules),
        *_count_rows(before, now, rules),
        *_memory_row(before, now, stable_within, rules),
        *_latency_row(before, now, rules),
    ]


def _traffic(side: Side) -> float | None:
    """Requests a minute over the window's intervals."""
    requests = side.intervals.get("requests", [])
    if not requests:
        return None
    return math.fsum(v for _, v in requests) / (len(requests) * INTERVAL_S / 60)


def plot_series(side: Side) -> dict[str, list[list[float]]]:
    """What the report draws of a window, by seconds from its start: the 5-minute error ratio
    (%) and resident memory (MB, each 5 minutes' mean)."""
    start = side.window.start.timestamp()
    requests = dict(side.intervals.get("requests", []))
    ratio = [
        [round(t - start), _rounded(100 * v / requests[t]) or 0.0]
        for t, v in side.intervals.get("errors", [])
        if requests.get(t, 0) > 0
    ]
    buckets: dict[int, list[float]] = {}
    for series in side.memory.series if side.memory else []:
        times, values = _in_time_order(series.points)
        for first, end, _lifetime, key in interval_runs(times, start):
            buckets.setdefault(key, []).extend(map(truediv, values[first:end], repeat(MB)))
    memory = [
        [k * INTERVAL_S + INTERVAL_S / 2, _rounded(math.fsum(v) / len(v)) or 0.0]
        for k, v in sorted(buckets.items())
    ]
    return {"error_ratio_percent": ratio, "memory_mb": memory}


def _side_values(side: Side) -> dict[str, Any]:
    worst = side.least_covered().coverage
    return {
        "window": [side.window.start.isoformat(), side.window.end.isoformat()],
        "covered_hours": round(worst.known_s / HOUR, 2),
        "hours": round(worst.window_s / HOUR, 2),
        "coverage": worst.values(),
        "restarts": [_stamp(t) for t in side.restarts()],
        "requests_per_min": _rounded(_traffic(side)),
        "smoke_runs": len(side.latency_ms),
        "deployment": side.deployment,
    }


def _stamp(unix_s: float) -> str:
    moment = datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")
    return moment.replace("+00:00", "Z")


def judge_comparison(
    measured: ComparisonMeasurement,
    rules: Comparison,
    stable_within: float,
    window: Window,
    min_percent: float,
) -> Verdict:
    """The module's rule: DEGRADED when a metric is worse, NO_DATA when the data cannot prove
    "no regression", SKIPPED when declared, else TARGET."""
    threshold = (
        f"worse = significant (p < {rules.p_value:g}) and at least {rules.worse_ratio:g}x the "
        f"previous release's (memory slope: past +{stable_within:g} MB/hr and rising by more)"
    )
    if measured.baseline.kind == "none":
        return Verdict(CRITERION, Band.SKIPPED, None, "", threshold, DECLARED_NONE, window)
    before, now = measured.before, measured.now
    if before is None or now is None:
        return no_data(CRITERION, measured.problem or "no baseline window", window, ())
    rows = compare(before, now, measured.queries, rules, stable_within)
    summary = {
        "baseline": measured.baseline.describe(),
        "before": _side_values(before),
        "now": _side_values(now),
        "worse_ratio": rules.worse_ratio,
        "p_value": rules.p_value,
        "stable_within_mb_per_hr": stable_within,
        "latency_note": measured.latency_note,
        "series": {"before": plot_series(before), "now": plot_series(now)},
    }
    evidence = (
        Evidence(
            "prometheus",
            f"baseline {measured.baseline.describe()}: {before.window} against {now.window}",
            {"comparison": summary},
        ),
        *(
            Evidence(
                "history" if row.metric == "health latency" else "prometheus",
                f"before: {row.queries[0]} | now: {row.queries[1]}",
                {"comparison_row": row.values()},
            )
            for row in rows
        ),
    )
    worse = [r for r in rows if r.verdict == WORSE]
    tally = ", ".join(
        f"{sum(r.verdict == word for r in rows)} {word}"
        for word in (WORSE, BETTER, SAME, INCONCLUSIVE)
        if any(r.verdict == word for r in rows)
    )
    notes = _notes(before, now, measured)
    partial = [
        f"{word} {side.window}: {side.least_covered().coverage.describe()}"
        for side, word in ((before, "the baseline"), (now, "this window"))
        if side.coverage_percent < min_percent
    ]
    if worse:
        cause = "worse than the previous release: " + "; ".join(r.describe() for r in worse)
        if partial:
            cause += "; seen on partial data: " + "; ".join(partial)
        observed = "worse: " + ", ".join(r.metric for r in worse)
        return Verdict(
            CRITERION, Band.DEGRADED, observed, "", threshold, _join(cause, notes), window, evidence
        )
    missing = [f"{r.metric} ({r.missing})" for r in rows if r.missing]
    if partial or missing:
        reasons = [f"{p}: below the {min_percent:g} % coverage line" for p in partial]
        reasons += [f"no data for {m}" for m in missing]
        cause = "cannot prove no regression: " + "; ".join(reasons)
        return no_data(CRITERION, _join(cause, notes), window, evidence)
    observed = f"nothing worse ({tally})" if rows else "nothing compared"
    cause = "; ".join(f"{r.metric} {r.verdict}" for r in rows)
    return Verdict(
        CRITERION, Band.TARGET, observed, "", threshold, _join(cause, notes), window, evidence
    )


def _notes(before: Side, now: Side, measured: ComparisonMeasurement) -> str:
    notes = []
    restarts = before.restarts()
    if restarts:
        shown = ", ".join(_stamp(t) for t in restarts[:3])
        notes.append(
            f"the baseline holds {len(restarts)} restart(s) ({shown}): shown, each lifetime's "
            "memory fitted on its own, the rest judged as measured"
        )
    traffic = _traffic(before), _traffic(now)
    if traffic[0] and traffic[1]:
        notes.append(
            f"traffic {traffic[0]:.3g} -> {traffic[1]:.3g} requests/min "
            f"(x{traffic[1] / traffic[0]:.3g}; errors and CPU compared per request)"
        )
    if measured.latency_note:
        notes.append(measured.latency_note)
    return "; ".join(notes)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
