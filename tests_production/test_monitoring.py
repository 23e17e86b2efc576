"""The monitoring itself: everything operational, and (opt-in) a test alert goes through."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_monitoring_operational(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_alerts_functional(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
