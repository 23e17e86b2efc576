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
    measurement = measure_restarts(prometheus, ssh, burnin_run.metrics, unit, window)
    tiers = burnin_run.thresholds.tiers("unplanned_restarts", phase)
    judge(judge_restarts(measurement, list(burnin_run.target.planned_restarts), tiers, window))


def test_alerts(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    tiers = burnin_run.thresholds.tiers("alert_count", phase)
    forbid_critical = burnin_run.phase(phase).no_critical_alerts
    judge(judge_alerts(measure_alerts(prometheus, window), tiers, window, forbid_critical))


def test_memory_growth(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    reading = measure_memory_growth(prometheus, burnin_run.metrics, window)
    judge(judge_memory_growth(reading, burnin_run.thresholds.tiers("memory_growth", phase), window))


def test_memory_peak(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    reading = measure_memory_peak(prometheus, burnin_run.metrics, window)
    judge(judge_memory_peak(reading, burnin_run.thresholds.tiers("memory_peak", phase), window))


def test_cpu(
    prometheus: PrometheusProbe, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    average, busiest = measure_cpu(prometheus, burnin_run.metrics, window)
    judge(judge_cpu(average, busiest, burnin_run.thresholds.tiers("cpu", phase), window))
