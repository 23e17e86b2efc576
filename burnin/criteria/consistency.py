"""consistency: the health endpoint and Prometheus tell the same story right now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from burnin.bands import Band
from burnin.criteria.health import observer_failed, reading_evidence
from burnin.criteria.reading import Reading, read
from burnin.probes.health import HealthProbe, HealthReading
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Verdict, no_data

# Counts move between the two reads (a scrape is up to one interval old): the health value is
# compared with the range Prometheus saw over RECENT, widened by a tolerance.
RECENT = "2m"
USERS_TOLERANCE = (3, 0.10)  # absolute, relative
ERRORS_TOLERANCE = (2, 0.01)


@dataclass(frozen=True)
class ConsistencyMeasurement:
    health: HealthReading
    connected: Reading
    users: tuple[Reading, Reading]  # lowest and highest over RECENT
    errors: tuple[Reading, Reading]


def measure_consistency(
    health: HealthProbe, prometheus: PrometheusProbe, metrics: Metrics, at: datetime | None = None
) -> ConsistencyMeasurement:
    """The health answer beside what Prometheus saw over RECENT up to `at` (default: just after
    the health answer; a fleet's bots share one moment, so they share Prometheus's answers)."""
    reading = health.read()
    now = at or datetime.now(UTC)

    def recent(name: str) -> tuple[Reading, Reading]:
        series = metrics.series(name)
        return (
            read(prometheus, metrics.total(f"min_over_time({series}[{RECENT}])"), now),
            read(prometheus, metrics.total(f"max_over_time({series}[{RECENT}])"), now),
        )

    return ConsistencyMeasurement(
        reading,
        read(prometheus, f"{metrics.agg('max')}({metrics.series('bot_connected')})", now),
        recent("bot_users"),
        recent("bot_errors_total"),
    )


def _within(claimed: float, low: float, high: float, tolerance: tuple[float, float]) -> bool:
    absolute, relative = tolerance
    slack = max(absolute, relative * abs(high))
    return low - slack <= claimed <= high + slack


def _span(pair: tuple[Reading, Reading]) -> str:
    low, high = (r.value for r in pair)
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"


def judge_consistency(m: ConsistencyMeasurement) -> Verdict:
    readings = (m.connected, *m.users, *m.errors)
    evidence = (reading_evidence(m.health), *(r.evidence() for r in readings))
    threshold = (
        f"connected equal; users and errors within the last {RECENT} of Prometheus values "
        f"± {USERS_TOLERANCE[0]} users or {USERS_TOLERANCE[1]:.0%}, ± {ERRORS_TOLERANCE[0]} errors "
        f"or {ERRORS_TOLERANCE[1]:.0%}"
    )
    if (broken := observer_failed("consistency", m.health)) is not None:
        return replace(broken, evidence=evidence)
    if m.health.payload is None:
        return no_data(
            "consistency",
            f"health endpoint gave no valid answer: {m.health.problem}",
            None,
            evidence,
        )
    missing = [r.query for r in readings if r.value is None]
    if missing:
        return no_data(
            "consistency",
            f"Prometheus has no current value for {', '.join(missing)}",
            None,
            evidence,
        )
    payload = m.health.payload
    connected = m.connected.value or 0.0
    problems = []
    band = Band.TARGET
    if payload.connected != (connected >= 1):
        problems.append(
            f"health says connected={str(payload.connected).lower()}, bot_connected is {connected:g}"
        )
        band = Band.CRITICAL
    checks = (
        ("users", payload.user_count, m.users, USERS_TOLERANCE, "bot_users"),
        ("errors", payload.error_count, m.errors, ERRORS_TOLERANCE, "bot_errors_total"),
    )
    for word, claimed, pair, tolerance, metric in checks:
        if not _within(claimed, pair[0].value or 0.0, pair[1].value or 0.0, tolerance):
            problems.append(
                f"health says {claimed} {word}, {metric} was {_span(pair)} over the last {RECENT}"
            )
            band = Band.CRITICAL if band is Band.CRITICAL else Band.DEGRADED
    observed = (
        f"health connected={str(payload.connected).lower()} users={payload.user_count} "
        f"errors={payload.error_count}; Prometheus connected={connected:g} users={_span(m.users)} "
        f"errors={_span(m.errors)}"
    )
    return Verdict(
        "consistency", band, observed, "", threshold, "; ".join(problems), None, evidence
    )
