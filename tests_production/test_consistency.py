"""The health endpoint and Prometheus must agree: an endpoint that lies is caught here."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_consistency(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
