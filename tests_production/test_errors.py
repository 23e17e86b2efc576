"""Errors: the total in the window and the rate per minute (average and worst 5 minutes)."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_errors_total(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_error_rate(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
