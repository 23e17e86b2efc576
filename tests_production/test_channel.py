"""Channel events: no error follows a topic change, kick/ban, media change or join/leave."""

from zoneinfo import ZoneInfo

from burnin.criteria.channel import judge_channel_events
from burnin.criteria.logfile import measure_channel_logs
from burnin.probes.ssh import SshProbe
from burnin.run import RunSettings
from burnin.verdict import Judge
from burnin.window import Window


def test_channel_events(
    ssh: SshProbe, unit: str, burnin_run: RunSettings, window: Window, judge: Judge, phase: str
) -> None:
    target = burnin_run.target
    zone = ZoneInfo(target["log_timezone"])
    measurement = measure_channel_logs(ssh, unit, window, target["log_file"], zone)
    judge(judge_channel_events(measurement, burnin_run.thresholds.channel_events, window))
