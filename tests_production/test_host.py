"""The bot's host over SSH: its logs (the journal, or the target's log file) and its systemd
state."""

from burnin.criteria.host import judge_logs_clean, judge_service_active
from burnin.gather import Gathered
from burnin.probes.ssh import SshProbe
from burnin.schedule import Window
from burnin.verdict import Judge


def test_logs_clean(
    ssh: SshProbe, gathered: Gathered, window: Window, judge: Judge, phase: str
) -> None:
    judge(judge_logs_clean(gathered("logs"), window))


def test_service_active(ssh: SshProbe, gathered: Gathered, judge: Judge, phase: str) -> None:
    judge(judge_service_active(*gathered("service")))
