"""monitoring-operational with hand-made HTTP answers; alerts-functional and the plain HTTP probe
against real HTTP servers on 127.0.0.1 (one of them a tiny Alertmanager v2 API)."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from burnin.bands import Band
from burnin.config import SETTINGS_BY_KEY
from burnin.coverage import scrape_timeout_s
from burnin.criteria.alert_path import (
    POLL_S,
    AlertPathMeasurement,
    judge_alert_path,
    measure_alert_path,
    not_opted_in,
)
from burnin.criteria.connection import SeriesSamples
from burnin.criteria.monitoring import MonitoringMeasurement, judge_monitoring, measure_monitoring
from burnin.probes.http import HttpAnswer, http_get, http_post_json
from burnin.probes.prometheus import AlertRule, FirstEvaluationWait
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Window
from burnin.series import Series
from tests.unit.samples import (
    STEP_S,
    FakePrometheus,
    connected,
    down_between,
    series_samples,
    window_grid,
    with_hole,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=24), NOW)
PROMETHEUS = "http://prometheus.example:9090"
ALERTMANAGER = "http://alertmanager.example:9093"
DASHBOARD = "http://grafana.example:3000/d/rosey"
UP = 'up{job="rosey-bot"}'
CONTRACT_RULES: tuple[str, ...] = SETTINGS_BY_KEY["alert_rules"].default
TIMEOUT_S = 2.0


# ---------------------------------------------------------------- monitoring-operational


def answer(url: str, status: int | None = 200, problem: str = "", body: Any = None) -> HttpAnswer:
    return HttpAnswer(url, status, 8.0, problem, body)


def managers_answer(*urls: str, problem: str = "") -> HttpAnswer:
    body = (
        None
        if problem
        else {
            "status": "success",
            "data": {"activeAlertmanagers": [{"url": u} for u in urls], "droppedAlertmanagers": []},
        }
    )
    return answer(f"{PROMETHEUS}/api/v1/alertmanagers", None if problem else 200, problem, body)


def rules(health: dict[str, str]) -> list[AlertRule]:
    return [
        AlertRule(name, "rosey_bot_alerts", "warning", h, "", 15.0, "q")
        for name, h in health.items()
    ]


ALL_HEALTHY = dict.fromkeys(CONTRACT_RULES, "ok")
READY = answer(f"{ALERTMANAGER}/-/ready")
DASHBOARD_UP = answer(DASHBOARD)
GRID = window_grid(WINDOW)


def scrape_up(points: list[tuple[float, float]] | None = None) -> SeriesSamples:
    """Raw `up` samples of the bot's scrape target (always up by default)."""
    return series_samples(WINDOW, connected(GRID) if points is None else points, selector=UP)


def monitoring(
    up: SeriesSamples | None = None,
    managers: HttpAnswer | None = None,
    health: dict[str, str] | None = None,
    ready: HttpAnswer | None = READY,
    dashboard: HttpAnswer | None = DASHBOARD_UP,
    expected: tuple[str, ...] = CONTRACT_RULES,
) -> MonitoringMeasurement:
    return MonitoringMeasurement(
        up or scrape_up(),
        managers or managers_answer(f"{ALERTMANAGER}/api/v2/alerts"),
        rules(ALL_HEALTHY if health is None else health),
        expected,
        ready,
        dashboard,
        PROMETHEUS,
    )


def test_everything_operational_is_target():
    verdict = judge_monitoring(monitoring(), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == "all operational"
    assert verdict.cause == ""
    assert [e.source for e in verdict.evidence] == [
        "prometheus",
        "prometheus",
        "prometheus",
        "http",
        "http",
    ]
    assert verdict.evidence[0].query == f"{UP}[86400s] (raw samples)"
    assert verdict.evidence[1].values == {"active": [f"{ALERTMANAGER}/api/v2/alerts"]}
    assert verdict.evidence[2].query == f"GET {PROMETHEUS}/api/v1/rules?type=alert"
    assert verdict.evidence[2].values == {"rules": ALL_HEALTHY}
    assert verdict.evidence[3].query == f"GET {ALERTMANAGER}/-/ready"


def test_rules_not_evaluated_yet_are_not_evaluating():
    verdict = judge_monitoring(monitoring(health={**ALL_HEALTHY, "BotDown": "unknown"}), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "alert rules not evaluating cleanly: BotDown (unknown)"


def test_the_wait_for_a_first_evaluation_is_in_the_rules_evidence_and_a_cause_it_explains():
    waited = FirstEvaluationWait(("BotDown",), 2.5, 5.0, ())
    verdict = judge_monitoring(replace(monitoring(), rules_wait=waited), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.evidence[2].values["first_evaluation"] == waited.describe()
    still = FirstEvaluationWait(("BotDown",), 5.0, 5.0, ("BotDown",))
    measurement = monitoring(health={**ALL_HEALTHY, "BotDown": "unknown"})
    verdict = judge_monitoring(replace(measurement, rules_wait=still), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == (
        f"alert rules not evaluating cleanly: BotDown (unknown); {still.describe()}"
    )


def test_no_active_alertmanager_is_critical():
    verdict = judge_monitoring(monitoring(managers=managers_answer()), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "Prometheus knows no active Alertmanager (empty list)"
    assert verdict.observed == "1 problem(s)"


def test_alertmanager_list_that_could_not_be_read_is_critical_with_the_reason():
    unreachable = managers_answer(problem="not reachable: connection refused")
    verdict = judge_monitoring(monitoring(managers=unreachable), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert "(not reachable: connection refused)" in verdict.cause


def test_missing_alert_rule_is_critical_naming_it():
    health = {name: "ok" for name in CONTRACT_RULES if name != "ChannelEmpty"}
    verdict = judge_monitoring(monitoring(health=health), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "alert rules not loaded: ChannelEmpty"


def test_no_rules_at_all_name_every_expected_rule():
    verdict = judge_monitoring(monitoring(health={}), WINDOW)
    assert verdict.cause == f"alert rules not loaded: {', '.join(CONTRACT_RULES)}"


@pytest.mark.parametrize("health", ["err", "bad"])
def test_unhealthy_alert_rule_is_critical(health):
    verdict = judge_monitoring(
        monitoring(health={**ALL_HEALTHY, "HighErrorRate": health, "ExtraRule": "ok"}), WINDOW
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == f"alert rules not evaluating cleanly: HighErrorRate ({health})"


def test_an_unhealthy_rule_the_target_does_not_name_is_not_its_business():
    verdict = judge_monitoring(monitoring(health={**ALL_HEALTHY, "DiskFull": "err"}), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.evidence[2].values["rules"]["DiskFull"] == "err"


def test_no_up_series_is_critical():
    verdict = judge_monitoring(monitoring(up=series_samples(WINDOW, selector=UP)), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == f"no `up` samples for the bot's scrape target ({UP})"


def test_scrape_target_down_at_the_window_end_is_critical():
    end = WINDOW.end.timestamp()
    verdict = judge_monitoring(
        monitoring(up=scrape_up(down_between(GRID, end - 600, end + 1))), WINDOW
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith(
        "Prometheus is not scraping the bot at the window's end: up 99.306 % of the window"
    )


def test_scrape_samples_that_stop_before_the_window_end_are_critical():
    times = [t for t in GRID if t <= WINDOW.end.timestamp() - 600]
    verdict = judge_monitoring(monitoring(up=scrape_up(connected(times))), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("Prometheus is not scraping the bot at the window's end")


def up_until(last_s: float, value: float = 1.0) -> SeriesSamples:
    """`up` 1 on every scrape up to `last_s` before the window's end (a last scrape of `value`
    there), none after: the newest scrape `last_s` back."""
    end = WINDOW.end.timestamp()
    times = [t for t in GRID if t <= end - last_s - STEP_S] + [end - last_s]
    return scrape_up([*connected(times[:-1]), (times[-1], value)])


@pytest.mark.parametrize("intervals", [0.0, 1.0, 1.5, 2.0])
def test_a_last_scrape_up_to_two_intervals_before_the_end_is_scraping(intervals):
    verdict = judge_monitoring(monitoring(up=up_until(intervals * STEP_S)), WINDOW)
    assert verdict.band is Band.TARGET, verdict.cause


def test_a_scrape_stored_a_timeout_late_after_a_missed_one_is_still_scraping():
    """A loaded machine: the newest sample two intervals and the scrape timeout back."""
    late_s = 2 * STEP_S + scrape_timeout_s(STEP_S)
    verdict = judge_monitoring(monitoring(up=up_until(late_s)), WINDOW)
    assert verdict.band is Band.TARGET, verdict.cause


@pytest.mark.parametrize("intervals", [3.0, 4.0, 40.0])
def test_a_last_scrape_three_intervals_and_more_before_the_end_is_monitoring_lost(intervals):
    verdict = judge_monitoring(monitoring(up=up_until(intervals * STEP_S)), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("Prometheus is not scraping the bot at the window's end")


def test_one_scrape_failed_by_its_timeout_at_the_end_is_not_monitoring_lost():
    """The newest scrape says up 0 (the bot answered after the scrape timeout): one failed
    scrape, counted as down time, not a lost target."""
    verdict = judge_monitoring(monitoring(up=up_until(STEP_S, value=0.0)), WINDOW)
    assert verdict.band is Band.TARGET, verdict.cause


def test_the_target_down_for_longer_than_a_late_scrape_at_the_end_is_critical():
    end = WINDOW.end.timestamp()
    down = down_between(GRID, end - 3 * STEP_S - 1, end + 1)  # the last three scrapes fail
    verdict = judge_monitoring(monitoring(up=scrape_up(down)), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert "not up for the last 45 s" in verdict.cause


@pytest.mark.parametrize(("hole_s", "band"), [(60, Band.TARGET), (600, Band.DEGRADED)])
def test_scrape_target_up_99_9_percent_of_the_window_time_weighted(hole_s, band):
    verdict = judge_monitoring(
        monitoring(up=scrape_up(connected(with_hole(WINDOW, 3600, hole_s)))), WINDOW
    )
    assert verdict.band is band
    if band is Band.DEGRADED:
        assert verdict.cause.startswith("bot scrape target up 99.306 % of the window (")


def test_alertmanager_answering_not_ready_is_critical():
    verdict = judge_monitoring(monitoring(ready=answer(f"{ALERTMANAGER}/-/ready", 503)), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "Alertmanager not ready: 503"


def test_alertmanager_the_observer_cannot_reach_is_a_source_error_not_a_verdict():
    ready = answer(f"{ALERTMANAGER}/-/ready", None, "not reachable: no answer within 5 s")
    verdict = judge_monitoring(monitoring(ready=ready), WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert verdict.cause == (
        f"could not ask alertmanager at {ALERTMANAGER}/-/ready: not reachable: no answer within 5 s"
    )


def test_a_proven_monitoring_failure_stands_beside_an_unreachable_alertmanager():
    ready = answer(f"{ALERTMANAGER}/-/ready", None, "not reachable: no answer within 5 s")
    verdict = judge_monitoring(monitoring(ready=ready, managers=managers_answer()), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert "could not ask alertmanager at" in verdict.cause


def test_unconfigured_alertmanager_url_is_not_checked_never_degraded():
    verdict = judge_monitoring(monitoring(ready=None), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == "all operational, 1 not checked"
    assert verdict.cause == "Alertmanager itself not checked (no alertmanager_url configured)"
    assert [e.query for e in verdict.evidence][-1] == f"GET {DASHBOARD}"


def test_dashboard_down_is_degraded():
    verdict = judge_monitoring(monitoring(dashboard=answer(DASHBOARD, 502)), WINDOW)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == f"dashboard {DASHBOARD} answers 502"
    assert verdict.evidence[-1].values["status"] == 502


def test_unconfigured_dashboard_is_not_checked_never_degraded():
    verdict = judge_monitoring(monitoring(dashboard=None), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.cause == "dashboard not checked (no dashboard_url configured)"
    assert len(verdict.evidence) == 4


def test_both_unconfigured_are_counted_as_not_checked():
    verdict = judge_monitoring(monitoring(ready=None, dashboard=None), WINDOW)
    assert verdict.observed == "all operational, 2 not checked"


def test_critical_problems_come_before_degraded_ones_and_not_checked_last():
    measurement = monitoring(
        managers=managers_answer(), dashboard=answer(DASHBOARD, 502), ready=None
    )
    verdict = judge_monitoring(measurement, WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == "2 problem(s)"
    assert verdict.cause.split("; ") == [
        "Prometheus knows no active Alertmanager (empty list)",
        f"dashboard {DASHBOARD} answers 502",
        "Alertmanager itself not checked (no alertmanager_url configured)",
    ]


def test_expected_rules_come_from_the_target():
    verdict = judge_monitoring(monitoring(health={"BotDown": "ok"}, expected=("BotDown",)), WINDOW)
    assert verdict.band is Band.TARGET
    assert "rules BotDown loaded and evaluating" in verdict.threshold


# ---------------------------------------------------------------- local HTTP servers


@dataclass
class FakeAlertmanager:
    """The part of Alertmanager's v2 API the alert path uses. Alerts are keyed by their labels,
    as Alertmanager does; GET lists the unexpired ones matching `filter=label="value"`."""

    post_status: Callable[[int], int] = lambda n: 200  # n: how many POSTs came before
    lists_alerts: bool = True
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[Any] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, path: str, body: bytes) -> tuple[int, Any]:
        if path != "/api/v2/alerts":
            return 404, {"error": "not found"}
        with self.lock:
            status = self.post_status(len(self.posts))
            self.posts.append(json.loads(body))
            if status != 200:
                return status, {"error": "failed to store alerts"}
            for alert in self.posts[-1]:
                self.alerts[json.dumps(alert["labels"], sort_keys=True)] = alert
        return 200, None

    def get(self, path: str) -> tuple[int, Any]:
        parts = urlsplit(path)
        if parts.path != "/api/v2/alerts":
            return 404, {"error": "not found"}
        self.gets.append(path)
        matchers = [
            re.fullmatch(r'(\w+)="(.*)"', f) for f in parse_qs(parts.query).get("filter", [])
        ]
        if None in matchers:
            return 400, {"error": "bad matcher"}
        now = datetime.now(UTC)
        with self.lock:
            listed = [
                alert
                for alert in self.alerts.values()
                if datetime.fromisoformat(alert["endsAt"]) > now
                and all(alert["labels"].get(m[1]) == m[2] for m in matchers)
            ]
        return 200, listed if self.lists_alerts else []

    def active(self, run_id: str) -> list[dict[str, Any]]:
        return self.get(f'/api/v2/alerts?filter=burnin_run="{run_id}"')[1]


Route = Callable[[str, bytes], tuple[int, Any]]  # (path, body) -> (status, JSON or text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def serve() -> Iterator[Callable[[Route, Route], str]]:
    """Start a real HTTP server on 127.0.0.1:0 answering GET and POST; returns its base URL."""
    servers: list[_Server] = []

    def start(on_get: Route, on_post: Route) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self, route: Route) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, content = route(self.path, self.rfile.read(length))
                is_text = isinstance(content, str)
                data = (content if is_text else json.dumps(content)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if is_text else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer(on_get)

            def do_POST(self) -> None:
                self._answer(on_post)

            def log_message(self, format, *args) -> None:
                pass

        server = _Server(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def alertmanager(serve) -> Callable[..., tuple[FakeAlertmanager, str]]:
    def start(**behaviour: Any) -> tuple[FakeAlertmanager, str]:
        fake = FakeAlertmanager(**behaviour)
        return fake, serve(lambda path, _: fake.get(path), fake.post)

    return start


def closed_port() -> int:
    """A port nothing listens on: bound once to get a free number, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- alerts-functional


def test_test_alert_that_arrives_is_target_and_is_expired_afterwards(alertmanager):
    fake, url = alertmanager()
    measurement = measure_alert_path(url, TIMEOUT_S, limit_s=5.0)
    verdict = judge_alert_path(measurement, limit_s=5.0)
    assert verdict.band is Band.TARGET
    assert verdict.unit == "s"
    assert 0 <= verdict.observed < 5.0
    assert verdict.cause == ""
    assert verdict.threshold == "arrives within 5 s"
    [first], [expiry] = fake.posts
    assert first["labels"] == {
        "alertname": "BurninTestAlert",
        "severity": "info",
        "burnin_run": measurement.run_id,
    }
    assert expiry["labels"] == first["labels"]
    assert fake.active(measurement.run_id) == []
    assert measurement.expired is not None and measurement.expired.ok


def test_alert_path_evidence_names_the_run_and_the_statuses(alertmanager):
    _, url = alertmanager()
    measurement = measure_alert_path(url, TIMEOUT_S, limit_s=5.0)
    [evidence] = judge_alert_path(measurement, limit_s=5.0).evidence
    assert evidence.query == (
        f"POST {url}/api/v2/alerts (alertname=BurninTestAlert, burnin_run={measurement.run_id})"
    )
    assert evidence.values["status"] == 200
    assert evidence.values["expired_status"] == 200


def test_each_measurement_uses_a_new_run_id(alertmanager):
    _, url = alertmanager()
    first = measure_alert_path(url, TIMEOUT_S, limit_s=5.0)
    second = measure_alert_path(url, TIMEOUT_S, limit_s=5.0)
    assert first.run_id != second.run_id


def test_test_alert_never_listed_is_critical_after_the_limit(alertmanager):
    fake, url = alertmanager(lists_alerts=False)
    measurement = measure_alert_path(url, TIMEOUT_S, limit_s=1.0)
    verdict = judge_alert_path(measurement, limit_s=1.0)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == "never seen"
    assert verdict.cause == "the test alert did not show up within 1 s"
    # Polled every POLL_S until the limit, then no more: at most one look per poll.
    assert 1 <= len(fake.gets) <= 1.0 / POLL_S + 1
    assert len(fake.posts) == 2  # it is expired even though it was never seen


def test_test_alert_refused_is_critical_without_polling(alertmanager):
    fake, url = alertmanager(post_status=lambda n: 500)
    measurement = measure_alert_path(url, TIMEOUT_S, limit_s=1.0)
    verdict = judge_alert_path(measurement, limit_s=1.0)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "Alertmanager did not take the test alert"
    assert verdict.observed.startswith("HTTP 500: ")
    assert "failed to store alerts" in verdict.observed
    assert measurement.arrived_after_s is None and measurement.expired is None
    assert fake.gets == []


def test_test_alert_that_cannot_be_expired_still_passes_with_a_note(alertmanager):
    _, url = alertmanager(post_status=lambda n: 200 if n == 0 else 500)
    verdict = judge_alert_path(measure_alert_path(url, TIMEOUT_S, limit_s=5.0), limit_s=5.0)
    assert verdict.band is Band.TARGET
    assert verdict.cause == "could not expire the test alert (it ends by itself in 5 min)"


def test_unreachable_alertmanager_is_a_source_error_not_a_verdict():
    measurement = measure_alert_path(f"http://127.0.0.1:{closed_port()}/", 1.0, limit_s=1.0)
    verdict = judge_alert_path(measurement, limit_s=1.0)
    assert verdict.band is Band.SOURCE_ERROR
    assert "not reachable: connection refused at 127.0.0.1:" in verdict.cause


def test_judge_alert_path_rounds_the_arrival_time():
    sent = HttpAnswer(f"{ALERTMANAGER}/api/v2/alerts", 200, 3.0)
    verdict = judge_alert_path(AlertPathMeasurement("abc123", sent, 1.23456, sent))
    assert (verdict.band, verdict.observed) == (Band.TARGET, 1.23)
    assert verdict.threshold == "arrives within 60 s"


def test_alert_path_not_opted_in_is_skipped_never_a_pass():
    verdict = not_opted_in()
    assert verdict.band is Band.SKIPPED
    assert not verdict.band.passes
    assert "--send-test-alert" in verdict.cause
    assert verdict.message().startswith("alerts-functional: SKIPPED: not opted in")


# ---------------------------------------------------------------- http probe


def routes(path: str, _: bytes) -> tuple[int, Any]:
    if path == "/json":
        return 200, {"status": "success"}
    if path == "/text":
        return 200, "<html>fine</html>"
    return 404, "no such page"


def echo_or_fail(path: str, body: bytes) -> tuple[int, Any]:
    if path == "/fail":
        return 500, "boom: " + "x" * 500
    return 200, {"received": json.loads(body)}


@pytest.fixture
def web(serve) -> str:
    return serve(routes, echo_or_fail)


def test_http_get_ok_has_status_and_latency(web):
    result = http_get(requests.Session(), f"{web}/text", TIMEOUT_S)
    assert result.ok
    assert (result.status, result.problem, result.body) == (200, "", None)
    assert 0 < result.latency_ms < TIMEOUT_S * 1000
    assert result.url == f"{web}/text"


def test_http_get_parses_json_when_asked(web):
    result = http_get(requests.Session(), f"{web}/json", TIMEOUT_S, json_body=True)
    assert result.ok
    assert result.body == {"status": "success"}


def test_http_get_404_is_not_ok_without_a_problem(web):
    result = http_get(requests.Session(), f"{web}/missing", TIMEOUT_S)
    assert result.status == 404
    assert result.problem == ""
    assert not result.ok


def test_http_get_of_a_non_json_body_when_json_asked_is_a_problem(web):
    result = http_get(requests.Session(), f"{web}/text", TIMEOUT_S, json_body=True)
    assert result.status == 200
    assert result.problem == "answer is not JSON"
    assert result.body is None
    assert not result.ok


def test_http_get_of_an_unreachable_port_never_raises():
    url = f"http://127.0.0.1:{closed_port()}/"
    result = http_get(requests.Session(), url, 1.0)
    assert result.status is None
    assert result.problem.startswith("not reachable: ")
    assert not result.ok


def test_http_post_json_sends_the_payload(web):
    result = http_post_json(requests.Session(), f"{web}/echo", [{"a": 1}], TIMEOUT_S)
    assert result.ok
    assert (result.status, result.problem) == (200, "")


def test_http_post_json_error_status_is_a_problem_with_the_body_cut_short(web):
    result = http_post_json(requests.Session(), f"{web}/fail", {}, TIMEOUT_S)
    assert result.status == 500
    assert not result.ok
    assert result.problem.startswith("HTTP 500: boom: xxx")
    assert len(result.problem) == len("HTTP 500: ") + 200


def test_http_post_json_to_an_unreachable_port_never_raises():
    result = http_post_json(requests.Session(), f"http://127.0.0.1:{closed_port()}/", {}, 1.0)
    assert result.status is None
    assert result.problem.startswith("not reachable: ")


# ---------------------------------------------------------------- measure_monitoring


def prometheus_api(path: str, _: bytes) -> tuple[int, Any]:
    if path == "/api/v1/alertmanagers":
        active = [{"url": f"{ALERTMANAGER}/api/v2/alerts"}]
        return 200, {"status": "success", "data": {"activeAlertmanagers": active}}
    return 404, "no such page"


def test_measure_monitoring_asks_prometheus_and_leaves_unconfigured_sources_alone(serve):
    base = serve(prometheus_api, echo_or_fail)
    fake = FakePrometheus({UP: [Series({}, connected(GRID))]}, rules=rules(ALL_HEALTHY))
    fake.url = fake.where = base
    metrics = Metrics(parse_selector('job="rosey-bot"'))
    measurement = measure_monitoring(fake, metrics, WINDOW, "", "", TIMEOUT_S, CONTRACT_RULES)  # type: ignore[arg-type]
    assert (measurement.alertmanager_ready, measurement.dashboard) == (None, None)
    assert (measurement.url, measurement.expected_rules) == (base, CONTRACT_RULES)
    assert fake.asked == [f"{UP}[86400s]", "rules"]
    verdict = judge_monitoring(measurement, WINDOW)
    assert (verdict.band, verdict.observed) == (Band.TARGET, "all operational, 2 not checked")


def test_measure_monitoring_checks_the_configured_alertmanager_and_dashboard(serve):
    base = serve(prometheus_api, echo_or_fail)
    fake = FakePrometheus({UP: [Series({}, connected(GRID))]}, rules=rules(ALL_HEALTHY))
    fake.url = fake.where = base
    metrics = Metrics(parse_selector('job="rosey-bot"'))
    measurement = measure_monitoring(
        fake, metrics, WINDOW, f"{base}/", f"{base}/dashboard", TIMEOUT_S, CONTRACT_RULES
    )  # type: ignore[arg-type]
    assert measurement.alertmanager_ready is not None
    assert measurement.alertmanager_ready.url == f"{base}/-/ready"
    verdict = judge_monitoring(measurement, WINDOW)
    assert verdict.band is Band.CRITICAL  # the fake answers 404 to both
    assert "Alertmanager not ready: 404" in verdict.cause
