"""Release against release: this deployment against the one it replaced, like for like."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_vs_previous_release(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
