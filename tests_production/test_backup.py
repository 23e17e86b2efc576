"""Backups: the daily job left a fresh, non-empty copy on the host, and prunes old ones."""

import pytest

from burnin.criteria.backup import BackupMeasurement, judge_backup, measure_backups
from burnin.run import RunSettings, now
from burnin.verdict import Judge


def test_backup(
    burnin_run: RunSettings, judge: Judge, phase: str, request: pytest.FixtureRequest
) -> None:
    glob = burnin_run.target["backup_glob"]
    if not glob.strip():  # skipped with its reason, even where SSH is not configured
        judge(judge_backup(BackupMeasurement(glob, now(), None, None)))
        return
    judge(judge_backup(measure_backups(request.getfixturevalue("ssh"), glob)))
