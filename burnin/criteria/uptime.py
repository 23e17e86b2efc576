"""uptime: the share of the window's `bot_connected` samples that say connected."""

from __future__ import annotations

from dataclasses import dataclass

from burnin.bands import Tiers
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Evidence, Verdict, no_data
from burnin.window import Window

# Fewer samples than this cannot speak for a window (a 15 s scrape gives 60 in 15 minutes).
MIN_SAMPLES = 10


@dataclass(frozen=True)
class UptimeMeasurement:
    samples: float | None
    connected_samples: float | None
    evidence: tuple[Evidence, ...]

    @property
    def uptime_percent(self) -> float | None:
        if not self.samples or self.connected_samples is None:
            return None
        return 100.0 * self.connected_samples / self.samples


def measure_uptime(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> UptimeMeasurement:
    series = metrics.series("bot_connected")
    count_query = f"sum(count_over_time({series}{window.promql_range()}))"
    connected_query = f"sum(sum_over_time({series}{window.promql_range()}))"
    samples = prometheus.scalar(count_query, window.end)
    connected = prometheus.scalar(connected_query, window.end) if samples else None
    evidence = (
        Evidence("prometheus", count_query, {"at": window.end.isoformat(), "value": samples}),
        Evidence("prometheus", connected_query, {"at": window.end.isoformat(), "value": connected}),
    )
    return UptimeMeasurement(samples, connected, evidence)


def judge_uptime(measurement: UptimeMeasurement, tiers: Tiers, window: Window) -> Verdict:
    if not measurement.samples:
        return no_data(
            "uptime",
            "no bot_connected samples in the window (metric missing or selector wrong)",
            window,
            measurement.evidence,
        )
    if measurement.samples < MIN_SAMPLES:
        return no_data(
            "uptime",
            f"only {measurement.samples:g} bot_connected samples in the window, "
            f"need at least {MIN_SAMPLES}",
            window,
            measurement.evidence,
        )
    uptime = measurement.uptime_percent
    if uptime is None:
        return no_data(
            "uptime", "the connected-samples query returned nothing", window, measurement.evidence
        )
    return Verdict.from_tiers(
        "uptime",
        uptime,
        tiers,
        window,
        measurement.evidence,
        cause=f"{measurement.connected_samples:g} of {measurement.samples:g} samples connected",
    )
