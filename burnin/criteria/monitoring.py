"""monitoring-operational: Prometheus, its scrape of the bot, Alertmanager, the alert rules and
the dashboard all work ("All monitoring systems operational")."""

from __future__ import annotations

import math
from dataclasses import dataclass

from burnin.bands import Band
from burnin.config.access import HttpAccess
from burnin.coverage import end_tolerance_s
from burnin.criteria.alerts import rule_problems
from burnin.criteria.connection import SeriesSamples, measure_samples
from burnin.probes.http import HttpAnswer, http_get, new_session
from burnin.probes.prometheus import AlertRule, FirstEvaluationWait, PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict

# "the bot's scrape target up for >= 99.9 % of the window"
MIN_SCRAPE_UP_PERCENT = 99.9
ALERTMANAGER, DASHBOARD = HttpAccess("alertmanager"), HttpAccess("dashboard")


@dataclass(frozen=True)
class MonitoringMeasurement:
    scrape_up: SeriesSamples  # raw `up` samples of the bot's scrape target
    alertmanagers: HttpAnswer
    rules: list[AlertRule]
    expected_rules: tuple[str, ...]
    alertmanager_ready: HttpAnswer | None  # None: no alertmanager_url configured
    dashboard: HttpAnswer | None  # None: no dashboard_url configured
    url: str = ""  # Prometheus
    rules_wait: FirstEvaluationWait | None = None  # rules awaited after a Prometheus start


def measure_monitoring(
    prometheus: PrometheusProbe,
    metrics: Metrics,
    window: Window,
    alertmanager_url: str,
    dashboard_url: str,
    timeout_s: float,
    expected_rules: tuple[str, ...],
    alertmanager_access: HttpAccess | None = None,
    dashboard_access: HttpAccess | None = None,
) -> MonitoringMeasurement:
    def get(url: str, access: HttpAccess, json_body: bool = False) -> HttpAnswer:
        return prometheus.stack_answer(
            url,
            lambda: http_get(
                new_session(access, url), url, timeout_s, json_body=json_body, access=access
            ),
        )

    return MonitoringMeasurement(
        measure_samples(prometheus, metrics, "up", window),
        get(f"{prometheus.url}/api/v1/alertmanagers", prometheus.access, json_body=True),
        prometheus.alerting_rules(),
        expected_rules,
        (
            get(f"{alertmanager_url.rstrip('/')}/-/ready", alertmanager_access or ALERTMANAGER)
            if alertmanager_url
            else None
        ),
        get(dashboard_url, dashboard_access or DASHBOARD) if dashboard_url else None,
        prometheus.where,
        prometheus.rules_wait,  # set by alerting_rules(), asked above
    )


def _active_alertmanagers(answer: HttpAnswer) -> list[str]:
    try:
        return [a["url"] for a in answer.body["data"]["activeAlertmanagers"]]
    except (TypeError, KeyError):
        return []


def _lost_at_end_s(scrape_up: SeriesSamples) -> float | None:
    """How long before the window's end the bot's scrape target was last known up, when that
    is longer than a late scrape explains; None when it is scraped at the end. A late scrape is
    one interval plus the scrape timeout (end_tolerance_s less the interval the newest sample
    holds): a sample stored seconds late on a loaded machine, or one scrape that failed by its
    timeout, is not monitoring lost; two intervals and more without `up` is."""
    interval = scrape_up.coverage.interval_s
    up_until = max((s.end for s in scrape_up.stretches() if s.value >= 1), default=None)
    if interval is None or up_until is None:
        return math.inf
    lost_s = scrape_up.coverage.window.end.timestamp() - up_until
    return lost_s if lost_s > end_tolerance_s(interval) - interval else None


def judge_monitoring(m: MonitoringMeasurement, window: Window) -> Verdict:
    """Prometheus scraping the bot, an Alertmanager it knows, the named rules loaded and
    evaluating, and the dashboard. An optional source left unconfigured is "not checked" (said
    in the cause), not a failure."""
    rules = {r.name: r.health for r in m.rules}
    managers = _active_alertmanagers(m.alertmanagers)
    critical: list[str] = []
    degraded: list[str] = []
    not_checked: list[str] = []
    # Time-weighted over the whole window: time without any `up` sample is time Prometheus did
    # not scrape the bot, which is itself monitoring not working.
    up_s = sum(s.seconds * min(1.0, max(0.0, s.value)) for s in m.scrape_up.stretches())
    up_percent = 100.0 * up_s / m.scrape_up.coverage.window_s
    if not m.scrape_up.series:
        critical.append(f"no `up` samples for the bot's scrape target ({m.scrape_up.selector})")
    elif (lost_s := _lost_at_end_s(m.scrape_up)) is not None:
        # Not scraping the bot (successfully) at the window's end: monitoring has lost it.
        since = "" if lost_s == math.inf else f"; not up for the last {lost_s:.0f} s"
        critical.append(
            f"Prometheus is not scraping the bot at the window's end: up {up_percent:.3f} % of "
            f"the window{since} ({m.scrape_up.coverage.describe()})"
        )
    elif up_percent < MIN_SCRAPE_UP_PERCENT:
        # Scraping again now, but it had a hole: a yellow flag on the monitoring.
        degraded.append(
            f"bot scrape target up {up_percent:.3f} % of the window "
            f"({m.scrape_up.coverage.describe()})"
        )
    if not managers and not m.alertmanagers.observer:
        critical.append(
            f"Prometheus knows no active Alertmanager ({m.alertmanagers.problem or 'empty list'})"
        )
    # What the observer could not ask proves nothing about the monitoring (SOURCE_ERROR): an
    # Alertmanager that gave no answer at all, any source that refused the observer itself.
    unreachable: list[str] = []
    if m.alertmanager_ready is None:
        not_checked.append("Alertmanager itself not checked (no alertmanager_url configured)")
    elif m.alertmanager_ready.status is None or m.alertmanager_ready.observer:
        unreachable.append(
            f"alertmanager at {m.alertmanager_ready.url}: {m.alertmanager_ready.problem}"
        )
    elif not m.alertmanager_ready.ok:
        critical.append(
            f"Alertmanager not ready: {m.alertmanager_ready.problem or m.alertmanager_ready.status}"
        )
    if m.alertmanagers.observer:
        unreachable.append(f"prometheus at {m.alertmanagers.url}: {m.alertmanagers.problem}")
    problems = rule_problems(m.rules, m.expected_rules)
    if problems and m.rules_wait is not None:
        problems.append(m.rules_wait.describe())
    critical.extend(problems)
    if m.dashboard is None:
        not_checked.append("dashboard not checked (no dashboard_url configured)")
    elif m.dashboard.observer:
        unreachable.append(f"dashboard at {m.dashboard.url}: {m.dashboard.problem}")
    elif not m.dashboard.ok:
        degraded.append(
            f"dashboard {m.dashboard.url} answers {m.dashboard.problem or m.dashboard.status}"
        )
    if critical:
        band = Band.CRITICAL
    elif unreachable:
        band = Band.SOURCE_ERROR
    else:
        band = Band.DEGRADED if degraded else Band.TARGET
    evidence = (
        m.scrape_up.evidence(up_percent=round(up_percent, 3)),
        Evidence("prometheus", f"GET {m.alertmanagers.url}", {"active": managers}),
        Evidence(
            "prometheus",
            f"GET {m.url}/api/v1/rules?type=alert",
            {"rules": rules}
            | ({"first_evaluation": m.rules_wait.describe()} if m.rules_wait else {}),
        ),
        *(
            Evidence(
                "http",
                f"GET {a.url}",
                {"status": a.status, "latency_ms": round(a.latency_ms, 1), "problem": a.problem},
            )
            for a in (m.alertmanager_ready, m.dashboard)
            if a is not None
        ),
    )
    observed = (
        ("all operational" + (f", {len(not_checked)} not checked" if not_checked else ""))
        if band is Band.TARGET
        else f"{len(critical) + len(degraded)} problem(s)"
    )
    threshold = (
        "Prometheus ready; bot scrape up >= 99.9 %; Alertmanager ready and known to Prometheus; "
        f"rules {', '.join(m.expected_rules)} loaded and evaluating; dashboard answers"
    )
    return Verdict(
        "monitoring-operational",
        band,
        observed,
        "",
        threshold,
        "; ".join(critical + degraded + [f"could not ask {u}" for u in unreachable] + not_checked),
        window,
        evidence,
    )
