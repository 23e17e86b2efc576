"""memory-growth, memory-peak and cpu, from the standard process metrics.

Optional is declared, never inferred: a target that exports no process metrics says so
(`process_metrics = false`) and only then are these criteria SKIPPED; a declared metric that
is missing is NO_DATA, like any other."""

from __future__ import annotations

from dataclasses import dataclass, replace

from burnin.bands import Band, Tiers
from burnin.coverage import Coverage
from burnin.criteria.connection import measure_samples, require_coverage, step_for
from burnin.criteria.reading import Reading, judge_reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Verdict
from burnin.window import Window

MB = 1_000_000
NOT_EXPORTED = "the target declares process_metrics = false: the bot exports no process metrics"


@dataclass(frozen=True)
class ProcessReading:
    """One process-metric answer and the coverage of its series; `declared` False when the
    target says it exports no process metrics (nothing was asked then)."""

    reading: Reading | None
    coverage: Coverage | None
    extra: Reading | None = None  # cpu: the busiest 5 minutes
    declared: bool = True


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
    # deriv() is the least-squares slope, per second, over the window. The series itself is
    # fetched too (kept by the probe) so the report can plot it with its fitted line.
    series = metrics.series("process_resident_memory_bytes")
    prometheus.range(series, window.start, window.end, step_for(window))
    reading = read(
        prometheus,
        f"{metrics.agg('max')}(deriv({series}{window.promql_range()})) * 3600 / {MB}",
        window.end,
    )
    coverage = measure_samples(prometheus, metrics, "process_resident_memory_bytes", window)
    return ProcessReading(reading, coverage.coverage)


def _judge(
    criterion: str,
    measured: ProcessReading,
    metrics: Metrics,
    contract_name: str,
    tiers: Tiers,
    window: Window,
    min_percent: float,
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
    return require_coverage(verdict, measured.coverage, min_percent)


def judge_memory_growth(
    measured: ProcessReading, metrics: Metrics, tiers: Tiers, window: Window, min_percent: float
) -> Verdict:
    return _judge(
        "memory-growth",
        measured,
        metrics,
        "process_resident_memory_bytes",
        tiers,
        window,
        min_percent,
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
