"""memory-growth, memory-peak and cpu, from the standard process metrics (optional: a
deployment that does not export them gets these criteria skipped, with that reason)."""

from __future__ import annotations

from dataclasses import replace

from burnin.bands import Band, Tiers
from burnin.criteria.connection import step_for
from burnin.criteria.reading import Reading, judge_reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Verdict
from burnin.window import Window

MB = 1_000_000


def _absent(metric: str) -> str:
    return f"{metric} is not exported in the window (optional process metric)"


def measure_memory_growth(prometheus: PrometheusProbe, metrics: Metrics, window: Window) -> Reading:
    # deriv() is the least-squares slope, per second, over the window. The series itself is
    # fetched too (kept by the probe) so the report can plot it with its fitted line.
    series = metrics.series("process_resident_memory_bytes")
    prometheus.range(series, window.start, window.end, step_for(window))
    return read(
        prometheus, f"max(deriv({series}{window.promql_range()})) * 3600 / {MB}", window.end
    )


def judge_memory_growth(reading: Reading, tiers: Tiers, window: Window) -> Verdict:
    return judge_reading(
        "memory-growth",
        reading,
        tiers,
        window,
        missing=Band.SKIPPED,
        missing_cause=_absent("process_resident_memory_bytes"),
    )


def measure_memory_peak(prometheus: PrometheusProbe, metrics: Metrics, window: Window) -> Reading:
    series = metrics.series("process_resident_memory_bytes")
    return read(
        prometheus, f"max(max_over_time({series}{window.promql_range()})) / {MB}", window.end
    )


def judge_memory_peak(reading: Reading, tiers: Tiers, window: Window) -> Verdict:
    return judge_reading(
        "memory-peak",
        reading,
        tiers,
        window,
        missing=Band.SKIPPED,
        missing_cause=_absent("process_resident_memory_bytes"),
    )


def measure_cpu(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> tuple[Reading, Reading]:
    """Average CPU % over the window, and the busiest 5 minutes in it."""
    series = metrics.series("process_cpu_seconds_total")
    average = read(prometheus, f"max(rate({series}{window.promql_range()})) * 100", window.end)
    busiest = read(
        prometheus,
        f"max_over_time(max(rate({series}[5m]))[{window.seconds}s:1m]) * 100",
        window.end,
    )
    return average, busiest


def judge_cpu(average: Reading, busiest: Reading, tiers: Tiers, window: Window) -> Verdict:
    verdict = judge_reading(
        "cpu",
        average,
        tiers,
        window,
        missing=Band.SKIPPED,
        missing_cause=_absent("process_cpu_seconds_total"),
        extra=(busiest,),
    )
    if verdict.band in (Band.SKIPPED, Band.NO_DATA) or busiest.value is None:
        return verdict
    band = worse(verdict.band, tiers.band(busiest.value))
    return replace(verdict, band=band, cause=f"busiest 5 min {busiest.value:.3g} %")
