"""The bot's health endpoint, asked the way the spec's curl | jq does, but parsed exactly."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_health_up(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_health_version(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())


def test_health_latency(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
