"""The bot's host over SSH: its logs (the journal, or the target's log file) and its systemd
state."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_logs_clean(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_service_active(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
