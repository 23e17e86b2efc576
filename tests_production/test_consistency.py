"""The health endpoint and Prometheus must agree: an endpoint that lies is caught here."""

from burnin.criteria.consistency import judge_consistency
from burnin.gather import Gathered
from burnin.probes.health import HealthProbe
from burnin.probes.prometheus import PrometheusProbe
from burnin.verdict import Judge


def test_consistency(
    health: HealthProbe,
    prometheus: PrometheusProbe,
    gathered: Gathered,
    judge: Judge,
    phase: str,
) -> None:
    judge(judge_consistency(gathered("consistency")))
