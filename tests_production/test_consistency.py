"""The health endpoint and Prometheus must agree: an endpoint that lies is caught here."""

from burnin.criteria.consistency import judge_consistency, measure_consistency
from burnin.probes.health import HealthProbe
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_consistency(
    health: HealthProbe,
    prometheus: PrometheusProbe,
    burnin_run: RunSettings,
    judge: Judge,
    phase: str,
) -> None:
    judge(judge_consistency(measure_consistency(health, prometheus, burnin_run.metrics)))
