"""PrometheusProbe.samples, alerting_rules and cached_ranges against a tiny Prometheus HTTP API
on 127.0.0.1: raw samples fetched once per selector over the run's span and sliced per window,
rules read once, every answer kept for the report."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import burnin.probes.prometheus as prometheus_module
from burnin.errors import SourceError
from burnin.partial import PartialAnswer, collected
from burnin.probes.prometheus import (
    AlertRule,
    FirstEvaluationWait,
    PrometheusProbe,
    await_first_evaluation,
)
from burnin.schedule import Window

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DAY = Window(NOW - timedelta(hours=24), NOW)
SIX_HOURS = Window(NOW - timedelta(hours=6), NOW)
SELECTOR = 'bot_connected{env="production"}'
RANGE = re.compile(r"^(?P<selector>.+)\[(?P<seconds>\d+)s\]$")

RULES_BODY = {
    "status": "success",
    "data": {
        "groups": [
            {
                "name": "rosey_bot_alerts",
                "interval": 15,
                "rules": [
                    {
                        "name": "BotDown",
                        "query": "bot_connected == 0",
                        "labels": {"severity": "critical"},
                        "health": "ok",
                        "lastError": "",
                        "type": "alerting",
                    },
                    {
                        "name": "HighErrorRate",
                        "query": "rate(bot_errors_total[5m]) > 0.1",
                        "health": "err",
                        "lastError": "many-to-many matching not allowed",
                        "type": "alerting",
                    },
                ],
            },
            {"name": "other", "rules": [{"name": "Silent"}]},
        ]
    },
}


@dataclass
class FakePrometheusApi:
    """/api/v1/query answers `selector[Ns]` with the stored samples in (time - N, time];
    /api/v1/rules answers `rules`. Every request is recorded."""

    samples: dict[str, list[tuple[dict[str, str], list[float]]]] = field(default_factory=dict)
    rules: Any = field(default_factory=lambda: RULES_BODY)
    status: int = 200
    clock_offset_s: float = 0.0  # the server's clock minus the real one (its Date header)
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # said with every query's answer

    def get(self, path: str) -> tuple[int, Any]:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        self.requests.append({"path": [parts.path], **query})
        if self.status != 200:
            return self.status, {"status": "error", "error": "bad_data"}
        if parts.path == "/api/v1/rules":
            return 200, self.rules() if callable(self.rules) else self.rules
        if parts.path == "/-/ready":
            return 200, "Prometheus Server is Ready."
        said = {"warnings": self.warnings} if self.warnings else {}
        found = RANGE.match(query["query"][0])
        if not found:  # an instant vector: each stored series' newest sample
            at = float(query["time"][0])
            vector = [
                {"metric": labels, "value": [at, "1"]}
                for labels, _times in self.samples.get(query["query"][0], [])
            ]
            data = {"resultType": "vector", "result": vector}
            return 200, {"status": "success", "data": data, **said}
        at = float(query["time"][0])
        since = at - int(found["seconds"])
        result = [
            {"metric": labels, "values": [[t, "1"] for t in times if since < t <= at]}
            for labels, times in self.samples.get(found["selector"], [])
        ]
        data = {"resultType": "matrix", "result": result}
        return 200, {"status": "success", "data": data, **said}

    @property
    def queries(self) -> list[str]:
        return [r["query"][0] for r in self.requests if "query" in r]


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def prometheus() -> Iterator[Callable[..., tuple[FakePrometheusApi, PrometheusProbe]]]:
    servers: list[_Server] = []

    def start(**state: Any) -> tuple[FakePrometheusApi, PrometheusProbe]:
        api = FakePrometheusApi(**state)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, content = api.get(self.path)
                data = (content if isinstance(content, str) else json.dumps(content)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                return super().date_time_string(time.time() + api.clock_offset_s)

        server = _Server(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return api, PrometheusProbe(f"http://127.0.0.1:{server.server_address[1]}", 2.0)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def every(step_s: float, window: Window = DAY) -> list[float]:
    start, end = window.start.timestamp(), window.end.timestamp()
    return [start + n * step_s for n in range(int((end - start) // step_s) + 1)]


# ---------------------------------------------------------------- samples


def test_samples_are_an_instant_query_of_the_range_at_the_window_end(prometheus):
    api, probe = prometheus(samples={SELECTOR: [({"instance": "bot"}, every(15))]})
    [series] = probe.samples(SELECTOR, SIX_HOURS)
    assert api.queries == [f"{SELECTOR}[21600s]"]
    assert float(api.requests[0]["time"][0]) == NOW.timestamp()
    assert series.labels == {"instance": "bot"}
    assert series.points[0] == (SIX_HOURS.start.timestamp() + 15, 1.0)  # the range is left-open
    assert series.points[-1] == (NOW.timestamp(), 1.0)
    assert all(isinstance(t, float) and isinstance(v, float) for t, v in series.points)


def test_samples_of_a_window_are_asked_once(prometheus):
    api, probe = prometheus(samples={SELECTOR: [({}, every(15))]})
    assert probe.samples(SELECTOR, SIX_HOURS) == probe.samples(SELECTOR, SIX_HOURS)
    assert len(api.queries) == 1


def test_samples_inside_the_span_are_fetched_once_over_it_and_sliced(prometheus):
    api, probe = prometheus(samples={SELECTOR: [({}, every(15))]})
    probe.span = DAY
    six = probe.samples(SELECTOR, SIX_HOURS)
    day = probe.samples(SELECTOR, DAY)
    earlier = Window(NOW - timedelta(hours=20), NOW - timedelta(hours=14))
    middle = probe.samples(SELECTOR, earlier)
    assert api.queries == [f"{SELECTOR}[86400s]"]
    assert len(six[0].points) == 1441  # both edges included when sliced
    assert len(day[0].points) == 5760
    assert middle[0].points[0][0] == earlier.start.timestamp()
    assert middle[0].points[-1][0] == earlier.end.timestamp()


def test_samples_outside_the_span_are_fetched_on_their_own(prometheus):
    api, probe = prometheus(samples={SELECTOR: [({}, every(15))]})
    probe.span = SIX_HOURS
    probe.samples(SELECTOR, DAY)
    probe.samples(SELECTOR, SIX_HOURS)
    assert api.queries == [f"{SELECTOR}[86400s]", f"{SELECTOR}[21600s]"]


def test_each_selector_is_its_own_request(prometheus):
    other = 'bot_uptime_seconds{env="production"}'
    api, probe = prometheus(samples={SELECTOR: [({}, every(15))], other: [({}, every(60))]})
    probe.span = DAY
    probe.samples(SELECTOR, SIX_HOURS)
    probe.samples(other, SIX_HOURS)
    assert api.queries == [f"{SELECTOR}[86400s]", f"{other}[86400s]"]


def test_samples_of_an_unknown_selector_are_no_series(prometheus):
    _, probe = prometheus()
    assert probe.samples(SELECTOR, SIX_HOURS) == []


def test_a_refused_query_is_a_source_error(prometheus):
    _, probe = prometheus(status=400)
    with pytest.raises(
        SourceError, match=r"query 'bot_connected\{env=\"production\"\}\[21600s\]' refused"
    ):
        probe.samples(SELECTOR, SIX_HOURS)


# ---------------------------------------------------------------- cached_ranges


def test_cached_ranges_hold_raw_answers_with_their_scrape_interval_as_step(prometheus):
    _, probe = prometheus(
        samples={SELECTOR: [({}, every(30))], "sparse": [({}, [NOW.timestamp()])]}
    )
    probe.span = DAY
    probe.samples(SELECTOR, SIX_HOURS)
    probe.samples("sparse", SIX_HOURS)
    answers = probe.cached_ranges()
    assert set(answers) == {(SELECTOR, DAY.start, DAY.end, 30), ("sparse", DAY.start, DAY.end, 15)}
    assert len(answers[(SELECTOR, DAY.start, DAY.end, 30)][0].points) == 2880


def test_cached_ranges_keep_the_plotted_bot_s_series_and_read_its_interval_alone(prometheus):
    """A fleet's plots draw its first bot: the other bots' series are left out before any
    scrape interval is read (theirs may differ)."""
    _, probe = prometheus(
        samples={SELECTOR: [({"instance": "bot-1"}, every(30)), ({"instance": "bot-2"}, every(60))]}
    )
    probe.span = DAY
    probe.samples(SELECTOR, SIX_HOURS)
    answers = probe.cached_ranges(lambda s: s.labels.get("instance") == "bot-1")
    assert list(answers) == [(SELECTOR, DAY.start, DAY.end, 30)]
    assert [s.labels for s in answers[(SELECTOR, DAY.start, DAY.end, 30)]] == [
        {"instance": "bot-1"}
    ]
    assert list(probe.cached_ranges()) == [(SELECTOR, DAY.start, DAY.end, 60)]


# ---------------------------------------------------------------- alerting_rules


def test_alerting_rules_are_read_with_group_interval_severity_and_health(prometheus):
    _, probe = prometheus()
    rules = probe.alerting_rules()
    assert rules == [
        AlertRule("BotDown", "rosey_bot_alerts", "critical", "ok", "", 15.0, "bot_connected == 0"),
        AlertRule(
            "HighErrorRate",
            "rosey_bot_alerts",
            "",
            "err",
            "many-to-many matching not allowed",
            15.0,
            "rate(bot_errors_total[5m]) > 0.1",
        ),
        AlertRule("Silent", "other", "", "unknown", "", 0.0, ""),
    ]
    assert [r.healthy for r in rules] == [True, False, False]


def test_alerting_rules_are_asked_once_per_run(prometheus):
    api, probe = prometheus()
    assert probe.alerting_rules() is probe.alerting_rules()
    assert [r["path"] for r in api.requests] == [["/api/v1/rules"]]
    assert api.requests[0]["type"] == ["alert"]


@pytest.mark.parametrize(
    ("state", "cause"),
    [
        ({"status": 500}, "500 Server Error"),
        ({"rules": {"status": "success", "data": {}}}, "'groups'"),
        ({"rules": "not json"}, "Expecting value"),
    ],
)
def test_an_unreadable_rules_answer_is_a_source_error(prometheus, state, cause):
    _, probe = prometheus(**state)
    with pytest.raises(SourceError) as caught:
        probe.alerting_rules()
    assert caught.value.cause.startswith("GET /api/v1/rules failed: ")
    assert cause in caught.value.cause


# ---------------------------------------------------------------- rules after a restart


def rules_body(health: str, last_evaluation: str = "2026-11-29T12:00:00Z") -> dict[str, Any]:
    rule = {"name": "BotDown", "health": health, "lastError": "", "lastEvaluation": last_evaluation}
    group = {"name": "rosey_bot_alerts", "interval": 5, "rules": [rule]}
    return {"status": "success", "data": {"groups": [group]}}


ZERO_TIME = "0001-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("health", "last_evaluation", "evaluated"),
    [
        ("ok", "2026-11-29T12:00:00Z", True),
        ("err", "2026-11-29T12:00:00Z", True),
        ("unknown", ZERO_TIME, False),  # Prometheus right after its start
        ("unknown", "", False),
        ("ok", ZERO_TIME, False),
    ],
)
def test_a_rule_not_evaluated_since_prometheus_started_is_told(
    prometheus, monkeypatch, health, last_evaluation, evaluated
):
    monkeypatch.setattr(prometheus_module, "FIRST_EVALUATION_MAX_WAIT_S", 0.0)
    _, probe = prometheus(rules=rules_body(health, last_evaluation))
    [rule] = probe.alerting_rules()
    assert rule.evaluated is evaluated


class FakeClock:
    """Time that passes only when slept; each answer of `ask` the next of `answers`."""

    def __init__(self, *answers: list[AlertRule]) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.answers = list(answers)
        self.asks = 0

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def ask(self) -> list[AlertRule]:
        self.asks += 1
        self.now += 0.01  # a request's round trip
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def alert_rule(evaluated: bool, interval_s: float = 15.0, name: str = "BotDown") -> AlertRule:
    health = "ok" if evaluated else "unknown"
    return AlertRule(name, "g", "critical", health, "", interval_s, "q", evaluated)


def test_evaluated_rules_are_not_waited_for():
    clock = FakeClock([alert_rule(True)])
    rules, wait = await_first_evaluation(
        clock.ask, [alert_rule(True)], lambda: clock.now, clock.sleep
    )
    assert (rules, wait, clock.asks, clock.slept) == ([alert_rule(True)], None, 0, [])


def test_rules_awaiting_their_first_evaluation_are_asked_again_until_evaluated():
    clock = FakeClock([alert_rule(False)], [alert_rule(False)], [alert_rule(True)])
    rules, wait = await_first_evaluation(
        clock.ask, [alert_rule(False)], lambda: clock.now, clock.sleep
    )
    assert rules == [alert_rule(True)]
    assert clock.asks == 3 and clock.slept == [0.5, 0.5, 0.5]
    assert wait == FirstEvaluationWait(("BotDown",), 1.53, 15.0, ())
    assert wait.describe() == (
        "1 rule(s) had not evaluated yet since Prometheus started: waited 1.5 s for their "
        "first evaluation; all evaluated since"
    )


def test_the_wait_ends_after_one_evaluation_interval_and_rules_stand_as_they_are():
    clock = FakeClock([alert_rule(False, 5.0), alert_rule(True, 60.0, "Other")])
    first = [alert_rule(False, 5.0), alert_rule(True, 60.0, "Other")]
    rules, wait = await_first_evaluation(clock.ask, first, lambda: clock.now, clock.sleep)
    assert rules == first
    assert wait is not None and wait.still_pending == ("BotDown",)
    assert wait.limit_s == 5.0  # the interval of the group whose rule waits
    assert sum(clock.slept) <= 5.0 and wait.waited_s <= 5.0 + 0.01
    assert clock.slept[-1] < 0.5  # the last step only up to the interval's end
    assert wait.describe().endswith(
        "still not evaluated after one evaluation interval (5 s): BotDown"
    )


@pytest.mark.parametrize(("interval_s", "limit_s"), [(0.0, 60.0), (30.0, 30.0), (600.0, 120.0)])
def test_the_wait_is_one_interval_the_default_one_or_at_most_the_cap(interval_s, limit_s):
    clock = FakeClock([alert_rule(False, interval_s)])
    _, wait = await_first_evaluation(
        clock.ask, [alert_rule(False, interval_s)], lambda: clock.now, clock.sleep
    )
    assert wait is not None and wait.limit_s == limit_s
    assert limit_s <= wait.waited_s <= limit_s + 0.01  # the last ask's round trip after it


def test_the_probe_waits_for_a_first_evaluation_once_for_every_criterion(prometheus, monkeypatch):
    monkeypatch.setattr(prometheus_module, "RULES_POLL_S", 0.01)
    answers = [rules_body("unknown", ZERO_TIME)] * 3 + [rules_body("ok")]

    def rules() -> dict[str, Any]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    api, probe = prometheus(rules=rules)
    seen: list[list[AlertRule]] = []
    askers = [
        threading.Thread(target=lambda: seen.append(probe.alerting_rules())) for _ in range(4)
    ]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert [r.health for rules in seen for r in rules] == ["ok"] * 4
    assert len(api.requests) == 4  # one wait, shared
    assert probe.rules_wait is not None and probe.rules_wait.pending == ("BotDown",)
    assert probe.rules_wait.still_pending == ()


# ---------------------------------------------------------------- clock skew


@pytest.mark.parametrize("offset", [0.0, 20.0, -20.0])
def test_clocks_within_the_tolerance_are_accepted(prometheus, offset):
    _, probe = prometheus(clock_offset_s=offset)
    probe.ready()
    assert probe.clock_skew_s is not None and abs(probe.clock_skew_s - offset) <= 1.5


@pytest.mark.parametrize(("offset", "way"), [(300.0, "300 s ahead of"), (-120.0, "120 s behind")])
def test_a_prometheus_clock_minutes_off_is_a_source_error_saying_which_way(prometheus, offset, way):
    _, probe = prometheus(clock_offset_s=offset)
    with pytest.raises(SourceError) as raised:
        probe.ready()
    assert f"clock skew: Prometheus's clock is {way} this machine's" in str(raised.value)


@pytest.mark.parametrize("header", ["", "yesterday", "Mon, 99 Foo 2026 99:99:99 GMT"])
def test_without_a_usable_date_header_the_skew_is_unknown_not_an_error(header):
    from burnin.probes.prometheus import clock_skew

    assert clock_skew(header, 100.0, 100.2) is None


def test_raw_points_are_kept_compact_and_read_like_a_list_of_pairs():
    from burnin.schedule import Window
    from burnin.series import Points, inside

    points = Points.of([[1796000000, "1"], [1796000015.5, "0"], [1796000030, "NaN"]])
    assert len(points) == 3 and points[1] == (1796000015.5, 0.0)
    assert list(points[:2]) == [(1796000000.0, 1.0), (1796000015.5, 0.0)]
    assert points[:2] == [(1796000000.0, 1.0), (1796000015.5, 0.0)]
    assert [t for t, _ in points] == [1796000000.0, 1796000015.5, 1796000030.0]
    window = Window(
        datetime.fromtimestamp(1796000010, UTC), datetime.fromtimestamp(1796000030, UTC)
    )
    assert list(inside(points, window))[0] == (1796000015.5, 0.0)
    assert len(inside(points, window)) == 2  # both ends included
    assert [t for t, _ in inside(list(points), window)] == [1796000015.5, 1796000030.0]


# ---------------------------------------------------------------- partial answers


REMOTE_DOWN = (
    'remote_read: error sending request: Post "http://store:9201/read": connection refused'
)


def test_an_answer_with_warnings_is_noted_as_partial_by_the_measurement_reading_it(prometheus):
    """Raw samples and instant vectors alike; a kept answer read again is noted again (another
    measurement reads it); PromQL's notes on the query itself are not partial."""
    labels = {"env": "production"}
    api, probe = prometheus(
        samples={SELECTOR: [(labels, every(15))]},
        warnings=[REMOTE_DOWN, "PromQL info: metric might not be a counter"],
    )
    probe.span = DAY
    (series,), partial = collected(lambda: probe.samples(SELECTOR, SIX_HOURS))
    assert len(series.points) == 6 * 240 + 1
    assert partial == (PartialAnswer("prometheus", f"{SELECTOR}[86400s]", (REMOTE_DOWN,)),)
    again = collected(lambda: probe.samples(SELECTOR, DAY))[1]
    assert again == partial and len(api.queries) == 1
    (value,), instant = collected(lambda: probe.instant(SELECTOR, NOW))
    assert value.value == 1.0
    assert instant == (PartialAnswer("prometheus", SELECTOR, (REMOTE_DOWN,)),)


def test_an_answer_without_warnings_notes_nothing(prometheus):
    _api, probe = prometheus(samples={SELECTOR: [({"env": "production"}, every(15))]})
    assert collected(lambda: probe.samples(SELECTOR, DAY))[1] == ()
    assert collected(lambda: probe.instant(SELECTOR, NOW))[1] == ()
