"""Stability: restarts, alerts, memory and CPU over the window."""

from burnin.criteria.alerts import judge_alerts
from burnin.criteria.resources import judge_cpu, judge_memory_growth, judge_memory_peak
from burnin.criteria.restarts import judge_restarts
from burnin.gather import Gathered
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.schedule import Window
from burnin.verdict import Judge


def test_restarts(
    prometheus: PrometheusProbe,
    ssh: SshProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    planned = list(burnin_run.target.planned_restarts)
    tiers = burnin_run.thresholds.tiers("unplanned_restarts", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_restarts(gathered("restarts"), planned, tiers, window, line))


def test_alerts(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    target = burnin_run.target
    tiers = burnin_run.thresholds.tiers("alert_count", phase)
    anchors = [*([target.deployed_at] if target.deployed_at else []), *target.planned_restarts]
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_alerts(gathered("alerts"), tiers, window, line, target.expected_alerts, anchors))


def test_memory_growth(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    tiers = burnin_run.thresholds.tiers("memory_growth", phase)
    line = burnin_run.thresholds.coverage_min_percent
    metrics = burnin_run.metrics
    judge(judge_memory_growth(gathered("memory-growth"), metrics, tiers, window, line))


def test_memory_peak(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    tiers = burnin_run.thresholds.tiers("memory_peak", phase)
    line = burnin_run.thresholds.coverage_min_percent
    metrics = burnin_run.metrics
    judge(judge_memory_peak(gathered("memory-peak"), metrics, tiers, window, line))


def test_cpu(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    tiers = burnin_run.thresholds.tiers("cpu", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_cpu(gathered("cpu"), burnin_run.metrics, tiers, window, line))
