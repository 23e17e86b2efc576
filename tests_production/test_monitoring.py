"""The monitoring itself: everything operational, and (opt-in) a test alert goes through."""

from burnin.criteria.alert_path import judge_alert_path, measure_alert_path, not_opted_in
from burnin.criteria.monitoring import judge_monitoring
from burnin.gather import Gathered
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.schedule import Window
from burnin.verdict import Judge, no_data


def test_monitoring_operational(
    prometheus: PrometheusProbe, gathered: Gathered, window: Window, judge: Judge, phase: str
) -> None:
    judge(judge_monitoring(gathered("monitoring"), window))


def test_alerts_functional(burnin_run: RunSettings, judge: Judge, phase: str) -> None:
    target = burnin_run.target
    if not target["send_test_alert"]:
        judge(not_opted_in())
        return
    if not target["alertmanager_url"]:
        judge(no_data("alerts-functional", "no alertmanager_url configured", None, ()))
        return
    measured = measure_alert_path(
        target["alertmanager_url"], target["timeout_s"], access=target.access("alertmanager")
    )
    judge(judge_alert_path(measured))
