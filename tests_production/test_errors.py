"""Errors: the total in the window and the rate per minute (average and worst 5 minutes)."""

from burnin.criteria.errors import judge_error_rate, judge_errors_total
from burnin.gather import Gathered
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.schedule import Window
from burnin.verdict import Judge


def test_errors_total(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    total, coverage = gathered("errors-total")
    tiers = burnin_run.thresholds.tiers("errors_total", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_errors_total(total, coverage, tiers, window, line))


def test_error_rate(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    average, worst, coverage = gathered("error-rate")
    tiers = burnin_run.thresholds.tiers("error_rate", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_error_rate(average, worst, coverage, tiers, window, line))
