"""The bot's health endpoint, asked the way the spec's curl | jq does, but parsed exactly."""

from burnin.criteria.health import judge_health_latency, judge_health_up, judge_health_version
from burnin.gather import Gathered
from burnin.probes.health import HealthProbe
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_health_up(
    health: HealthProbe, gathered: Gathered, burnin_run: RunSettings, judge: Judge, phase: str
) -> None:
    target = burnin_run.target
    verdict = judge_health_up(
        gathered("health"), target["channel"], target["healthy_status"], target["degraded_status"]
    )
    judge(verdict)


def test_health_version(
    health: HealthProbe, gathered: Gathered, burnin_run: RunSettings, judge: Judge, phase: str
) -> None:
    judge(judge_health_version(gathered("health"), burnin_run.target["version"]))


def test_health_latency(
    health: HealthProbe, gathered: Gathered, burnin_run: RunSettings, judge: Judge, phase: str
) -> None:
    tiers = burnin_run.thresholds.tiers("health_latency", phase)
    judge(judge_health_latency(gathered("health-latency"), tiers))
