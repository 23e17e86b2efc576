"""Traffic patterns: every peak hour observed, peak and off-peak hours handled."""

from burnin.config import DailyHours
from burnin.criteria.connection import measure_connection
from burnin.criteria.traffic import (
    PeriodReadings,
    judge_handled,
    judge_peak_observed,
    measure_periods,
    periods,
    with_cpu_check,
)
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge, Verdict
from burnin.window import Window


def _readings(
    prometheus: PrometheusProbe, run: RunSettings, hours: DailyHours, window: Window
) -> list[PeriodReadings]:
    spans = periods(hours, run.thresholds.traffic.timezone, window)
    return measure_periods(prometheus, run.metrics, spans, run.target["process_metrics"])


def _handled(
    criterion: str,
    prometheus: PrometheusProbe,
    run: RunSettings,
    hours: DailyHours,
    window: Window,
    phase: str,
) -> tuple[Verdict, list[PeriodReadings]]:
    readings = _readings(prometheus, run, hours, window)
    verdict = judge_handled(
        criterion,
        readings,
        measure_connection(prometheus, run.metrics, window),
        hours,
        run.thresholds.tiers("uptime", phase),
        run.thresholds.tiers("error_rate", phase),
        window,
        run.thresholds.coverage_min_percent,
        zero_errors=criterion == "offpeak-handled",  # off-peak: no errors at all
    )
    return verdict, readings


def test_peak_observed(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    peak_hours = burnin_run.thresholds.traffic.peak
    peak = _readings(prometheus, burnin_run, peak_hours, window)
    data = measure_connection(prometheus, burnin_run.metrics, window)
    judge(judge_peak_observed(peak, data, peak_hours, window))


def test_peak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    traffic = burnin_run.thresholds.traffic
    verdict, _ = _handled("peak-handled", prometheus, burnin_run, traffic.peak, window, phase)
    judge(verdict)


def test_offpeak_handled(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    traffic = burnin_run.thresholds.traffic
    verdict, offpeak = _handled(
        "offpeak-handled", prometheus, burnin_run, traffic.off_peak, window, phase
    )
    peak = _readings(prometheus, burnin_run, traffic.peak, window)
    judge(with_cpu_check(verdict, offpeak, peak))
