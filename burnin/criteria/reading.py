"""One PromQL answer as evidence, and the common judgement of a single tiered value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from burnin.bands import Band, Tiers
from burnin.probes.prometheus import PrometheusProbe
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict


@dataclass(frozen=True)
class Reading:
    query: str
    at: datetime
    value: float | None  # None: the query returned nothing

    def evidence(self) -> Evidence:
        return Evidence("prometheus", self.query, {"at": self.at.isoformat(), "value": self.value})


def read(prometheus: PrometheusProbe, query: str, at: datetime) -> Reading:
    return Reading(query, at, prometheus.scalar(query, at))


def judge_reading(
    criterion: str,
    reading: Reading,
    tiers: Tiers,
    window: Window,
    *,
    missing: Band = Band.NO_DATA,
    missing_cause: str = "the query returned no data (metric missing or selector wrong)",
    extra: tuple[Reading, ...] = (),
) -> Verdict:
    """Band the reading's value. An empty answer is NO_DATA (or SKIPPED for an optional metric),
    never a pass."""
    evidence = (reading.evidence(), *(r.evidence() for r in extra))
    if reading.value is None or reading.value != reading.value:  # NaN: e.g. 0/0
        return Verdict(
            criterion, missing, None, tiers.unit, tiers.describe(), missing_cause, window, evidence
        )
    return Verdict.from_tiers(criterion, reading.value, tiers, window, evidence)


def worse(first: Band, second: Band) -> Band:
    order = [Band.TARGET, Band.ACCEPTABLE, Band.DEGRADED, Band.CRITICAL]
    return max(first, second, key=order.index)
