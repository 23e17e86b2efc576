"""Connection: uptime, the longest disconnection, and whether monitoring covered the window."""

from burnin.criteria.connection import judge_coverage, judge_longest_disconnect
from burnin.criteria.uptime import judge_uptime
from burnin.gather import Gathered
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_uptime(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    judge: Judge,
    phase: str,
) -> None:
    tiers = burnin_run.thresholds.tiers("uptime", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_uptime(gathered("connection"), tiers, line))


def test_longest_disconnect(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    judge: Judge,
    phase: str,
) -> None:
    tiers = burnin_run.thresholds.tiers("longest_disconnect", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_longest_disconnect(gathered("connection"), tiers, line))


def test_coverage(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    judge: Judge,
    phase: str,
) -> None:
    judge(judge_coverage(gathered("connection"), burnin_run.thresholds.coverage_min_percent))
