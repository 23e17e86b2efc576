"""Stability: restarts, alerts, memory and CPU over the window."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_restarts(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_alerts(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_memory_growth(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_memory_peak(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_cpu(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
