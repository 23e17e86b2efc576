"""alerts: the alerts that fired in the window, read from the raw samples of Prometheus'
ALERTS series.

"0 alerts" is a claim about absence, so it needs proof that alerts could have fired: the rules
the target names are loaded and evaluate without error, and the bot's own series were there to
evaluate over the window (the coverage line). A critical alert is never acceptable: any critical
firing makes the criterion CRITICAL at every checkpoint; the count tiers apply to the rest.

The alerts are the target's own: a Prometheus shared with other systems (a staging copy of the
bot under the same names, the other bots of a fleet) holds their alerts too. promql.scope_of
tells them apart by the target's selector: another system's are listed apart, never counted;
those carrying none of the selector's labels (a rule that aggregated them away) are counted,
marked not scoped to the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from itertools import chain

from burnin.bands import Band, Tiers
from burnin.config import ExpectedAlert
from burnin.coverage import Coverage, gap_tolerance_s
from burnin.criteria.connection import measure_samples, require_coverage, with_coverage_note
from burnin.probes.prometheus import (
    DEFAULT_EVALUATION_S,
    AlertRule,
    FirstEvaluationWait,
    PrometheusProbe,
)
from burnin.promql import SCRAPE_LABEL, Metrics, scope_of
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Evidence, Verdict, no_data

QUERY = 'ALERTS{alertstate="firing"}'
# Another system's alerts named in a cause; the evidence keeps them all.
ELSEWHERE_NAMED = 5
DURATION_RULE = (
    "from raw ALERTS samples: first to last firing sample plus one evaluation interval; a "
    "pause longer than 2.5 intervals (two missed evaluations) starts a new firing"
)


@dataclass(frozen=True)
class Firing:
    alertname: str
    severity: str
    started: float  # unix seconds
    seconds: float
    # "": the target's own. A counted firing not scoped to the target: why (Scope.note). Another
    # system's (AlertMeasurement.elsewhere): the labels that tell it apart, {env="staging"}.
    scope: str = ""


def episodes(series: list[Series], interval_s: float) -> list[Firing]:
    """Each unbroken run of raw samples of one alert series is one firing: broken where a gap
    is a hole by the coverage rule (gap_tolerance_s: one missed evaluation, late or not, is not
    a break)."""
    found = []
    broken_over = gap_tolerance_s(interval_s)
    for item in series:
        start = previous = None
        for timestamp, _ in sorted(item.points):
            if previous is None or timestamp - previous > broken_over:
                if start is not None and previous is not None:
                    found.append(_firing(item, start, previous, interval_s))
                start = timestamp
            previous = timestamp
        if start is not None and previous is not None:
            found.append(_firing(item, start, previous, interval_s))
    return sorted(found, key=lambda f: f.started)


def one_copy(series: Sequence[Series], metrics: Metrics) -> list[Series]:
    """ALERTS series of one alert told apart only by `job` as one: a rule evaluated over the
    bot's series under two scrape jobs fires once per copy (Metrics.total's reason). Their
    samples joined, so a firing either copy holds is one firing."""
    if not metrics.jobs_may_repeat:
        return list(series)
    copies: dict[frozenset[tuple[str, str]], list[Series]] = {}
    for item in series:
        key = frozenset((k, v) for k, v in item.labels.items() if k != SCRAPE_LABEL)
        copies.setdefault(key, []).append(item)
    return [
        group[0]
        if len(group) == 1
        else Series(group[0].labels, sorted(chain.from_iterable(g.points for g in group)))
        for group in copies.values()
    ]


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
    elsewhere: Sequence[Firing] = ()  # another system's firings: listed apart, never counted
    selector: str = ""  # the target's, which told them apart
    rules_wait: FirstEvaluationWait | None = None  # rules awaited after a Prometheus start


def evaluation_interval(rules: Sequence[AlertRule]) -> float:
    intervals = [r.interval_s for r in rules if r.interval_s > 0]
    return max(intervals) if intervals else DEFAULT_EVALUATION_S


def measure_alerts(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window, expected_rules: tuple[str, ...]
) -> AlertMeasurement:
    """Every firing in the window, each series told apart by the target's selector: the
    target's own and the unscoped ones (counted), another system's (apart)."""
    rules = prometheus.alerting_rules()
    interval = evaluation_interval(rules)
    severity = {r.name: r.severity for r in rules}
    firings: list[Firing] = []
    elsewhere: list[Firing] = []
    for series in one_copy(prometheus.samples(QUERY, window), metrics):
        scope = scope_of(metrics.selector, series.labels)
        for found in episodes([series], interval):
            found = replace(
                found,
                severity=found.severity or severity.get(found.alertname, ""),
                scope=scope.labels if scope.elsewhere else scope.note,
            )
            (elsewhere if scope.elsewhere else firings).append(found)
    presence = measure_samples(prometheus, metrics, "bot_connected", window).coverage
    return AlertMeasurement(
        QUERY,
        sorted(firings, key=lambda f: f.started),
        rules,
        expected_rules,
        presence,
        interval,
        sorted(elsewhere, key=lambda f: f.started),
        ",".join(str(m) for m in metrics.selector),
        prometheus.rules_wait,
    )


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
    values = {
        "firings": [asdict(f) for f in unexpected],
        "expected_firings": [asdict(f) for f in wanted],
        "not_this_targets": elsewhere_summary(m.elsewhere),
        "selector": m.selector,
        "durations": DURATION_RULE,
        "evaluation_interval_s": m.evaluation_s,
        "rules": {r.name: r.health for r in m.rules},
    }
    if m.rules_wait is not None:
        values["rules_first_evaluation"] = m.rules_wait.describe()
    evidence = (Evidence("prometheus", f"{m.query}[{window.seconds}s] (raw samples)", values),)
    listed = ", ".join(_named(f) for f in unexpected)
    if wanted:
        listed += (
            ("; " if listed else "")
            + "expected, not counted: "
            + ", ".join(f.alertname for f in wanted)
        )
    if m.elsewhere:
        listed += ("; " if listed else "") + elsewhere_cause(m.elsewhere)
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
        if m.rules_wait is not None:
            problems.append(m.rules_wait.describe())
        return no_data(
            "alerts",
            f"{len(others)} alert(s) seen, but that proves nothing: {'; '.join(problems)}",
            window,
            evidence,
        )
    return require_coverage(counted, m.presence, min_percent)


def _named(firing: Firing) -> str:
    severity = firing.severity or "no severity"
    return f"{firing.alertname}({severity}{', ' + firing.scope if firing.scope else ''})"


def elsewhere_cause(firings: Sequence[Firing]) -> str:
    """`not this target's: BotDown{env="staging"}, ...`: each other system's alert once."""
    names = list(dict.fromkeys(f"{f.alertname}{f.scope}" for f in firings))
    more = len(names) - ELSEWHERE_NAMED
    shown = ", ".join(names[:ELSEWHERE_NAMED]) + (f" and {more} more" if more > 0 else "")
    return f"not this target's: {shown}"


def elsewhere_summary(firings: Sequence[Firing]) -> list[dict[str, object]]:
    """Another system's firings for the evidence, one entry per alert and labels (a fleet's
    other bots may have many): how often and how long it fired, from when."""
    grouped: dict[str, list[Firing]] = {}
    for firing in firings:
        grouped.setdefault(f"{firing.alertname}{firing.scope}", []).append(firing)
    return [
        {
            "alert": alert,
            "severity": group[0].severity,
            "firings": len(group),
            "seconds": sum(f.seconds for f in group),
            "first_started": group[0].started,
        }
        for alert, group in grouped.items()
    ]
