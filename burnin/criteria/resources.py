"""memory-growth, memory-peak and cpu, from the standard process metrics.

Optional is declared, never inferred: a target that exports no process metrics says so
(`process_metrics = false`) and only then are these criteria SKIPPED; a declared metric that
is missing is NO_DATA, like any other.

memory-growth is TARGET ("stable") when the least-squares slope of resident memory and all of
its 95 % confidence interval lie under the stable line (thresholds.toml `stable_within`): the
growth, within what the samples can tell, is no growth. Memory falling is not a leak: the
interval has no lower limit. Otherwise the slope's band by the tiers, never TARGET (ACCEPTABLE
under the acceptable line, DEGRADED, CRITICAL past the critical line). Noise widens the interval,
so it can cost a TARGET, never buy one."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from operator import mul, sub, truediv

from burnin.bands import Band, Tiers
from burnin.coverage import Coverage, columns
from burnin.criteria.connection import measure_samples, require_coverage
from burnin.criteria.reading import Reading, judge_reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Evidence, Verdict

MB = 1_000_000
NOT_EXPORTED = "the target declares process_metrics = false: the bot exports no process metrics"
HOUR = 3600.0
# Two-sided 95 %, the normal approximation: a window that covers its 99 % holds hundreds of
# samples at least (6 h at a 60 s scrape: 360), where Student's t is within 0.5 % of it.
Z95 = 1.959964


@dataclass(frozen=True)
class SlopeFit:
    """The least-squares line through one series' raw samples: its slope in MB/hr and the
    slope's standard error, treating the residuals as independent (correlated noise makes the
    true error larger: the interval is then too narrow, which the stable line bounds)."""

    slope: float
    stderr: float
    samples: int
    selector: str = ""
    window_s: int = 0

    @property
    def low(self) -> float:
        return self.slope - Z95 * self.stderr

    @property
    def high(self) -> float:
        return self.slope + Z95 * self.stderr

    def describe(self) -> str:
        """e.g. 'slope +0.01 MB/hr (95 % CI -0.03..+0.05)'."""
        return f"slope {self.slope:+.2f} MB/hr (95 % CI {self.low:+.2f}..{self.high:+.2f})"

    def evidence(self, stable_within: float | None) -> Evidence:
        return Evidence(
            "prometheus",
            f"{self.selector}[{self.window_s}s] (raw samples, least-squares fit)",
            {
                "slope_mb_per_hr": self.slope,
                "stderr_mb_per_hr": self.stderr,
                "ci95_mb_per_hr": [self.low, self.high],
                "samples": self.samples,
                "stable_within_mb_per_hr": stable_within,
            },
        )


def fit_slope(points: Sequence[tuple[float, float]]) -> SlopeFit | None:
    """The least-squares slope of (unix seconds, bytes) samples in MB/hr, as Prometheus's
    deriv() fits it, and its standard error; None under 3 samples (no error to estimate) or
    when they share one time."""
    n = len(points)
    if n < 3:
        return None
    # The same arithmetic as term by term, run over the columns in C (map): a fleet fits a
    # day of samples for each of its bots.
    times, values = columns(points)
    hours = list(map(truediv, times, repeat(HOUR)))
    megabytes = list(map(truediv, values, repeat(MB)))
    mean_x, mean_y = math.fsum(hours) / n, math.fsum(megabytes) / n
    dx = list(map(sub, hours, repeat(mean_x)))
    dy = list(map(sub, megabytes, repeat(mean_y)))
    sxx = math.fsum(map(mul, dx, dx))
    if sxx <= 0:
        return None
    slope = math.fsum(map(mul, dx, dy)) / sxx
    residual = math.fsum(map(pow, map(sub, dy, map(mul, repeat(slope), dx)), repeat(2)))
    return SlopeFit(slope, math.sqrt(residual / (n - 2) / sxx), n)


def steepest_fit(series: list[Series], selector: str, window: Window) -> SlopeFit | None:
    """The fit of the series that grows fastest (as `max(deriv(...))` picks it)."""
    fits = [f for f in (fit_slope(s.points) for s in series) if f is not None]
    if not fits:
        return None
    return replace(max(fits, key=lambda f: f.slope), selector=selector, window_s=window.seconds)


@dataclass(frozen=True)
class ProcessReading:
    """One process-metric answer and the coverage of its series; `declared` False when the
    target says it exports no process metrics (nothing was asked then)."""

    reading: Reading | None
    coverage: Coverage | None
    extra: Reading | None = None  # cpu: the busiest 5 minutes
    declared: bool = True
    fit: SlopeFit | None = None  # memory-growth: the slope fitted to the raw samples


def _skipped(criterion: str, tiers: Tiers, window: Window) -> Verdict:
    return Verdict(
        criterion, Band.SKIPPED, None, tiers.unit, tiers.describe(), NOT_EXPORTED, window
    )


def _missing(metrics: Metrics, contract_name: str) -> str:
    return (
        f"no {metrics.series(contract_name)} samples in the window: the target declares process "
        "metrics (process_metrics = true), so this is missing data (wrong name or selector?)"
    )


def measure_memory_growth(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window, declared: bool = True
) -> ProcessReading:
    if not declared:
        return ProcessReading(None, None, declared=False)
    # deriv() is the least-squares slope, per second, over the window. The raw samples fetched
    # for coverage give the same fit and its standard error, and the report plots them (kept by
    # the probe): no range query of the series besides (a fleet's: as large as its raw samples).
    series = metrics.series("process_resident_memory_bytes")
    reading = read(
        prometheus,
        f"{metrics.agg('max')}(deriv({series}{window.promql_range()})) * 3600 / {MB}",
        window.end,
    )
    samples = measure_samples(prometheus, metrics, "process_resident_memory_bytes", window)
    fit = steepest_fit(samples.series, samples.selector, window)
    return ProcessReading(reading, samples.coverage, fit=fit)


def _judge(
    criterion: str,
    measured: ProcessReading,
    metrics: Metrics,
    contract_name: str,
    tiers: Tiers,
    window: Window,
    min_percent: float,
    stable: Callable[[Verdict], Verdict] | None = None,
) -> Verdict:
    if not measured.declared or measured.reading is None or measured.coverage is None:
        return _skipped(criterion, tiers, window)
    extra = (measured.extra,) if measured.extra is not None else ()
    verdict = judge_reading(
        criterion,
        measured.reading,
        tiers,
        window,
        missing_cause=_missing(metrics, contract_name),
        extra=extra,
    )
    judged = verdict.band.passes or verdict.band in (Band.DEGRADED, Band.CRITICAL)
    if criterion == "cpu" and judged and measured.extra is not None:
        busiest = measured.extra.value
        if busiest is not None:
            band = worse(verdict.band, tiers.band(busiest))
            verdict = replace(verdict, band=band, cause=f"busiest 5 min {busiest:.3g} %")
    if stable is not None and judged:
        verdict = stable(verdict)
    return require_coverage(verdict, measured.coverage, min_percent)


def judge_memory_growth(
    measured: ProcessReading, metrics: Metrics, tiers: Tiers, window: Window, min_percent: float
) -> Verdict:
    """The module's rule: TARGET when the slope and its 95 % CI are under the stable line."""
    verdict = _judge(
        "memory-growth",
        measured,
        metrics,
        "process_resident_memory_bytes",
        tiers,
        window,
        min_percent,
        stable=lambda v: _stability(v, measured.fit, tiers.stable_within),
    )
    if tiers.stable_within is None:
        return verdict
    return replace(verdict, threshold=stable_threshold(tiers, tiers.stable_within))


def stable_threshold(tiers: Tiers, line: float) -> str:
    """memory-growth's lines as its rule reads them."""
    return (
        f"stable (target): slope and its 95 % CI under {line:g} {tiers.unit}, "
        f"acceptable < {tiers.acceptable:g} {tiers.unit}, critical > {tiers.critical:g} {tiers.unit}"
    )


def _stability(verdict: Verdict, fit: SlopeFit | None, line: float | None) -> Verdict:
    """The stable line decides TARGET; the tiers' own target does not (a slope of +0.01 MB/hr
    in noise is no growth). A flag (DEGRADED, CRITICAL) stays as the tiers put it."""
    if line is None:
        return verdict
    evidence = verdict.evidence if fit is None else (*verdict.evidence, fit.evidence(line))
    band: Band
    if verdict.band in (Band.DEGRADED, Band.CRITICAL):
        band, cause = verdict.band, fit.describe() if fit else ""
    else:
        band, cause = _stable_or_not(verdict.observed, fit, line)
    joined = "; ".join(x for x in (cause, verdict.cause) if x)
    return replace(verdict, band=band, cause=joined, evidence=evidence)


def _stable_or_not(deriv: object, fit: SlopeFit | None, line: float) -> tuple[Band, str]:
    """A passing slope: TARGET when it and its 95 % CI are under the stable line, else
    ACCEPTABLE, saying which."""
    if fit is None:
        return Band.ACCEPTABLE, "under 3 samples in the series: no confidence interval, not stable"
    fitted = fit.describe()
    over = isinstance(deriv, int | float) and deriv > line  # Prometheus's deriv(), same fit
    if fit.high <= line and not over:
        return Band.TARGET, f"{fitted}: all of it under the stable line {line:g} MB/hr: stable"
    if fit.slope > line or over:
        return Band.ACCEPTABLE, f"{fitted}: over the stable line {line:g} MB/hr: growing"
    return (
        Band.ACCEPTABLE,
        f"{fitted}: its top over the stable line {line:g} MB/hr: too noisy to call stable",
    )


def measure_memory_peak(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window, declared: bool = True
) -> ProcessReading:
    if not declared:
        return ProcessReading(None, None, declared=False)
    series = metrics.series("process_resident_memory_bytes")
    reading = read(
        prometheus,
        f"{metrics.agg('max')}(max_over_time({series}{window.promql_range()})) / {MB}",
        window.end,
    )
    coverage = measure_samples(prometheus, metrics, "process_resident_memory_bytes", window)
    return ProcessReading(reading, coverage.coverage)


def judge_memory_peak(
    measured: ProcessReading, metrics: Metrics, tiers: Tiers, window: Window, min_percent: float
) -> Verdict:
    return _judge(
        "memory-peak",
        measured,
        metrics,
        "process_resident_memory_bytes",
        tiers,
        window,
        min_percent,
    )


def measure_cpu(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window, declared: bool = True
) -> ProcessReading:
    """Average CPU % over the window, and the busiest 5 minutes in it."""
    if not declared:
        return ProcessReading(None, None, declared=False)
    series = metrics.series("process_cpu_seconds_total")
    average = read(
        prometheus, f"{metrics.agg('max')}(rate({series}{window.promql_range()})) * 100", window.end
    )
    busiest = read(
        prometheus,
        f"max_over_time({metrics.agg('max')}(rate({series}[5m]))[{window.seconds}s:1m]) * 100",
        window.end,
    )
    coverage = measure_samples(prometheus, metrics, "process_cpu_seconds_total", window)
    return ProcessReading(average, coverage.coverage, busiest)


def judge_cpu(
    measured: ProcessReading, metrics: Metrics, tiers: Tiers, window: Window, min_percent: float
) -> Verdict:
    return _judge("cpu", measured, metrics, "process_cpu_seconds_total", tiers, window, min_percent)
