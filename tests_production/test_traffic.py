"""Traffic patterns: every peak hour observed, peak and off-peak hours handled."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_peak_observed(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_peak_handled(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_offpeak_handled(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
