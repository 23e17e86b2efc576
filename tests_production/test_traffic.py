"""Traffic patterns: every peak hour observed, peak and off-peak hours handled."""

from burnin.criteria.connection import measure_connection
from burnin.criteria.traffic import (
    judge_handled,
    judge_peak_observed,
    measure_periods,
    periods,
    with_cpu_check,
)
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_peak_observed(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    traffic, metrics = burnin_run.thresholds.traffic, burnin_run.metrics
    spans = periods(traffic.peak, traffic.timezone, window)
    peak = measure_periods(prometheus, metrics, spans, burnin_run.target["process_metrics"])
    data = measure_connection(prometheus, metrics, window)
    judge(judge_peak_observed(peak, data, traffic.peak, window))


def test_peak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    thresholds, metrics = burnin_run.thresholds, burnin_run.metrics
    traffic = thresholds.traffic
    spans = periods(traffic.peak, traffic.timezone, window)
    peak = measure_periods(prometheus, metrics, spans, burnin_run.target["process_metrics"])
    verdict = judge_handled(
        "peak-handled",
        peak,
        measure_connection(prometheus, metrics, window),
        traffic.peak,
        thresholds.tiers("uptime", phase),
        thresholds.tiers("error_rate", phase),
        window,
        thresholds.coverage_min_percent,
        zero_errors=False,
    )
    judge(verdict)


def test_offpeak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    thresholds, metrics = burnin_run.thresholds, burnin_run.metrics
    traffic, declared = thresholds.traffic, burnin_run.target["process_metrics"]
    offpeak = measure_periods(
        prometheus, metrics, periods(traffic.off_peak, traffic.timezone, window), declared
    )
    peak = measure_periods(
        prometheus, metrics, periods(traffic.peak, traffic.timezone, window), declared
    )
    verdict = judge_handled(
        "offpeak-handled",
        offpeak,
        measure_connection(prometheus, metrics, window),
        traffic.off_peak,
        thresholds.tiers("uptime", phase),
        thresholds.tiers("error_rate", phase),
        window,
        thresholds.coverage_min_percent,
        zero_errors=True,
    )
    judge(with_cpu_check(verdict, offpeak, peak))
