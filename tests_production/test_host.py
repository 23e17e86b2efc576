"""The bot's host over SSH: the unit's journal and its systemd state."""

from burnin.criteria.host import (
    judge_logs_clean,
    judge_service_active,
    measure_journal,
    measure_service,
)
from burnin.probes.ssh import SshProbe
from burnin.verdict import Judge
from burnin.window import Window


def test_logs_clean(ssh: SshProbe, unit: str, window: Window, judge: Judge, phase: str) -> None:
    judge(judge_logs_clean(measure_journal(ssh, unit, window), window))


def test_service_active(ssh: SshProbe, unit: str, judge: Judge, phase: str) -> None:
    judge(judge_service_active(*measure_service(ssh, unit)))
