"""Connection: uptime, the longest disconnection, and whether monitoring covered the window."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_uptime(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_longest_disconnect(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_coverage(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
