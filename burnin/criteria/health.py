"""health-up and health-version: the endpoint answers with the contract's JSON and good values."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, replace

from burnin.bands import Band, Tiers
from burnin.criteria.reading import worse
from burnin.probes.health import HealthProbe, HealthReading
from burnin.verdict import Evidence, Verdict


def reading_evidence(reading: HealthReading) -> Evidence:
    values: dict[str, object] = {
        "http_status": reading.http_status,
        "latency_ms": None if reading.latency_ms is None else round(reading.latency_ms, 1),
    }
    if reading.payload is not None:
        values["payload"] = asdict(reading.payload)
    excerpt = "" if reading.ok else reading.body_excerpt
    return Evidence("health", f"GET {reading.url}", values, excerpt)


def observer_failed(criterion: str, reading: HealthReading) -> Verdict | None:
    """The observer could not ask the endpoint (its trust, credentials, DNS or proxy): a
    SOURCE_ERROR, never a verdict on the bot. None when the endpoint itself answered or not."""
    if not reading.observer:
        return None
    return Verdict(
        criterion,
        Band.SOURCE_ERROR,
        None,
        "",
        "",
        f"health at {reading.url}: {reading.problem}",
        None,
        (reading_evidence(reading),),
    )


def judge_health_up(
    reading: HealthReading,
    expected_channel: str,
    healthy: tuple[str, ...] = ("healthy",),
    degraded: tuple[str, ...] = ("degraded",),
) -> Verdict:
    """status is one of the target's healthy words (exact compare: "unhealthy" never passes a
    grep for "healthy" here), connected, in the expected channel. A degraded word is a yellow
    flag; anything else is red."""
    words = " or ".join(repr(w) for w in healthy)
    expectation = f"status in {words}, connected == true".replace("'", '"')
    if expected_channel:
        expectation += f", channel == {expected_channel!r}"
    evidence = (reading_evidence(reading),)
    if (broken := observer_failed("health-up", reading)) is not None:
        return broken
    if reading.payload is None:
        # "Health endpoint not responding" is a red flag of the spec, not a broken observer.
        return Verdict(
            "health-up",
            Band.CRITICAL,
            reading.problem,
            "",
            expectation,
            "health endpoint did not give a valid answer",
            None,
            evidence,
        )
    payload = reading.payload
    problems = []
    if payload.status not in healthy:
        problems.append(f"status is {payload.status!r}")
    if payload.connected is not True:
        problems.append("connected is false")
    if expected_channel and payload.channel != expected_channel:
        problems.append(f"channel is {payload.channel!r}")
    observed = f"status={payload.status!r} connected={str(payload.connected).lower()} channel={payload.channel!r}"
    if not problems:
        return Verdict("health-up", Band.TARGET, observed, "", expectation, "", None, evidence)
    degraded_only = len(problems) == 1 and payload.status in degraded
    band = Band.DEGRADED if degraded_only else Band.CRITICAL
    return Verdict(
        "health-up", band, observed, "", expectation, "; ".join(problems), None, evidence
    )


def judge_health_version(reading: HealthReading, expected_version: str) -> Verdict:
    evidence = (reading_evidence(reading),)
    expectation = f"version == {expected_version!r}"
    if not expected_version:
        return Verdict(
            "health-version",
            Band.SKIPPED,
            None,
            "",
            "",
            "no expected version configured (--expected-version)",
            None,
            evidence,
        )
    if (broken := observer_failed("health-version", reading)) is not None:
        return broken
    if reading.payload is None:
        return Verdict(
            "health-version",
            Band.CRITICAL,
            reading.problem,
            "",
            expectation,
            "health endpoint did not give a valid answer",
            None,
            evidence,
        )
    version = reading.payload.version
    if version is None:
        return Verdict(
            "health-version",
            Band.NO_DATA,
            None,
            "",
            expectation,
            'the target\'s health JSON carries no version field (health_fields.version = ""), '
            "so the expected version cannot be checked",
            None,
            evidence,
        )
    band = Band.TARGET if version == expected_version else Band.CRITICAL
    cause = "" if band is Band.TARGET else f"deployed version is {version!r}"
    return Verdict("health-version", band, version, "", expectation, cause, None, evidence)


@dataclass(frozen=True)
class LatencySample:
    """Requests on fresh connections. Every request that got an HTTP answer is timed whatever
    its payload (that is health-up's business); one that never answered counts at the timeout."""

    readings: list[HealthReading]
    timeout_s: float
    planned: int = 0  # requests meant (the sampling stops at the first one never answered)
    # The one reading is the run's earlier request that hung (health-up's read): not asked again.
    earlier: bool = False

    @property
    def latencies_ms(self) -> list[float]:
        return [
            r.latency_ms if r.answered and r.latency_ms is not None else self.timeout_s * 1000.0
            for r in self.readings
        ]

    @property
    def unanswered(self) -> list[HealthReading]:
        return [r for r in self.readings if not r.answered]

    def percentile(self, values: list[float], fraction: float) -> float:
        ordered = sorted(values)
        index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
        return ordered[index]


def measure_health_latency(probe: HealthProbe, requests: int) -> LatencySample:
    """`requests` GETs in turn, stopping at the first that never answered (timed out, refused):
    each further one would wait its timeout too (a hanging endpoint cost ten timeouts, 20 s at
    --source-timeout=2), and that one, counted at the timeout, already decides the band. An
    endpoint that already hung in this run (health-up's read, gathered first) is not asked
    again: that request is the sample's, so a hanging endpoint costs the run one timeout, not
    two (a fleet's hundred hanging bots: 100 timeouts over the gathering's threads, not 200)."""
    if probe.hung is not None:
        return LatencySample([probe.hung], probe.timeout_s, requests, earlier=True)
    readings = []
    for _ in range(requests):
        readings.append(probe.read())
        if not readings[-1].answered:
            break
    return LatencySample(readings, probe.timeout_s, requests)


def judge_health_latency(sample: LatencySample, tiers: Tiers) -> Verdict:
    latencies = sample.latencies_ms
    url = sample.readings[0].url if sample.readings else ""
    connects = [r.connect_ms for r in sample.readings if r.connect_ms is not None]
    first_bytes = [r.first_byte_ms for r in sample.readings if r.first_byte_ms is not None]
    evidence = (
        Evidence(
            "health",
            f"GET {url} x{len(sample.readings)}, a fresh connection each",
            {
                "total_ms": [round(x, 1) for x in latencies],
                "connect_ms": [round(x, 1) for x in connects],
                "first_byte_ms": [round(x, 1) for x in first_bytes],
                "unanswered": [r.problem for r in sample.unanswered],
            },
        ),
    )
    for reading in sample.readings:
        if (broken := observer_failed("health-latency", reading)) is not None:
            return replace(broken, evidence=evidence)
    if not latencies:
        return Verdict(
            "health-latency", Band.NO_DATA, None, "", tiers.describe(), "no request was made",
            None, evidence,
        )  # fmt: skip
    average = statistics.fmean(latencies)
    p95 = sample.percentile(latencies, 0.95)
    band = worse(tiers.band(average), tiers.band(p95))
    parts = [f"p95 {p95:.1f} ms over {len(latencies)} requests"]
    if connects and first_bytes:
        parts.append(
            f"median connect {statistics.median(connects):.1f} ms, first byte "
            f"{statistics.median(first_bytes):.1f} ms"
        )
    if sample.unanswered:
        parts.append(
            f"{len(sample.unanswered)} unanswered, counted at the {sample.timeout_s:g} s timeout: "
            f"{sample.unanswered[0].problem}"
        )
        if sample.earlier:
            parts.append(
                f"that request was this run's health read: a hanging endpoint is not asked "
                f"again (1 of {sample.planned})"
            )
        elif len(sample.readings) < sample.planned:
            parts.append(f"sampling stopped there ({len(sample.readings)} of {sample.planned})")
    return Verdict(
        "health-latency",
        band,
        round(average, 1),
        tiers.unit,
        tiers.describe() + " (avg and p95, whole request on a fresh connection)",
        "; ".join(parts),
        None,
        evidence,
    )
