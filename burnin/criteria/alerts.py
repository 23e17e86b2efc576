"""alerts: how many alerts fired in the window, read from Prometheus' ALERTS series."""

from __future__ import annotations

from dataclasses import dataclass

from burnin.bands import Band, Tiers
from burnin.criteria.connection import step_for
from burnin.probes.prometheus import PrometheusProbe, Series
from burnin.verdict import Evidence, Verdict
from burnin.window import Window

QUERY = 'ALERTS{alertstate="firing"}'


@dataclass(frozen=True)
class Firing:
    alertname: str
    severity: str
    started: float  # unix seconds
    seconds: float


def episodes(series: list[Series], step_s: int) -> list[Firing]:
    """Each unbroken run of samples of one alert series is one firing."""
    found = []
    for item in series:
        start = previous = None
        for timestamp, _ in item.points:
            if previous is None or timestamp - previous > step_s * 1.5:
                if start is not None:
                    found.append(_firing(item, start, previous))
                start = timestamp
            previous = timestamp
        if start is not None:
            found.append(_firing(item, start, previous))
    return sorted(found, key=lambda f: f.started)


def _firing(item: Series, start: float, end: float | None) -> Firing:
    labels = item.labels
    return Firing(
        labels.get("alertname", "?"), labels.get("severity", ""), start, (end or start) - start
    )


@dataclass(frozen=True)
class AlertMeasurement:
    query: str
    step_s: int
    firings: list[Firing]
    rules_loaded: int | None  # None: unknown; 0 means nothing could ever fire


def measure_alerts(prometheus: PrometheusProbe, window: Window) -> AlertMeasurement:
    step = step_for(window)
    firings = episodes(prometheus.range(QUERY, window.start, window.end, step), step)
    return AlertMeasurement(QUERY, step, firings, prometheus.alerting_rule_count())


def judge_alerts(
    measurement: AlertMeasurement, tiers: Tiers, window: Window, critical_forbidden: bool
) -> Verdict:
    firings = measurement.firings
    evidence = (
        Evidence(
            "prometheus",
            f"{measurement.query} (range, step {measurement.step_s}s)",
            {"firings": [f.__dict__ for f in firings], "rules_loaded": measurement.rules_loaded},
        ),
    )
    if measurement.rules_loaded == 0:
        # Zero alerts from a Prometheus without alert rules proves nothing.
        return Verdict(
            "alerts",
            Band.NO_DATA,
            None,
            "",
            tiers.describe(),
            "Prometheus has no alerting rules loaded: no alert could have fired",
            window,
            evidence,
        )
    verdict = Verdict.from_tiers(
        "alerts",
        float(len(firings)),
        tiers,
        window,
        evidence,
        cause=", ".join(f"{f.alertname}({f.severity})" for f in firings),
    )
    critical = [f for f in firings if f.severity == "critical"]
    if critical_forbidden and critical:
        return Verdict(
            "alerts",
            Band.CRITICAL,
            verdict.observed,
            verdict.unit,
            verdict.threshold + "; no critical alerts",
            f"{len(critical)} critical alert(s) fired: " + ", ".join(f.alertname for f in critical),
            window,
            evidence,
        )
    return verdict
