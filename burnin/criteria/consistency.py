"""consistency: the health endpoint and Prometheus tell the same story right now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from burnin.bands import Band
from burnin.criteria.health import reading_evidence
from burnin.criteria.reading import Reading, read
from burnin.probes.health import HealthProbe, HealthReading
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Verdict, no_data

# Counts move between the two reads (a scrape is up to one interval old): allow that much.
USERS_TOLERANCE = (3, 0.10)  # absolute, relative
ERRORS_TOLERANCE = (2, 0.01)


@dataclass(frozen=True)
class ConsistencyMeasurement:
    health: HealthReading
    connected: Reading
    users: Reading
    errors: Reading


def measure_consistency(
    health: HealthProbe, prometheus: PrometheusProbe, metrics: Metrics
) -> ConsistencyMeasurement:
    reading = health.read()
    now = datetime.now(UTC)
    return ConsistencyMeasurement(
        reading,
        read(prometheus, f"max({metrics.series('bot_connected')})", now),
        read(prometheus, f"sum({metrics.series('bot_users')})", now),
        read(prometheus, f"sum({metrics.series('bot_errors_total')})", now),
    )


def _close(claimed: float, measured: float, tolerance: tuple[float, float]) -> bool:
    absolute, relative = tolerance
    return abs(claimed - measured) <= max(absolute, relative * abs(measured))


def judge_consistency(m: ConsistencyMeasurement) -> Verdict:
    evidence = (
        reading_evidence(m.health),
        m.connected.evidence(),
        m.users.evidence(),
        m.errors.evidence(),
    )
    threshold = (
        f"connected equal; users within {USERS_TOLERANCE[0]} or {USERS_TOLERANCE[1]:.0%}; "
        f"errors within {ERRORS_TOLERANCE[0]} or {ERRORS_TOLERANCE[1]:.0%}"
    )
    if m.health.payload is None:
        return no_data(
            "consistency",
            f"health endpoint gave no valid answer: {m.health.problem}",
            None,
            evidence,
        )
    missing = [r.query for r in (m.connected, m.users, m.errors) if r.value is None]
    if missing:
        return no_data(
            "consistency",
            f"Prometheus has no current value for {', '.join(missing)}",
            None,
            evidence,
        )
    payload = m.health.payload
    assert (
        m.connected.value is not None and m.users.value is not None and m.errors.value is not None
    )
    problems = []
    band = Band.TARGET
    if payload.connected != (m.connected.value >= 1):
        problems.append(
            f"health says connected={str(payload.connected).lower()}, bot_connected is {m.connected.value:g}"
        )
        band = Band.CRITICAL
    if not _close(payload.user_count, m.users.value, USERS_TOLERANCE):
        problems.append(f"health says {payload.user_count} users, bot_users is {m.users.value:g}")
        band = Band.CRITICAL if band is Band.CRITICAL else Band.DEGRADED
    if not _close(payload.error_count, m.errors.value, ERRORS_TOLERANCE):
        problems.append(
            f"health says {payload.error_count} errors, bot_errors_total is {m.errors.value:g}"
        )
        band = Band.CRITICAL if band is Band.CRITICAL else Band.DEGRADED
    observed = (
        f"health connected={str(payload.connected).lower()} users={payload.user_count} "
        f"errors={payload.error_count}; Prometheus {m.connected.value:g}/{m.users.value:g}/{m.errors.value:g}"
    )
    return Verdict(
        "consistency", band, observed, "", threshold, "; ".join(problems), None, evidence
    )
