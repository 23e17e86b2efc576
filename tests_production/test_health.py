"""The bot's health endpoint, asked the way the spec's curl | jq does, but parsed exactly."""

from burnin.criteria.health import (
    judge_health_latency,
    judge_health_up,
    judge_health_version,
    measure_health_latency,
)
from burnin.probes.health import HealthProbe
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_health_up(health: HealthProbe, burnin_run: RunSettings, judge: Judge, phase: str) -> None:
    target = burnin_run.target
    verdict = judge_health_up(
        health.read(), target["channel"], target["healthy_status"], target["degraded_status"]
    )
    judge(verdict)


def test_health_version(
    health: HealthProbe, burnin_run: RunSettings, judge: Judge, phase: str
) -> None:
    judge(judge_health_version(health.read(), burnin_run.target["version"]))


def test_health_latency(
    health: HealthProbe, burnin_run: RunSettings, judge: Judge, phase: str
) -> None:
    sample = measure_health_latency(health, burnin_run.thresholds.sampling.health_requests)
    judge(judge_health_latency(sample, burnin_run.thresholds.tiers("health_latency", phase)))
