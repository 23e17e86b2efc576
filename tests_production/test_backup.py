"""Backups: the daily job left a fresh, non-empty copy on the host, and prunes old ones."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_backup(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
