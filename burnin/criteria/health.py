"""health-up and health-version: the endpoint answers with the contract's JSON and good values."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass

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


def judge_health_up(reading: HealthReading, expected_channel: str) -> Verdict:
    expectation = 'status == "healthy", connected == true'
    if expected_channel:
        expectation += f", channel == {expected_channel!r}"
    evidence = (reading_evidence(reading),)
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
    if payload.status != "healthy":
        problems.append(f"status is {payload.status!r}")
    if payload.connected is not True:
        problems.append("connected is false")
    if expected_channel and payload.channel != expected_channel:
        problems.append(f"channel is {payload.channel!r}")
    observed = f"status={payload.status!r} connected={str(payload.connected).lower()} channel={payload.channel!r}"
    if not problems:
        return Verdict("health-up", Band.TARGET, observed, "", expectation, "", None, evidence)
    band = Band.DEGRADED if problems == ["status is 'degraded'"] else Band.CRITICAL
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
    band = Band.TARGET if version == expected_version else Band.CRITICAL
    cause = "" if band is Band.TARGET else f"deployed version is {version!r}"
    return Verdict("health-version", band, version, "", expectation, cause, None, evidence)


@dataclass(frozen=True)
class LatencySample:
    readings: list[HealthReading]

    @property
    def latencies_ms(self) -> list[float]:
        return [r.latency_ms for r in self.readings if r.ok and r.latency_ms is not None]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
        return ordered[index]


def measure_health_latency(probe: HealthProbe, requests: int) -> LatencySample:
    return LatencySample([probe.read() for _ in range(requests)])


def judge_health_latency(sample: LatencySample, tiers: Tiers) -> Verdict:
    latencies = sample.latencies_ms
    failed = [r for r in sample.readings if not r.ok]
    url = sample.readings[0].url if sample.readings else ""
    evidence = (
        Evidence(
            "health",
            f"GET {url} x{len(sample.readings)}",
            {
                "latencies_ms": [round(x, 1) for x in latencies],
                "failures": [r.problem for r in failed],
            },
        ),
    )
    if failed:
        return Verdict(
            "health-latency",
            Band.CRITICAL,
            f"{len(failed)} of {len(sample.readings)} failed",
            "",
            tiers.describe(),
            f"health endpoint did not answer: {failed[0].problem}",
            None,
            evidence,
        )
    average = statistics.fmean(latencies)
    p95 = sample.percentile(0.95)
    band = worse(tiers.band(average), tiers.band(p95))
    return Verdict(
        "health-latency",
        band,
        round(average, 1),
        tiers.unit,
        tiers.describe() + " (avg and p95)",
        f"p95 {p95:.1f} ms over {len(latencies)} requests",
        None,
        evidence,
    )
