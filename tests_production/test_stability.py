"""Stability: restarts, alerts, memory and CPU over the window."""

from burnin.criteria.alerts import judge_alerts, measure_alerts
from burnin.criteria.resources import (
    judge_cpu,
    judge_memory_growth,
    judge_memory_peak,
    measure_cpu,
    measure_memory_growth,
    measure_memory_peak,
)
from burnin.criteria.restarts import judge_restarts, measure_restarts
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_restarts(
    prometheus: PrometheusProbe,
    ssh: SshProbe,
    unit: str,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    target = burnin_run.target
    measurement = measure_restarts(
        prometheus, ssh, burnin_run.metrics, unit, window, target["process_metrics"]
    )
    tiers = burnin_run.thresholds.tiers("unplanned_restarts", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_restarts(measurement, list(target.planned_restarts), tiers, window, line))


def test_alerts(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    target = burnin_run.target
    measurement = measure_alerts(prometheus, burnin_run.metrics, window, target["alert_rules"])
    tiers = burnin_run.thresholds.tiers("alert_count", phase)
    anchors = [*([target.deployed_at] if target.deployed_at else []), *target.planned_restarts]
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_alerts(measurement, tiers, window, line, target.expected_alerts, anchors))


def test_memory_growth(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    metrics, declared = burnin_run.metrics, burnin_run.target["process_metrics"]
    measured = measure_memory_growth(prometheus, metrics, window, declared)
    tiers = burnin_run.thresholds.tiers("memory_growth", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_memory_growth(measured, metrics, tiers, window, line))


def test_memory_peak(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    metrics, declared = burnin_run.metrics, burnin_run.target["process_metrics"]
    measured = measure_memory_peak(prometheus, metrics, window, declared)
    tiers = burnin_run.thresholds.tiers("memory_peak", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_memory_peak(measured, metrics, tiers, window, line))


def test_cpu(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    metrics, declared = burnin_run.metrics, burnin_run.target["process_metrics"]
    measured = measure_cpu(prometheus, metrics, window, declared)
    tiers = burnin_run.thresholds.tiers("cpu", phase)
    line = burnin_run.thresholds.coverage_min_percent
    judge(judge_cpu(measured, metrics, tiers, window, line))
