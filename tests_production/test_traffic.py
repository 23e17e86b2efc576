"""Traffic patterns: a peak period observed, peak and off-peak hours handled."""

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
    traffic = burnin_run.thresholds.traffic
    peak = measure_periods(
        prometheus, burnin_run.metrics, periods(traffic.peak, traffic.timezone, window)
    )
    data = measure_connection(prometheus, burnin_run.metrics, window)
    judge(judge_peak_observed(peak, data, traffic.peak, window))


def test_peak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    traffic, thresholds = burnin_run.thresholds.traffic, burnin_run.thresholds
    peak = measure_periods(
        prometheus, burnin_run.metrics, periods(traffic.peak, traffic.timezone, window)
    )
    judge(
        judge_handled(
            "peak-handled",
            peak,
            thresholds.tiers("uptime", phase),
            thresholds.tiers("error_rate", phase),
            window,
            zero_errors=False,
        )
    )


def test_offpeak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    traffic, thresholds = burnin_run.thresholds.traffic, burnin_run.thresholds
    spans = periods(traffic.off_peak, traffic.timezone, window)
    offpeak = measure_periods(prometheus, burnin_run.metrics, spans)
    peak = measure_periods(
        prometheus, burnin_run.metrics, periods(traffic.peak, traffic.timezone, window)
    )
    verdict = judge_handled(
        "offpeak-handled",
        offpeak,
        thresholds.tiers("uptime", phase),
        thresholds.tiers("error_rate", phase),
        window,
        zero_errors=True,
    )
    judge(with_cpu_check(verdict, offpeak, peak))
