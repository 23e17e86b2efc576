"""Connection: uptime, the longest disconnection, and whether monitoring covered the window."""

from burnin.criteria.connection import judge_coverage, judge_longest_disconnect, measure_connection
from burnin.criteria.uptime import judge_uptime
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_uptime(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    data = measure_connection(prometheus, burnin_run.metrics, window)
    tiers = burnin_run.thresholds.tiers("uptime", phase)
    judge(judge_uptime(data, tiers, burnin_run.thresholds.coverage_min_percent))


def test_longest_disconnect(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    data = measure_connection(prometheus, burnin_run.metrics, window)
    tiers = burnin_run.thresholds.tiers("longest_disconnect", phase)
    judge(judge_longest_disconnect(data, tiers, burnin_run.thresholds.coverage_min_percent))


def test_coverage(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    data = measure_connection(prometheus, burnin_run.metrics, window)
    judge(judge_coverage(data, burnin_run.thresholds.coverage_min_percent))
