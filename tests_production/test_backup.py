"""Backups: the daily job left a fresh, non-empty copy on the host, and prunes old ones."""

import pytest

from burnin.criteria.backup import judge_backup
from burnin.gather import Gathered
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_backup(
    burnin_run: RunSettings,
    gathered: Gathered,
    judge: Judge,
    phase: str,
    request: pytest.FixtureRequest,
) -> None:
    if burnin_run.target["backup_glob"].strip():
        request.getfixturevalue("ssh")  # not configured / unreachable: an error, said once
    # no glob: skipped with its reason, even where SSH is not configured
    judge(judge_backup(gathered("backup")))
