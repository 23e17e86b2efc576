"""The bot's host over SSH: its logs (the journal, or the target's log file) and its systemd
state."""

from zoneinfo import ZoneInfo

from burnin.criteria.host import judge_logs_clean, judge_service_active, measure_service
from burnin.criteria.logfile import measure_logs
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_logs_clean(
    ssh: SshProbe, unit: str, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    target = burnin_run.target
    zone = ZoneInfo(target["log_timezone"])
    judge(judge_logs_clean(measure_logs(ssh, unit, window, target["log_file"], zone), window))


def test_service_active(ssh: SshProbe, unit: str, judge: Judge, phase: str) -> None:
    judge(judge_service_active(*measure_service(ssh, unit)))
