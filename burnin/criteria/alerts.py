"""alerts: the alerts that fired in the window, read from the raw samples of Prometheus'
ALERTS series.

"0 alerts" is a claim about absence, so it needs proof that alerts could have fired: the rules
the target names are loaded and evaluate without error, and the bot's own series were there to
evaluate over the window (the coverage line). A critical alert is never acceptable: any critical
firing makes the criterion CRITICAL at every checkpoint; the count tiers apply to the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from burnin.bands import Band, Tiers
from burnin.config import ExpectedAlert
from burnin.coverage import Coverage
from burnin.criteria.connection import measure_samples, require_coverage, with_coverage_note
from burnin.probes.prometheus import AlertRule, PrometheusProbe, Series
from burnin.promql import Metrics
from burnin.verdict import Evidence, Verdict, no_data
from burnin.window import Window

QUERY = 'ALERTS{alertstate="firing"}'
# Prometheus' default rule evaluation interval, when no rule group says.
DEFAULT_EVALUATION_S = 60.0
DURATION_RULE = (
    "from raw ALERTS samples: first to last firing sample plus one evaluation interval; a "
    "pause longer than two intervals starts a new firing"
)


@dataclass(frozen=True)
class Firing:
    alertname: str
    severity: str
    started: float  # unix seconds
    seconds: float


def episodes(series: list[Series], interval_s: float) -> list[Firing]:
    """Each unbroken run of raw samples of one alert series is one firing."""
    found = []
    for item in series:
        start = previous = None
        for timestamp, _ in sorted(item.points):
            if previous is None or timestamp - previous > 2 * interval_s:
                if start is not None and previous is not None:
                    found.append(_firing(item, start, previous, interval_s))
                start = timestamp
            previous = timestamp
        if start is not None and previous is not None:
            found.append(_firing(item, start, previous, interval_s))
    return sorted(found, key=lambda f: f.started)


def _firing(item: Series, start: float, end: float, interval_s: float) -> Firing:
    labels = item.labels
    return Firing(
        labels.get("alertname", "?"), labels.get("severity", ""), start, end - start + interval_s
    )


@dataclass(frozen=True)
class AlertMeasurement:
    query: str
    firings: list[Firing]
    rules: list[AlertRule]
    expected_rules: tuple[str, ...]
    presence: Coverage  # the bot's own series: were they there for the rules to evaluate?
    evaluation_s: float


def evaluation_interval(rules: Sequence[AlertRule]) -> float:
    intervals = [r.interval_s for r in rules if r.interval_s > 0]
    return max(intervals) if intervals else DEFAULT_EVALUATION_S


def measure_alerts(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window, expected_rules: tuple[str, ...]
) -> AlertMeasurement:
    rules = prometheus.alerting_rules()
    interval = evaluation_interval(rules)
    firings = episodes(prometheus.samples(QUERY, window), interval)
    severity = {r.name: r.severity for r in rules}
    firings = [
        f
        if f.severity
        else Firing(f.alertname, severity.get(f.alertname, ""), f.started, f.seconds)
        for f in firings
    ]
    presence = measure_samples(prometheus, metrics, "bot_connected", window).coverage
    return AlertMeasurement(QUERY, firings, rules, expected_rules, presence, interval)


def rule_problems(rules: Sequence[AlertRule], expected: Sequence[str]) -> list[str]:
    """What keeps the named rules from proving anything: not loaded, or not evaluating."""
    by_name = {r.name: r for r in rules}
    problems = []
    missing = [name for name in expected if name not in by_name]
    if missing:
        problems.append(f"alert rules not loaded: {', '.join(missing)}")
    failing = [
        f"{r.name} ({r.health}{': ' + r.last_error if r.last_error else ''})"
        for name in expected
        if (r := by_name.get(name)) is not None and not r.healthy
    ]
    if failing:
        problems.append(f"alert rules not evaluating cleanly: {', '.join(failing)}")
    if not expected and not rules:
        problems.append("Prometheus has no alerting rules loaded")
    return problems


def is_expected(
    firing: Firing, expected: Sequence[ExpectedAlert], anchors: Sequence[datetime]
) -> bool:
    """Named by the target, and (unless expected at any time) started within its allowance
    after the deployment start or a planned restart."""
    for rule in expected:
        if rule.alertname != firing.alertname:
            continue
        if rule.within_s is None:
            return True
        if any(0 <= firing.started - a.timestamp() <= rule.within_s for a in anchors):
            return True
    return False


def judge_alerts(
    m: AlertMeasurement,
    tiers: Tiers,
    window: Window,
    min_percent: float,
    expected: Sequence[ExpectedAlert] = (),
    anchors: Sequence[datetime] = (),
) -> Verdict:
    """Expected firings (the target's `expected_alerts`, e.g. a restart alert right after the
    deployment) are listed and not counted; a critical one is expected only when named."""
    wanted = [f for f in m.firings if is_expected(f, expected, anchors)]
    unexpected = [f for f in m.firings if f not in wanted]
    critical = [f for f in unexpected if f.severity == "critical"]
    others = [f for f in unexpected if f.severity != "critical"]
    evidence = (
        Evidence(
            "prometheus",
            f"{m.query}[{window.seconds}s] (raw samples)",
            {
                "firings": [asdict(f) for f in unexpected],
                "expected_firings": [asdict(f) for f in wanted],
                "durations": DURATION_RULE,
                "evaluation_interval_s": m.evaluation_s,
                "rules": {r.name: r.health for r in m.rules},
            },
        ),
    )
    listed = ", ".join(f"{f.alertname}({f.severity or 'no severity'})" for f in unexpected)
    if wanted:
        listed += (
            ("; " if listed else "")
            + "expected, not counted: "
            + ", ".join(f.alertname for f in wanted)
        )
    if critical:
        names = ", ".join(sorted({f.alertname for f in critical}))
        verdict = Verdict(
            "alerts",
            Band.CRITICAL,
            float(len(unexpected)),
            tiers.unit,
            tiers.describe() + "; no critical alert",
            f"{len(critical)} critical alert(s) fired: {names}; all: {listed}",
            window,
            evidence,
        )
        return with_coverage_note(verdict, m.presence)
    counted = Verdict.from_tiers("alerts", float(len(others)), tiers, window, evidence, listed)
    if not counted.band.passes:
        return with_coverage_note(counted, m.presence)
    problems = rule_problems(m.rules, m.expected_rules)
    if problems:
        return no_data(
            "alerts",
            f"{len(others)} alert(s) seen, but that proves nothing: {'; '.join(problems)}",
            window,
            evidence,
        )
    return require_coverage(counted, m.presence, min_percent)
