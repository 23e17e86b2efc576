"""Channel events: no error follows a topic change, kick/ban, media change or join/leave."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_channel_events(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
