"""`python -m burnin doctor`: for every name the configuration uses, whether it exists in
production, and for a missing one the closest names that do and the line to write. Prometheus
and SSH are scripted fakes; the health endpoint is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import shlex
import socket
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from burnin.__main__ import main
from burnin.clock import skew_cause
from burnin.config import SETTINGS, Target, load_target
from burnin.config.access import HttpAccess
from burnin.doctor import (
    SUDO_FIX,
    Check,
    adjusted,
    check_backup,
    check_health,
    check_logs,
    check_metrics,
    check_rules,
    check_unit,
    closest,
    explain,
    guess_glob,
    not_checked,
    report,
    selector_text,
    selects,
)
from burnin.errors import ConfigError, SourceError
from burnin.probes.health import timed_get
from burnin.probes.http import http_get, new_session
from burnin.probes.prometheus import AlertRule, PrometheusProbe
from burnin.probes.ssh import CommandResult
from burnin.promql import BOT_METRICS, CONTRACT_METRICS, PROCESS_METRICS, parse_selector
from burnin.run import metrics_of
from burnin.series import Sample
from tests.unit import tls

ROOT = Path(__file__).resolve().parents[2]
EXPORTER_NAMES = [
    "rosey_bot_connected",
    "rosey_bot_uptime_seconds",
    "rosey_bot_channel_users",
    "rosey_bot_requests_total",
    "rosey_bot_errors_total",
    "process_cpu_seconds_total",
    "up",
    "scrape_duration_seconds",
]
EXPORTER_JSON = {
    "status": "running",
    "uptime": 3600,
    "requests": 120,
    "errors": 2,
    "user_count": 7,
    "connected": True,
    "channel": "#production-channel",
}


def write_target(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def contract_target(tmp_path: Path, health_url: str = "", **settings: object) -> Target:
    """A target under the contract's names, the exporter's selector."""
    values = {"health_url": health_url, "selector": 'env="prod"', **settings}
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
    return load_target(write_target(tmp_path, "[targets.lab]\n" + lines), {}, {}, "lab")


def exporter_target(health_url: str = "http://127.0.0.1:18000/api/health") -> Target:
    """targets.toml's sandbox-exporter: the exporter's names, mappings and words."""
    return load_target(ROOT / "targets.toml", {"health_url": health_url}, {}, "sandbox-exporter")


# ---------------------------------------------------------------- closest and Check


def test_closest_finds_a_metric_by_its_words_first():
    assert closest("bot_users", EXPORTER_NAMES)[0] == "rosey_bot_channel_users"


def test_closest_finds_a_unit_by_its_words():
    units = ["cytube-bot", "sshd", "cron", "systemd-journald", "prometheus", "node-exporter"]
    assert closest("rosey-bot", units) == ["cytube-bot"]


def test_closest_json_key_for_error_count_is_errors_once_user_count_is_taken():
    keys = list(EXPORTER_JSON)
    assert closest("error_count", keys)[0] == "user_count"  # why check_health excludes taken keys
    assert closest("error_count", [k for k in keys if k != "user_count"]) == ["errors"]


def test_closest_gives_at_most_the_limit_and_nothing_unlike():
    assert len(closest("bot_errors_total", EXPORTER_NAMES, limit=2)) == 2
    assert closest("version", ["uptime", "requests", "errors"]) == []
    assert closest("anything", []) == []


def test_closest_breaks_ties_by_name():
    assert closest("bot_x", ["b_bot_x", "a_bot_x"]) == ["a_bot_x", "b_bot_x"]


def test_a_passing_check_is_one_line():
    line = Check(True, "metric bot_users", 'rosey_bot_channel_users{env="prod"}: 1 series').line()
    assert line == 'ok       metric bot_users: rosey_bot_channel_users{env="prod"}: 1 series'


def test_a_missing_check_puts_its_fix_on_an_indented_second_line():
    check = Check(False, "unit rosey-bot", "no such unit", 'unit = "cytube-bot"')
    assert check.line() == (
        'MISSING  unit rosey-bot: no such unit\n         fix: unit = "cytube-bot"'
    )


def test_report_ends_with_the_count_of_ok_missing_and_not_checked():
    checks = [
        Check(True, "a", "fine"),
        Check(False, "b", "gone", "b = 1"),
        *not_checked(["metric c"], "prometheus at http://p:9090: connection refused"),
    ]
    assert report(checks).splitlines() == [
        "ok       a: fine",
        "MISSING  b: gone",
        "         fix: b = 1",
        "NOT CHECKED metric c: prometheus at http://p:9090: connection refused",
        "doctor: 1 ok, 1 missing, 1 not checked",
    ]


def test_report_says_everything_is_there_only_when_everything_is_ok():
    assert report([Check(True, "a", "fine")]).splitlines()[-1] == (
        "doctor: 1 ok, 0 missing, 0 not checked: everything a run uses is there"
    )
    assert report(not_checked(["a"], "no source")).splitlines()[-1] == (
        "doctor: 0 ok, 0 missing, 1 not checked"
    )


# ---------------------------------------------------------------- health against a local server


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Start a real HTTP server on 127.0.0.1:0 answering every GET with `body`; the URL."""
    servers: list[_Server] = []

    def start(body: str, status: int = 200) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args) -> None:
                pass

        server = _Server(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return f"http://127.0.0.1:{server.server_address[1]}/api/health"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_contract_names_against_the_exporter_json_name_each_missing_field_and_its_fix(
    tmp_path, serve
):
    target = contract_target(tmp_path, serve(json.dumps(EXPORTER_JSON)))
    checks = {c.what: c for c in check_health(target)}
    missing = {what: (c.detail, c.fix) for what, c in checks.items() if not c.ok}
    have = "channel, connected, errors, requests, status, uptime, user_count"
    assert missing == {
        "health field uptime_seconds": (
            f"'uptime_seconds' missing; the JSON has {have}; closest: uptime",
            '[targets.lab.health_fields] uptime_seconds = "uptime"',
        ),
        "health field version": (
            f"'version' missing; the JSON has {have}; closest: none",
            '[targets.lab.health_fields] version = ""',
        ),
        "health field requests_handled": (
            f"'requests_handled' missing; the JSON has {have}; closest: requests",
            '[targets.lab.health_fields] requests_handled = "requests"',
        ),
        "health field error_count": (
            f"'error_count' missing; the JSON has {have}; closest: errors",
            '[targets.lab.health_fields] error_count = "errors"',
        ),
        "health status word": (
            "status is 'running', not one of 'healthy' (is the bot healthy right now, or does "
            "it say so in other words?)",
            'healthy_status = ["running"]',
        ),
    }
    assert checks["health field status"].detail == "'status' present"
    assert checks["health field user_count"].ok


def test_the_exporter_mapping_and_words_find_everything_in_the_exporter_json(serve):
    checks = check_health(exporter_target(serve(json.dumps(EXPORTER_JSON))))
    assert [c.what for c in checks if not c.ok] == []
    details = {c.what: c.detail for c in checks}
    assert details["health field version"] == "declared absent"
    assert details["health field uptime_seconds"] == "'uptime' present"
    assert details["health status word"] == "'running' is a healthy word"
    assert details["health channel"] == "'#production-channel', as expected"
    assert checks[0].what.startswith("health http://127.0.0.1:")
    assert len(checks) == 11  # the endpoint, eight fields, the status word, the channel


def test_a_status_that_is_no_string_gets_no_fix_line(tmp_path, serve):
    document = {**EXPORTER_JSON, "status": None}
    target = contract_target(tmp_path, serve(json.dumps(document)), healthy_status="running")
    [word] = [c for c in check_health(target) if c.what == "health status word"]
    assert not word.ok
    assert word.detail.startswith("status is None, not one of 'running'")
    assert word.fix == ""


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ("{}", 500, "HTTP 500"),
        ("<html>up</html>", 200, "not JSON: "),
        ("[1, 2]", 200, "not a JSON object: list"),
    ],
)
def test_a_health_answer_that_is_no_json_object_is_one_missing_check(
    tmp_path, serve, body, status, detail
):
    url = serve(body, status)
    check, *rest = check_health(contract_target(tmp_path, url))
    assert (check.ok, check.what) == (False, f"health {url}")
    assert check.detail.startswith(detail)
    assert check.fix
    # Every check behind it is counted, not dropped: eight fields and the status word.
    assert [c.state for c in rest] == ["not checked"] * 9


def test_an_unreachable_health_endpoint_is_one_missing_check(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    check, *rest = check_health(contract_target(tmp_path, f"http://127.0.0.1:{port}/api/health"))
    assert check.line() == (
        f"MISSING  health http://127.0.0.1:{port}/api/health: connection refused: nothing "
        "listens at that host and port\n"
        "         fix: check health_url (host and port), or start the bot's health server"
    )
    assert all(c.state == "not checked" for c in rest) and len(rest) == 9


# ---------------------------------------------------------------- metrics and rules


class FakePrometheus:
    """Stands in for PrometheusProbe: series counts under a selector, series anywhere, the
    metric names Prometheus knows (None: that request fails) and the alerting rules."""

    def __init__(
        self,
        counts: dict[str, float] | None = None,
        anywhere: dict[str, list[Sample]] | None = None,
        names: list[str] | None = None,
        rules: Sequence[AlertRule] = (),
        jobs: Sequence[str] = ("rosey-bot",),
    ) -> None:
        self.jobs = jobs  # the scrape jobs holding the bot's series
        self.counts = counts or {}
        self.anywhere = anywhere or {}
        self.names = names
        self.rules = list(rules)

    def scalar(self, query: str, at: datetime) -> float | None:
        assert query.startswith("count(last_over_time(") and query.endswith("[1h]))")
        series = query.removeprefix("count(last_over_time(")[: -len("[1h]))")]
        if series in self.counts:
            return self.counts[series]
        # Otherwise counted from the series anywhere, as Prometheus would.
        name, _, selector = series.partition("{")
        matchers = parse_selector(selector.removesuffix("}"))
        found = [s for s in self.anywhere.get(name, []) if selects(matchers, s.labels)]
        return float(len(found)) if found else None

    def instant(self, query: str, at: datetime) -> list[Sample]:
        if query.startswith("count by (job)(last_over_time(up{"):
            return [Sample({"job": job}, 1.0) for job in self.jobs]
        assert query.startswith("last_over_time(") and query.endswith("[1h])")
        return self.anywhere.get(query.removeprefix("last_over_time(")[: -len("[1h])")], [])

    def metric_names(self) -> list[str]:
        if self.names is None:
            raise SourceError("prometheus", "http://prometheus.example", "HTTP 503")
        return self.names

    def alerting_rules(self) -> list[AlertRule]:
        return self.rules


def test_every_mapped_metric_with_series_under_the_selector_is_ok():
    target = exporter_target()
    counts = {f'{name}{{env="prod"}}': 1.0 for name in EXPORTER_NAMES}
    checks = check_metrics(FakePrometheus(counts, names=EXPORTER_NAMES), target, metrics_of(target))
    assert [c.what for c in checks] == [
        'selector {env="prod"}',
        "metric bot_connected",
        "metric bot_uptime_seconds",
        "metric bot_users",
        "metric bot_requests_total",
        "metric bot_errors_total",
        "metric up",
    ]  # process_metrics = false: no process_* checks
    assert all(c.ok for c in checks)
    assert checks[3].detail == 'rosey_bot_channel_users{env="prod"}: 1 series'
    assert checks[-1].detail == 'up{env="prod"}: 1 series (the bot\'s scrape target)'


def test_a_bot_scraped_by_two_jobs_is_said_and_how_to_ask_one():
    target = exporter_target()
    counts = {f'{name}{{env="prod"}}': 2.0 for name in EXPORTER_NAMES}
    fake = FakePrometheus(counts, names=EXPORTER_NAMES, jobs=("rosey-bot", "rosey-bot-pods"))
    up = check_metrics(fake, target, metrics_of(target))[-1]
    assert up.ok  # a run counts each series once: nothing to fix before it
    assert up.detail == (
        'up{env="prod"}: 2 series (the bot\'s scrape target); from 2 scrape jobs (rosey-bot, '
        "rosey-bot-pods): each of the bot's series is held once per job, and a run counts it "
        'once (max without (job) before a sum); job="rosey-bot" in the selector would ask for '
        "one copy"
    )


def test_a_selector_naming_the_job_is_not_asked_which_jobs_scrape_the_bot():
    target = exporter_target()
    metrics = replace(metrics_of(target), selector=parse_selector('env="prod",job="rosey-bot"'))
    counts = {f'{name}{{env="prod",job="rosey-bot"}}': 1.0 for name in EXPORTER_NAMES}
    fake = FakePrometheus(counts, names=EXPORTER_NAMES, jobs=("never", "asked"))
    up = check_metrics(fake, target, metrics)[-1]
    assert up.detail == 'up{env="prod",job="rosey-bot"}: 1 series (the bot\'s scrape target)'


def by_what(checks: Sequence[Check]) -> dict[str, Check]:
    return {c.what: c for c in checks}


def sample(name: str, **labels: str) -> Sample:
    return Sample({"__name__": name, **labels}, 1.0)


def series_of(names: Sequence[str], **labels: str) -> dict[str, list[Sample]]:
    return {name: [sample(name, **labels)] for name in names}


def test_contract_names_against_exporter_names_suggest_the_mapping_line(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    checks = check_metrics(FakePrometheus(names=EXPORTER_NAMES), target, metrics_of(target))
    users = by_what(checks)["metric bot_users"]
    assert not users.ok
    assert users.detail.startswith(
        'bot_users: no series under {env="prod"} in the last 1h; closest: rosey_bot_channel_users'
    )
    assert users.fix == '[targets.lab.metrics] bot_users = "rosey_bot_channel_users"'
    assert {c.fix for c in checks if c.what.startswith("metric bot_") and c is not users} == {
        f'[targets.lab.metrics] {name} = "rosey_{name}"'
        for name in (
            "bot_connected",
            "bot_uptime_seconds",
            "bot_requests_total",
            "bot_errors_total",
        )
    }


def test_renamed_metrics_under_other_labels_get_the_selector_and_the_renames_at_once(tmp_path):
    """One round, not two: the names exist as rosey_bot_* under env="prod" while the target
    says bot_* under env="production": the selector line first, then each rename."""
    target = contract_target(tmp_path, selector='env="production"', process_metrics=False)
    exporter = [n for n in EXPORTER_NAMES if n.startswith("rosey_")]
    anywhere = series_of(exporter, env="prod", job="rosey")
    prometheus = FakePrometheus(anywhere=anywhere, names=EXPORTER_NAMES)
    checks = check_metrics(prometheus, target, metrics_of(target))
    assert checks[0].what == 'selector {env="production"}'
    assert checks[0].fix == "selector = 'env=\"prod\"'"
    assert by_what(checks)["metric bot_users"].fix == (
        '[targets.lab.metrics] bot_users = "rosey_bot_channel_users"'
    )
    assert 'rosey_bot_channel_users has series under {env="prod"}' in (
        by_what(checks)["metric bot_users"].detail
    )


def test_the_selector_comes_first_with_one_fix_line_when_the_series_carry_another_env(tmp_path):
    """process_* and bot_* series exist under env="prod", the selector says env="production":
    one fix line, the selector; never process_metrics = false (Prometheus' own process series
    elsewhere do not count)."""
    target = contract_target(tmp_path, selector='env="production"')
    anywhere = series_of([*CONTRACT_METRICS, "up"], env="prod", job="rosey", instance="bot:8000")
    for name in PROCESS_METRICS:
        anywhere[name].append(sample(name, job="prometheus", instance="localhost:9090"))
    prometheus = FakePrometheus(anywhere=anywhere, names=list(CONTRACT_METRICS))
    checks = check_metrics(prometheus, target, metrics_of(target))
    first = checks[0]
    assert (first.ok, first.what, first.fix) == (
        False,
        'selector {env="production"}',
        "selector = 'env=\"prod\"'",
    )
    assert first.detail.startswith(
        'finds 0 of the 8 metrics in the last 1h; {env="prod"} finds 8 (bot_connected, '
    )
    assert [c.fix for c in checks if c.fix] == [first.fix]
    assert by_what(checks)["metric process_resident_memory_bytes"].detail.endswith(
        'its series carry {env="prod",instance="bot:8000",job="rosey"}: found by the selector '
        "proposed above"
    )
    assert by_what(checks)["metric up"].detail.startswith('no series under {env="production"}')


def test_a_metric_without_an_env_label_suggests_a_job_selector(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    anywhere = {"bot_users": [Sample({"__name__": "bot_users", "job": "rosey-bot"}, 3.0)]}
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    assert checks[0].fix == "selector = 'job=\"rosey-bot\"'"
    assert by_what(checks)["metric bot_users"].fix == ""  # the selector line fixes it


def test_process_metrics_of_another_job_only_suggest_declaring_none(tmp_path):
    """The bot's series are found; process_* series exist only for Prometheus' own job: the bot
    exports none."""
    target = contract_target(tmp_path)
    anywhere = series_of(BOT_METRICS, env="prod", job="rosey", instance="bot:8000")
    anywhere["process_cpu_seconds_total"] = [
        sample("process_cpu_seconds_total", job="prometheus", instance="localhost:9090")
    ]
    anywhere["up"] = [sample("up", env="prod", job="rosey", instance="bot:8000")]
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    found = by_what(checks)
    assert found['selector {env="prod"}'].ok
    fix = "process_metrics = false  (memory and CPU are then skipped)"
    cpu = found["metric process_cpu_seconds_total"]
    assert cpu.fix == fix
    assert 'its series carry {instance="localhost:9090",job="prometheus"}' in cpu.detail
    assert found["metric process_resident_memory_bytes"].fix == fix  # nothing like it at all
    assert [c.what for c in checks if not c.ok] == [f"metric {n}" for n in PROCESS_METRICS]


def test_process_series_labelled_apart_from_the_bots_get_a_selector_finding_both(tmp_path):
    """The bot's bot_* series carry env="prod"; its process_* series (same job) carry no env:
    a selector on the job finds both, and process_metrics = false would be wrong."""
    target = contract_target(tmp_path)
    anywhere = series_of(BOT_METRICS, env="prod", job="rosey", instance="bot:8000")
    anywhere.update(series_of(PROCESS_METRICS, job="rosey", instance="bot:8000"))
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    assert checks[0].fix == "selector = 'job=\"rosey\"'"
    assert not any("process_metrics" in c.fix for c in checks)


def test_process_series_near_the_bot_that_no_selector_can_share_are_never_declared_none(
    tmp_path,
):
    """A job="rosey" selector would take in the staging bot too: no selector is proposed, and
    no process_metrics = false either (the bot's job has process series)."""
    target = contract_target(tmp_path)
    anywhere = series_of(BOT_METRICS, env="prod", job="rosey", instance="bot:8000")
    for name in BOT_METRICS:
        anywhere[name].append(sample(name, env="staging", job="rosey", instance="stage:8000"))
    anywhere.update(series_of(PROCESS_METRICS, job="rosey", instance="other:8000"))
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    assert checks[0].ok and checks[0].fix == ""
    memory = by_what(checks)["metric process_resident_memory_bytes"]
    assert (memory.ok, memory.fix) == (False, "")
    assert "near the bot's series" in memory.detail


def test_without_any_series_of_the_bot_process_metrics_are_not_declared_none(tmp_path):
    target = contract_target(tmp_path)
    anywhere = {"process_cpu_seconds_total": [sample("process_cpu_seconds_total", job="prom")]}
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    assert checks[0].detail.startswith("no series of the bot's metrics under any labels")
    assert not any("process_metrics" in c.fix for c in checks)


def test_a_fleet_bot_gets_the_selector_line_with_its_instance_left_to_fill_in(tmp_path):
    path = write_target(
        tmp_path,
        """
        [targets.fleet]
        instances = ["bot-1", "bot-2"]
        selector = 'env="production", instance="{instance}"'
        process_metrics = false
        """,
    )
    bot = load_target(path, {}, {}, "fleet").bots()[0]
    anywhere: dict[str, list[Sample]] = {}
    for name in BOT_METRICS:
        anywhere[name] = [sample(name, env="prod", instance=i) for i in ("bot-1", "bot-2")]
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), bot, metrics_of(bot))
    assert checks[0].fix == 'selector = \'env="prod", instance="{instance}"\''


def test_metric_names_that_cannot_be_listed_leave_no_suggestion(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    checks = check_metrics(FakePrometheus(names=None), target, metrics_of(target))
    metrics = [c for c in checks if c.what.startswith("metric bot_")]
    assert len(metrics) == 5
    assert all(not c.ok and c.detail.endswith("closest: none") and c.fix == "" for c in metrics)


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ('env="production"', {"env": "prod", "job": "r"}, 'env="prod"'),
        ('env="prod"', {"job": "r"}, 'job="r"'),
        ('env="prod",job=~"ro.*"', {"env": "dev", "job": "rosey"}, 'env="dev",job=~"ro.*"'),
        ('env!="dev"', {"instance": "a:1"}, 'env!="dev",instance="a:1"'),
    ],
)
def test_a_selector_is_adjusted_just_enough_to_find_a_series(selector, labels, expected):
    assert selector_text(adjusted(parse_selector(selector), labels)) == expected


def rule(name: str, severity: str = "warning", health: str = "ok", error: str = "") -> AlertRule:
    return AlertRule(name, "rosey", severity, health, error, 10.0, "q")


def test_loaded_evaluating_rules_are_ok_with_their_severity(tmp_path):
    target = contract_target(tmp_path, alert_rules="RoseyBotDown, RoseyBotRestarted")
    prometheus = FakePrometheus(
        rules=[rule("RoseyBotDown", "critical"), rule("RoseyBotRestarted", "")]
    )
    checks = check_rules(prometheus, target)
    assert [c.line() for c in checks] == [
        "ok       alert rule RoseyBotDown: loaded, evaluating (critical)",
        "ok       alert rule RoseyBotRestarted: loaded, evaluating (no severity label)",
    ]


def test_a_rule_not_loaded_names_the_closest_and_the_line_listing_the_loaded_ones(tmp_path):
    target = contract_target(tmp_path)  # the contract's rules: BotDown, ...
    loaded = [rule("RoseyBotDown", "critical"), rule("RoseyBotRestarted")]
    [bot_down, *_] = check_rules(FakePrometheus(rules=loaded), target)
    assert not bot_down.ok
    assert bot_down.what == "alert rule BotDown"
    assert bot_down.detail == (
        "not loaded in Prometheus; closest: RoseyBotDown (loaded: RoseyBotDown, RoseyBotRestarted)"
    )
    assert bot_down.fix == 'alert_rules = ["RoseyBotDown", "RoseyBotRestarted"]'


def test_a_rule_that_does_not_evaluate_is_missing_with_its_error(tmp_path):
    target = contract_target(tmp_path, alert_rules="RoseyBotDown")
    broken = rule(
        "RoseyBotDown", "critical", "err", "vector contains metrics with the same labelset"
    )
    [check] = check_rules(FakePrometheus(rules=[broken]), target)
    assert not check.ok
    assert check.detail == (
        "loaded but not evaluating cleanly: err vector contains metrics with the same labelset"
    )


# ---------------------------------------------------------------- unit and logs over SSH


class ScriptedHost:
    """Stands in for SshProbe: answers by the command's first word (exit None: the command
    did not finish)."""

    def __init__(self, answers: dict[str, tuple[int | None, str]]) -> None:
        self.answers = answers
        self.asked: list[list[str]] = []

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        self.asked.append(list(argv))
        key = argv[1] if argv[0] == "systemctl" else argv[0]
        exit_code, stdout = self.answers.get(key, (0, ""))
        problem = "connection lost: EOF" if exit_code is None else ""
        return CommandResult(shlex.join(argv), exit_code, stdout, "", problem)


def test_a_missing_unit_names_the_closest_unit_on_the_host(tmp_path):
    host = ScriptedHost(
        {
            "show": (0, "LoadState=not-found\nStandardOutput=journal\n"),
            "list-units": (
                0,
                "cytube-bot.service loaded active running CyTube bot\n"
                "sshd.service loaded active running OpenSSH\n",
            ),
        }
    )
    check, logs = check_unit(host, contract_target(tmp_path))
    assert check.line() == (
        "MISSING  unit rosey-bot: no such unit on the host (not-found); closest: cytube-bot\n"
        '         fix: unit = "cytube-bot"'
    )
    assert logs.line() == (
        "NOT CHECKED journal of rosey-bot: the unit rosey-bot is not on the host"
    )


def test_a_command_that_did_not_finish_leaves_its_checks_not_checked(tmp_path):
    host = ScriptedHost({"show": (None, "")})
    checks = check_unit(host, contract_target(tmp_path))
    assert [(c.state, c.what) for c in checks] == [
        ("not checked", "unit rosey-bot"),
        ("not checked", "journal of rosey-bot"),
    ]
    assert checks[0].detail.endswith("(connection lost: EOF)")


def test_a_unit_writing_to_a_file_suggests_the_log_file_line(tmp_path):
    host = ScriptedHost(
        {"show": (0, "LoadState=loaded\nStandardOutput=append:/var/log/cytube-bot/bot.log\n")}
    )
    unit, logs = check_unit(host, contract_target(tmp_path, unit="cytube-bot"))
    assert unit.ok
    assert not logs.ok
    assert logs.detail.endswith("; its StandardOutput is append:/var/log/cytube-bot/bot.log")
    assert logs.fix == 'log_file = "/var/log/cytube-bot/bot.log"  (the unit writes there)'


def test_a_recently_written_log_file_is_ok(tmp_path):
    written = datetime.now(UTC).timestamp() - 120
    host = ScriptedHost({"stat": (0, f"{written:.0f} 2048\n"), "test": (0, "")})
    target = contract_target(tmp_path, log_file="/var/log/cytube-bot/bot.log")
    check = check_logs(host, target, "")
    assert check.ok
    assert check.detail == "2048 bytes, last written 2 min ago"
    assert ["test", "-r", "/var/log/cytube-bot/bot.log"] in host.asked


def test_an_unreadable_log_file_is_missing(tmp_path):
    host = ScriptedHost({"stat": (0, "1 2\n"), "test": (1, "")})
    target = contract_target(tmp_path, log_file="/var/log/cytube-bot/bot.log")
    assert not check_logs(host, target, "").ok


# ---------------------------------------------------------------- python -m burnin doctor


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("BURNIN_"):
            monkeypatch.delenv(name)


def test_doctor_exits_4_on_a_configuration_mistake_naming_file_and_key(tmp_path, clean_env, capsys):
    path = write_target(
        tmp_path, '[targets.x]\nhealth_url = "http://127.0.0.1:1/"\ncolour = "red"\n'
    )
    assert main(["doctor", "--target", "x", "--targets-file", str(path)]) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "burnin doctor: configuration: targets.toml: targets.x.colour: unknown key; expected one of "
    )


def test_doctor_exits_4_for_the_real_exporter_layout_placeholders(clean_env, capsys):
    targets = str(ROOT / "targets.toml")
    assert main(["doctor", "--target", "exporter-layout", "--targets-file", targets]) == 4
    assert "still the placeholder" in capsys.readouterr().err


def test_doctor_exits_1_while_anything_is_missing_and_prints_every_check(
    tmp_path, clean_env, capsys, serve
):
    url = serve(json.dumps(EXPORTER_JSON))
    path = write_target(
        tmp_path,
        f"""
        [targets.x]
        extends = "layout"
        health_url = "{url}"

        [targets.layout]
        healthy_status = ["running"]
        [targets.layout.health_fields]
        uptime_seconds = "uptime"
        requests_handled = "requests"
        error_count = "errors"
        version = ""
        """,
    )
    assert main(["doctor", "--target", "x", "--targets-file", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"burnin doctor: target x ({path})"
    assert "MISSING  prometheus: prometheus_url is not set for this target" in lines
    assert "MISSING  ssh: ssh_host is not set for this target" in lines
    assert "ok       health status word: 'running' is a healthy word" in lines
    assert "NOT CHECKED metric bot_users: prometheus_url is not set" in lines
    assert "NOT CHECKED backups /backups/rosey-*.db: ssh_host is not set" in lines
    # 1 endpoint, 8 fields, 1 status word; 16 Prometheus checks, 3 host checks not made
    assert lines[-1] == "doctor: 10 ok, 2 missing, 19 not checked"


# ---------------------------------------------------------------- backups over SSH

HOUR = 3600.0


class BackupHost:
    """Stands in for SshProbe for the backup listings: `find DIR -maxdepth 1 -name PATTERN`
    (the criterion's own) answers the files of DIR matching PATTERN; the search for files near
    it answers every file under its places. Files: path -> (age in hours, size)."""

    def __init__(self, files: dict[str, tuple[float, int]], exit_code: int | None = 0) -> None:
        self.files = files
        self.exit_code = exit_code
        self.asked: list[list[str]] = []

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        self.asked.append(list(argv))
        command = shlex.join(argv)
        if self.exit_code is None:
            return CommandResult(command, None, "", "", "timed out after 10 s")
        now = datetime.now(UTC).timestamp()
        start = argv[3]
        if "(" in argv:  # the search near the glob
            places = argv[3 : argv.index("-maxdepth")]
            tests = argv[argv.index("(") + 1 : argv.index(")")]
            names = [tests[i + 1] for i, word in enumerate(tests) if word == "-name"]
            chosen = [
                p
                for p in self.files
                if any(p.startswith(f"{d}/") for d in places)
                and any(fnmatch.fnmatch(posixpath.basename(p), n) for n in names)
            ]
        else:
            pattern = argv[argv.index("-name") + 1]
            chosen = [
                p
                for p in self.files
                if posixpath.dirname(p) == start and fnmatch.fnmatch(posixpath.basename(p), pattern)
            ]
            if not any(p.startswith(f"{start}/") for p in self.files):
                message = f"find: '{start}': No such file or directory\n"
                return CommandResult(command, 1, "", message)
        lines = "".join(
            f"{now - self.files[p][0] * HOUR:.1f} {self.files[p][1]} {p}\n" for p in chosen
        )
        return CommandResult(command, 0, lines, "")


def backup_target(tmp_path: Path, glob: str = "/backups/rosey-*.db") -> Target:
    return contract_target(tmp_path, backup_glob=glob)


def test_a_recent_backup_matching_the_glob_is_ok(tmp_path):
    host = BackupHost({"/backups/rosey-2.db": (3, 24576), "/backups/rosey-1.db": (27, 24000)})
    check = check_backup(host, backup_target(tmp_path))
    assert check.line() == (
        "ok       backups /backups/rosey-*.db: 2 file(s); newest /backups/rosey-2.db, 24576 "
        "bytes, 3.0 h old"
    )
    assert len(host.asked) == 1  # nothing searched near it


def test_a_glob_matching_nothing_names_the_files_near_it_and_the_glob_that_finds_them(
    tmp_path,
):
    host = BackupHost(
        {
            "/var/backups/rosey/rosey-20261127.db": (3, 24576),
            "/var/backups/rosey/rosey-20261126.db": (27, 24000),
            "/var/backups/dpkg.status.0": (5, 100),
        }
    )
    check = check_backup(host, backup_target(tmp_path))
    assert check.line() == (
        "MISSING  backups /backups/rosey-*.db: the directory of /backups/rosey-*.db does not "
        "exist; files near: /var/backups/rosey/rosey-20261127.db (3.0 h old), "
        "/var/backups/rosey/rosey-20261126.db (27.0 h old)\n"
        '         fix: backup_glob = "/var/backups/rosey/rosey-*.db"  (or backup_glob = "" if the '
        "bot has none)"
    )
    near = host.asked[1]
    assert near[:9] == [
        "env", "LC_ALL=C", "find", "/backups", "/var/backups", "/srv/backups", ".",
        "-maxdepth", "3",
    ]  # fmt: skip


def test_a_glob_matching_nothing_with_nothing_near_says_where_it_looked(tmp_path):
    host = BackupHost({"/backups/other.txt": (1, 10)})
    check = check_backup(host, backup_target(tmp_path))
    assert check.detail == (
        "nothing matches /backups/rosey-*.db; nothing like it in /backups, /var/backups, "
        "/srv/backups, ."
    )
    assert check.fix == (
        'backup_glob = "/where/the/backups/are/*.db"  (or backup_glob = "" if the bot has none)'
    )


def test_only_old_backups_are_missing_without_a_fix_when_nothing_newer_is_near(tmp_path):
    host = BackupHost({"/backups/rosey-1.db": (30, 24576)})
    check = check_backup(host, backup_target(tmp_path))
    assert not check.ok
    assert check.detail.startswith(
        "the newest match /backups/rosey-1.db is 30.0 h old (none in the last 26 h: the job does "
        "not run?)"
    )
    assert check.fix == ""


def test_an_empty_glob_declares_no_backups(tmp_path):
    check = check_backup(BackupHost({}), backup_target(tmp_path, ""))
    assert check.line() == (
        'ok       backups: backup_glob = "": none declared (the backup check is skipped)'
    )


def test_a_backup_listing_that_did_not_finish_is_not_checked(tmp_path):
    check = check_backup(BackupHost({}, exit_code=None), backup_target(tmp_path))
    assert check.state == "not checked"
    assert "timed out after 10 s" in check.detail


@pytest.mark.parametrize(
    ("path", "glob"),
    [
        ("/var/backups/rosey/rosey-20261127.db", "/var/backups/rosey/rosey-*.db"),
        ("/b/rosey-2026-11-27T0300.db.gz", "/b/rosey-*.db.gz"),
        ("./backups/rosey.db", "backups/rosey.db"),
    ],
)
def test_a_dated_backup_name_becomes_a_glob(path, glob):
    assert guess_glob(path) == glob


# ---------------------------------------------------------------- why a source did not answer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def test_an_unreachable_prometheus_is_one_line_with_a_fix_and_no_library_text(tmp_path):
    port = closed_port()
    probe = PrometheusProbe(f"http://127.0.0.1:{port}", 5.0)
    with pytest.raises(SourceError) as raised:
        probe.ready()
    assert "Max retries exceeded" not in str(raised.value)  # the probe's own words now
    assert explain(raised.value, "prometheus") == (
        f"connection refused at 127.0.0.1:{port} (nothing listens there)",
        "check prometheus_url (host and port), or start prometheus",
    )


@pytest.mark.parametrize(
    ("error", "source", "cause", "fix"),
    [
        (
            requests.ConnectionError(
                "HTTPConnectionPool(host='prom.invalid', port=9090): Max retries exceeded with "
                'url: /-/ready (Caused by NameResolutionError("Failed to resolve '
                "'prom.invalid' ([Errno -2] Name or service not known)\"))"
            ),
            "prometheus",
            "its host name does not resolve",
            "check prometheus_url (the host name)",
        ),
        (
            requests.ConnectTimeout("Connection to 10.0.0.5 timed out. (connect timeout=10)"),
            "prometheus",
            "no answer within timeout_s",
            "check prometheus_url and the firewall, or raise timeout_s (--source-timeout)",
        ),
        (
            "HTTP 404",
            "dashboard",
            "HTTP 404: nothing at this path",
            "check dashboard_url (a path prefix missing?)",
        ),
        (
            "not reachable: ConnectionRefusedError: [Errno 111] Connection refused",
            "health",
            "connection refused: nothing listens at that host and port",
            "check health_url (host and port), or start the bot's health server",
        ),
        (
            SourceError(
                "ssh",
                "ssh://root@h:22",
                "cannot connect: [Errno None] Unable to connect to port 22 on 10.0.0.5",
            ),
            "ssh",
            "connection refused: nothing listens at that host and port",
            "check ssh_host and ssh_port (host and port), or start sshd",
        ),
        (
            SourceError(
                "ssh",
                "ssh://h",
                "authentication refused for rosey: Authentication "
                "failed. (check --ssh-key / the agent and the host's authorized_keys)",
            ),
            "ssh",
            "the host refused the login",
            "set ssh_user and ssh_key to a login whose key is in the host's authorized_keys",
        ),
        (
            SourceError(
                "ssh",
                "ssh://h",
                "host key not in /k: Server 'h' not found in "
                "known_hosts (verify it and add it, or pass --accept-new-host-key)",
            ),
            "ssh",
            "the host's key is not in known_hosts",
            "add the host's key to known_hosts (ssh-keyscan, after verifying it), or set "
            "accept_new_host_key = true",
        ),
        (
            SourceError(
                "prometheus", "http://p:9090", skew_cause("Prometheus's", "its Date header", 120.0)
            ),
            "prometheus",
            "clock skew: Prometheus's clock is 120 s ahead of this machine's",
            "fix the time sync (NTP) of this machine or of the host",
        ),
        (
            SourceError("prometheus", "http://p:9090", "not ready: HTTP 503, also on the retry"),
            "prometheus",
            "HTTP 503: Prometheus answers with an error",
            "see the logs of Prometheus",
        ),
        (
            "no answer within 5 s",
            "health",
            "no answer within timeout_s",
            "check health_url and the firewall, or raise timeout_s (--source-timeout)",
        ),
    ],
)
def test_each_kind_of_failure_has_its_cause_and_the_setting_to_change(error, source, cause, fix):
    assert explain(error, source) == (cause, fix)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tls.Pki:
    return tls.make_pki(tmp_path_factory.mktemp("pki"))


def probe_problem(source: str, url: str, access: HttpAccess) -> BaseException | str:
    """What the source's probe hands the doctor when asking `url` fails."""
    if source == "prometheus":
        with pytest.raises(SourceError) as raised:
            PrometheusProbe(url, 5.0, access=access).ready()
        return raised.value
    if source == "health":
        return timed_get(url, 5.0, 10_000, access).problem
    return http_get(new_session(access, url), url, 5.0, access=access).problem


@pytest.mark.parametrize("source", ["prometheus", "alertmanager", "health"])
@pytest.mark.parametrize(
    ("failure", "cause", "fix"),
    [
        ("untrusted", "not trusted (unable to get local issuer certificate)", "set {s}_ca_file"),
        ("client certificate", "refused the client certificate", "set {s}_cert_file"),
        ("TLS to a plain port", "TLS handshake with", "check the URL's scheme (https:// for TLS)"),
        ("401", "refused the credentials (HTTP 401)", "set {s}_bearer_token_file"),
        ("403", "forbids these credentials (HTTP 403)", "check {s}_bearer_token_file"),
    ],
)
def test_what_the_http_probes_explain_is_shown_in_their_words(pki, source, failure, cause, fix):
    """TLS, client certificates and refused credentials are the probes' to explain
    (burnin.probes.failures): the doctor shows their line, never a second wording."""
    kind = {
        "untrusted": {"pki": pki},
        "client certificate": {"pki": pki, "client_cert": True},
        "401": {"check": tls.bearer("t")},
        "403": {"check": lambda _handler: 403},
    }.get(failure, {})
    trusted = {"ca_file": pki.ca} if failure == "client certificate" else {}
    with tls.serve(**kind) as (url, _):
        if failure == "TLS to a plain port":
            url = url.replace("http://", "https://")
        problem = probe_problem(source, url, HttpAccess(source, **trusted))
    shown_cause, shown_fix = explain(problem, source)
    assert cause in shown_cause, (problem, shown_cause)
    assert shown_fix.startswith(fix.format(s=source)), (problem, shown_fix)


def test_an_unknown_failure_shows_its_innermost_text_without_a_password():
    cause, fix = explain(ValueError("odd answer from http://u:s3cret@p:9090/x"), "prometheus")
    assert cause == "ValueError: odd answer from http://u:***@p:9090/x"
    assert fix == "check prometheus_url"


# ---------------------------------------------------------------- options and secrets


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.option)
def test_doctor_takes_every_target_option_the_suite_takes(setting, tmp_path, monkeypatch, capsys):
    """Generated from SETTINGS: a setting added later is a doctor option too."""
    seen: dict[str, object] = {}

    def load(path, cli, env, name=None):
        seen.update(cli)
        raise ConfigError("stop here")

    monkeypatch.setattr("burnin.__main__.load_target", load)
    value: list[str] = [] if setting.kind is bool else ["some-value"]
    assert main(["doctor", setting.option, *value, "--targets-file", str(tmp_path / "t")]) == 4
    assert seen == {setting.key: True if setting.kind is bool else "some-value"}
    assert capsys.readouterr().err == "burnin doctor: configuration: stop here\n"


def test_doctor_options_win_over_the_environment_which_wins_over_the_file(
    tmp_path, clean_env, monkeypatch, capsys
):
    path = write_target(
        tmp_path,
        """
        [targets.x]
        prometheus_url = "http://PROD_IP:9090"
        selector = 'env="production"'
        """,
    )
    from_env, from_cli = closed_port(), closed_port()
    monkeypatch.setenv("BURNIN_PROMETHEUS_URL", f"http://127.0.0.1:{from_env}")
    monkeypatch.setenv("BURNIN_SELECTOR", 'env="env"')
    base = ["doctor", "--target", "x", "--targets-file", str(path)]
    assert main(base) == 1
    out = capsys.readouterr().out
    assert f"MISSING  prometheus http://127.0.0.1:{from_env}: connection refused" in out
    assert 'NOT CHECKED selector {env="env"}' in out
    cli = ["--prometheus-url", f"http://127.0.0.1:{from_cli}", "--selector", 'env="cli"']
    assert main(base + cli) == 1
    out = capsys.readouterr().out
    assert f"MISSING  prometheus http://127.0.0.1:{from_cli}: connection refused" in out
    assert 'NOT CHECKED selector {env="cli"}' in out


MARKER = "Pa55-MARKER-w0rd"


class _Routes(BaseHTTPRequestHandler):
    """A Prometheus, an Alertmanager and a dashboard in one: JSON by path."""

    answers: dict[str, object] = {
        "/-/ready": "ready",
        "/api/v1/query": {"status": "success", "data": {"resultType": "vector", "result": []}},
        "/api/v1/label/__name__/values": {"status": "success", "data": []},
        "/api/v1/rules": {"status": "success", "data": {"groups": []}},
        "/api/v1/alertmanagers": {
            "status": "success",
            "data": {"activeAlertmanagers": [{"url": f"http://am:{MARKER}@127.0.0.1:9093/api/v2"}]},
        },
        "/": "dashboard",
    }

    def do_GET(self) -> None:
        answer = self.answers.get(self.path.split("?")[0], {"status": "error"})
        data = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def stack() -> Iterator[int]:
    server = _Server(("127.0.0.1", 0), _Routes)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_doctor_never_prints_a_password_or_token(tmp_path, clean_env, capsys, serve, stack):
    """A password in every URL, a token in the health URL's query: in no line of the output,
    whether the source answers or not."""
    health = serve(json.dumps(EXPORTER_JSON)) + f"?token={MARKER}"
    closed = closed_port()
    path = write_target(
        tmp_path,
        f"""
        [targets.up]
        prometheus_url = "http://burnin:{MARKER}@127.0.0.1:{stack}"
        alertmanager_url = "http://burnin:{MARKER}@127.0.0.1:{stack}"
        dashboard_url = "http://burnin:{MARKER}@127.0.0.1:{stack}/"
        health_url = "{health}"
        [targets.down]
        prometheus_url = "http://burnin:{MARKER}@127.0.0.1:{closed}"
        alertmanager_url = "http://burnin:{MARKER}@127.0.0.1:{closed}"
        dashboard_url = "http://burnin:{MARKER}@127.0.0.1:{closed}/"
        health_url = "http://127.0.0.1:{closed}/api/health?token={MARKER}"
        """,
    )
    shown = {
        "up": f"ok       prometheus http://burnin:***@127.0.0.1:{stack}: ready",
        "down": f"MISSING  prometheus http://burnin:***@127.0.0.1:{closed}: connection refused",
    }
    outputs = {}
    for name, line in shown.items():
        assert main(["doctor", "--target", name, "--targets-file", str(path)]) == 1
        captured = capsys.readouterr()
        outputs[name] = captured.out + captured.err
        assert line in outputs[name]  # the success line once printed the password
        assert MARKER not in outputs[name], outputs[name]
    assert (
        "alertmanager known to prometheus: 1 active: http://am:***@127.0.0.1:9093"
        in (outputs["up"])
    )
    assert "health http://127.0.0.1:" in outputs["up"] and "token=***" in outputs["up"]


def test_an_unreachable_prometheus_counts_its_checks_not_checked(tmp_path, clean_env, capsys):
    closed = closed_port()
    path = write_target(tmp_path, f'[targets.x]\nprometheus_url = "http://127.0.0.1:{closed}"\n')
    assert main(["doctor", "--target", "x", "--targets-file", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    at = lines.index(
        f"MISSING  prometheus http://127.0.0.1:{closed}: connection refused at 127.0.0.1:{closed} "
        "(nothing listens there)"
    )
    assert lines[at + 1] == (
        "         fix: check prometheus_url (host and port), or start prometheus"
    )
    reason = f"prometheus: connection refused at 127.0.0.1:{closed} (nothing listens there)"
    assert f"NOT CHECKED metric bot_users: {reason}" in lines
    assert f"NOT CHECKED alert rule BotDown: {reason}" in lines
    assert not any("Max retries" in line or "HTTPConnectionPool" in line for line in lines)
    # selector, 8 metrics, up, 5 rules, the Alertmanager (16); 3 host checks; 8 fields, status word
    assert lines[-1] == "doctor: 0 ok, 3 missing, 28 not checked"


def test_a_process_metric_is_never_renamed_to_a_bot_metric_sharing_a_word(tmp_path):
    """Seen against the sandbox's exporter stack: process_start_time_seconds was offered
    rosey_bot_uptime_seconds (both end in _seconds)."""
    target = contract_target(tmp_path)
    bot_name = ["rosey_bot_uptime_seconds"]
    assert closest("process_start_time_seconds", bot_name) == bot_name
    prometheus = FakePrometheus(anywhere=series_of(bot_name, env="prod"), names=bot_name)
    start = by_what(check_metrics(prometheus, target, metrics_of(target)))[
        "metric process_start_time_seconds"
    ]
    assert "closest: none;" in start.detail
    assert start.fix == "process_metrics = false  (memory and CPU are then skipped)"
    # A prefixed process name of the bot's is one.
    names = [*bot_name, "rosey_process_start_time_seconds"]
    prometheus = FakePrometheus(anywhere=series_of(names, env="prod"), names=names)
    checks = by_what(check_metrics(prometheus, target, metrics_of(target)))
    assert checks["metric process_start_time_seconds"].fix == (
        '[targets.lab.metrics] process_start_time_seconds = "rosey_process_start_time_seconds"'
    )


class RefusingHost:
    """Every command fails with `stderr` (exit 1)."""

    def __init__(self, stderr: str) -> None:
        self.stderr = stderr

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        return CommandResult(shlex.join(argv), 1, "", self.stderr)


def test_sudo_that_asks_for_a_password_is_named_not_taken_for_a_missing_unit(tmp_path):
    host = RefusingHost("sudo: a password is required\n")
    unit, logs = check_unit(host, contract_target(tmp_path, ssh_sudo=True))
    assert (unit.ok, unit.fix) == (False, SUDO_FIX)
    assert unit.detail.startswith("sudo -n refused: ")
    assert logs.state == "not checked"


def test_backups_only_root_may_list_suggest_ssh_sudo(tmp_path):
    host = RefusingHost("find: '/backups': Permission denied\n")
    check = check_backup(host, backup_target(tmp_path))
    assert check.detail.startswith("listing the backups failed: ")
    assert check.fix == "ssh_sudo = true  (if only root may read the backups)"


def test_a_fleet_bot_without_series_is_not_offered_another_bot_s_instance(tmp_path):
    """bot-ghost has no series; bot-1 has: the instance matcher is the fleet's, not a fix."""
    path = write_target(
        tmp_path,
        """
        [targets.fleet]
        instances = ["bot-1", "bot-ghost"]
        selector = 'env="production", instance="{instance}"'
        process_metrics = false
        """,
    )
    ghost = load_target(path, {}, {}, "fleet").bots()[1]
    anywhere = {n: [sample(n, env="production", instance="bot-1")] for n in BOT_METRICS}
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), ghost, metrics_of(ghost))
    assert [c.fix for c in checks if c.fix] == []
    assert checks[0].detail == (
        'finds none of the 5 metrics in the last 1h; their series carry {env="production",'
        'instance="bot-1"}'
    )


def test_prometheus_answers_that_may_be_partial_are_one_missing_line_with_its_fix():
    from burnin.doctor import partial_check
    from burnin.partial import PartialAnswer

    said = ("remote_read: connection refused",)
    check = partial_check(
        tuple(PartialAnswer("prometheus", f"count(q{i})", said) for i in range(3))
    )
    assert check.line() == (
        "MISSING  prometheus answers: prometheus said its answers to 'count(q0)', 'count(q1)' "
        "(and 1 more) may be partial: remote_read: connection refused; while it says so, every "
        "Prometheus criterion is NO_DATA\n"
        "         fix: make every store Prometheus reads from answer (its remote_read, Thanos "
        "stores), or point prometheus_url at one that answers whole"
    )
