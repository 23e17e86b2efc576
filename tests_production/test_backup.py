"""Backups: the daily job left a fresh, non-empty copy on the host, and prunes old ones."""

from burnin.criteria.backup import judge_backup, measure_backups
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_backup(ssh: SshProbe, burnin_run: RunSettings, judge: Judge, phase: str) -> None:
    judge(judge_backup(measure_backups(ssh, burnin_run.target["backup_glob"])))
