"""health-up and health-version: the endpoint answers with the contract's JSON and good values."""

from __future__ import annotations

from dataclasses import asdict

from burnin.bands import Band
from burnin.probes.health import HealthReading
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
