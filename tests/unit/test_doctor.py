"""`python -m burnin doctor`: for every name the configuration uses, whether it exists in
production, and for a missing one the closest names that do and the line to write. Prometheus
and SSH are scripted fakes; the health endpoint is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shlex
import socket
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from burnin.__main__ import main
from burnin.config import Target, load_target
from burnin.doctor import (
    Check,
    check_health,
    check_logs,
    check_metrics,
    check_rules,
    check_unit,
    closest,
    report,
)
from burnin.probes.prometheus import AlertRule, Sample
from burnin.probes.ssh import CommandResult
from burnin.run import metrics_of
from burnin.verdict import SourceError

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


def test_report_ends_with_the_count_of_ok_and_missing():
    text = report([Check(True, "a", "fine"), Check(False, "b", "gone", "b = 1")])
    assert text.splitlines() == [
        "ok       a: fine",
        "MISSING  b: gone",
        "         fix: b = 1",
        "doctor: 1 ok, 1 missing",
    ]


def test_report_says_every_name_exists_only_when_nothing_is_missing():
    assert report([Check(True, "a", "fine")]).splitlines()[-1] == (
        "doctor: 1 ok, 0 missing: every name the configuration uses exists"
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
    assert len(checks) == 9  # eight fields and the status word


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
    [check] = check_health(contract_target(tmp_path, url))
    assert (check.ok, check.what) == (False, f"health {url}")
    assert check.detail.startswith(detail)


def test_an_unreachable_health_endpoint_is_one_missing_check(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    [check] = check_health(contract_target(tmp_path, f"http://127.0.0.1:{port}/api/health"))
    assert not check.ok
    assert check.detail.startswith("not reachable: ")


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
    ) -> None:
        self.counts = counts or {}
        self.anywhere = anywhere or {}
        self.names = names
        self.rules = list(rules)

    def scalar(self, query: str, at: datetime) -> float | None:
        assert query.startswith("count(last_over_time(") and query.endswith("[1h]))")
        return self.counts.get(query.removeprefix("count(last_over_time(")[: -len("[1h]))")])

    def instant(self, query: str, at: datetime) -> list[Sample]:
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
        "metric bot_connected",
        "metric bot_uptime_seconds",
        "metric bot_users",
        "metric bot_requests_total",
        "metric bot_errors_total",
    ]  # process_metrics = false: no process_* checks
    assert all(c.ok for c in checks)
    assert checks[2].detail == 'rosey_bot_channel_users{env="prod"}: 1 series'


def test_contract_names_against_exporter_names_suggest_the_mapping_line(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    checks = check_metrics(FakePrometheus(names=EXPORTER_NAMES), target, metrics_of(target))
    [users] = [c for c in checks if c.what == "metric bot_users"]
    assert not users.ok
    assert users.detail.startswith(
        'bot_users: no series under {env="prod"} in the last 1h; closest: rosey_bot_channel_users'
    )
    assert users.fix == '[targets.lab.metrics] bot_users = "rosey_bot_channel_users"'
    assert {c.fix for c in checks if c.what != "metric bot_users"} == {
        f'[targets.lab.metrics] {name} = "rosey_{name}"'
        for name in (
            "bot_connected",
            "bot_uptime_seconds",
            "bot_requests_total",
            "bot_errors_total",
        )
    }


def test_a_metric_under_other_labels_suggests_the_selector_that_finds_it(tmp_path):
    target = contract_target(tmp_path, selector='env="production"', process_metrics=False)
    anywhere = {
        "bot_connected": [Sample({"__name__": "bot_connected", "env": "prod", "job": "rosey"}, 1.0)]
    }
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    assert checks[0].detail == (
        'bot_connected exists, but no series under {env="production"} in the last 1h; its '
        'series carry {env="prod",job="rosey"}'
    )
    assert checks[0].fix == "selector = 'env=\"prod\"'"


def test_a_metric_without_an_env_label_suggests_a_job_selector(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    anywhere = {"bot_users": [Sample({"__name__": "bot_users", "job": "rosey-bot"}, 3.0)]}
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    [users] = [c for c in checks if c.what == "metric bot_users"]
    assert users.fix == "selector = 'job=\"rosey-bot\"'"


def test_process_metrics_of_another_job_suggest_declaring_none(tmp_path):
    target = contract_target(tmp_path)
    anywhere = {
        "process_cpu_seconds_total": [
            Sample({"__name__": "process_cpu_seconds_total", "job": "prometheus"}, 9.0)
        ]
    }
    checks = check_metrics(FakePrometheus(anywhere=anywhere, names=[]), target, metrics_of(target))
    by_what = {c.what: c for c in checks}
    assert set(by_what) >= {"metric process_cpu_seconds_total", "metric process_start_time_seconds"}
    fix = "process_metrics = false  (if the bot exports no process metrics)"
    assert by_what["metric process_cpu_seconds_total"].fix == fix
    assert by_what["metric process_resident_memory_bytes"].fix == fix  # nothing like it at all


def test_metric_names_that_cannot_be_listed_leave_no_suggestion(tmp_path):
    target = contract_target(tmp_path, process_metrics=False)
    checks = check_metrics(FakePrometheus(names=None), target, metrics_of(target))
    assert all(not c.ok and c.detail.endswith("closest: none") and c.fix == "" for c in checks)


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
    """Stands in for SshProbe: answers by the command's first word."""

    def __init__(self, answers: dict[str, tuple[int, str]]) -> None:
        self.answers = answers
        self.asked: list[list[str]] = []

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        self.asked.append(list(argv))
        key = argv[1] if argv[0] == "systemctl" else argv[0]
        exit_code, stdout = self.answers.get(key, (0, ""))
        return CommandResult(shlex.join(argv), exit_code, stdout, "")


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
    [check] = check_unit(host, contract_target(tmp_path))
    assert check.line() == (
        "MISSING  unit rosey-bot: no such unit on the host (not-found); closest: cytube-bot\n"
        '         fix: unit = "cytube-bot"'
    )


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
    assert lines[-1] == "doctor: 9 ok, 2 missing"
