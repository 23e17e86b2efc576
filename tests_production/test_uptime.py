"""Uptime: the share of the window the bot said it was connected (bot_connected)."""

from burnin.criteria.uptime import judge_uptime, measure_uptime
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_uptime(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    measurement = measure_uptime(prometheus, burnin_run.metrics, window)
    judge(judge_uptime(measurement, burnin_run.thresholds.tiers("uptime", phase), window))
