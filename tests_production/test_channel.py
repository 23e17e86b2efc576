"""Channel events: no error follows a topic change, kick/ban, media change or join/leave."""

from burnin.criteria.channel import judge_channel_events
from burnin.gather import Gathered
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.schedule import Window
from burnin.verdict import Judge


def test_channel_events(
    ssh: SshProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    events = burnin_run.thresholds.channel_events
    judge(judge_channel_events(gathered("channel-events"), events, window))
