"""The pytest glue seen from outside: markers, ids, configuration errors, exit codes."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ROOT
from tests.reports import report_rows


def collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def test_checkpoint_marker_selects_its_phase_only(suite):
    result = suite.runpytest_subprocess("-m", "checkpoint_6h", "--target", "sandbox", "--co", "-q")
    ids = collected(result)
    assert ids, result.stdout.str()
    assert all(i.endswith("[sandbox-6h]") for i in ids), ids
    assert {i.split("::")[1].split("[")[0] for i in ids} == {
        "test_health_up",
        "test_health_version",
        "test_uptime",
        "test_longest_disconnect",
        "test_errors_total",
        "test_restarts",
        "test_alerts",
        "test_memory_growth",
        "test_logs_clean",
        "test_service_active",
        "test_coverage",
        "test_consistency",
        "test_vs_previous_release",
    }


def test_only_the_phases_a_marker_selects_are_made(suite):
    """Other phases' tests are not made and then deselected (a fleet: thousands of items)."""
    every = collected(suite.runpytest_subprocess("--target", "sandbox", "--co", "-q"))
    for expression in ("checkpoint_24h", "smoke or checkpoint_6h", "not checkpoint_12h"):
        result = suite.runpytest_subprocess("-m", expression, "--target", "sandbox", "--co", "-q")
        made = collected(result)
        phases = {i.rsplit("-", 1)[1].rstrip("]") for i in made}
        wanted = {"checkpoint_24h": {"24h"}, "smoke or checkpoint_6h": {"smoke", "6h"}}
        assert phases == wanted.get(expression, {"smoke", "6h", "24h"}), made
        assert made == [i for i in every if i in made], "the same tests, in the same order"
        # Deselected: at most one placeholder per test function none of whose phases is made
        # (pytest's item for an empty parameter set), never another phase's tests.
        deselected = re.search(r"\((\d+) deselected\)", result.stdout.str())
        functions = {i.split("[")[0] for i in every} - {i.split("[")[0] for i in made}
        assert (int(deselected.group(1)) if deselected else 0) == len(functions), functions


def test_smoke_marker_selects_the_quick_checks(suite):
    result = suite.runpytest_subprocess("-m", "smoke", "--target", "sandbox", "--co", "-q")
    names = sorted(i.split("::")[1] for i in collected(result))
    assert names == [
        "test_health_latency[sandbox-smoke]",
        "test_health_up[sandbox-smoke]",
        "test_logs_clean[sandbox-smoke]",
        "test_service_active[sandbox-smoke]",
    ]


def test_a_collect_only_listing_writes_no_report_and_no_history(suite):
    result = suite.runpytest_subprocess("-m", "smoke", "--target", "sandbox", "--co", "-q")
    assert len(collected(result)) == 4, result.stdout.str()
    assert not (suite.path / "reports").exists()
    assert "burnin history" not in result.stdout.str()


@pytest.mark.parametrize("listing", ["--fixtures-per-test", "--fixtures"])
def test_a_fixtures_listing_writes_no_report_and_no_history(suite, listing):
    """pytest runs a session of collection for these: it judged nothing, so no run is recorded
    (once, a --fixtures-per-test listing was recorded as a run that could not decide)."""
    result = suite.runpytest_subprocess("-m", "smoke", "--target", "sandbox", listing, "-q")
    assert result.ret == 0 and "criterion" in result.stdout.str(), result.stdout.str()
    assert not (suite.path / "reports").exists()
    for recorded in ("burnin history:", "burnin decision:", "Generated html report"):
        assert recorded not in result.stdout.str(), result.stdout.str()


def test_plain_run_collects_only_the_production_suite(suite):
    (suite.path / "tests").mkdir()
    (suite.path / "tests" / "test_own.py").write_text("def test_own():\n    pass\n")
    result = suite.runpytest_subprocess("-m", "checkpoint_24h", "--target", "sandbox", "--co", "-q")
    assert all(i.startswith("tests_production/") for i in collected(result))


def test_broken_thresholds_is_one_usage_error_before_any_test(suite):
    text = (suite.path / "thresholds.toml").read_text()
    (suite.path / "thresholds.toml").write_text(
        text.replace("critical = 99.0", "critical = 99.95", 1)
    )
    result = suite.runpytest_subprocess("-m", "checkpoint_6h", "--target", "sandbox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == [
        "ERROR: burnin configuration: thresholds.toml: metrics.uptime: critical 99.95 is on the "
        "wrong side of acceptable 99.9 (higher is better, so critical must not be above acceptable)"
    ]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_unparsable_thresholds_names_the_file(suite):
    (suite.path / "thresholds.toml").write_text("[metrics.uptime\n")
    result = suite.runpytest_subprocess("-m", "checkpoint_6h", "--target", "sandbox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "thresholds.toml: not valid TOML" in result.stderr.str()


def test_unconfigured_production_target_is_refused(suite):
    result = suite.runpytest_subprocess("-m", "checkpoint_6h")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "targets.production.health_url: still the placeholder" in result.stderr.str()


def test_unknown_target_is_refused(suite):
    result = suite.runpytest_subprocess("-m", "checkpoint_6h", "--target", "staging")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown target 'staging'; expected one of production, sandbox" in result.stderr.str()


def test_cli_overrides_env_and_file(suite, monkeypatch):
    monkeypatch.setenv("BURNIN_UNIT", "from-env")
    monkeypatch.setenv("BURNIN_SSH_PORT", "not-a-port")
    result = suite.runpytest_subprocess(
        "-m", "smoke", "--target", "sandbox", "--ssh-port", "22", "--co"
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    monkeypatch.delenv("BURNIN_SSH_PORT")
    result = suite.runpytest_subprocess(
        "-m", "smoke", "--target", "sandbox", "--ssh-port", "x", "--co"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--ssh-port: expected an integer, got 'x'" in result.stderr.str()


def test_premature_checkpoint_is_refused(suite):
    result = suite.runpytest_subprocess(
        "-m", "checkpoint_24h", "--target", "sandbox", "--deployed-at", "2099-01-01T00:00:00+00:00"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "phase 24h: deployed at 2099-01-01T00:00:00+00:00" in result.stderr.str()


def test_a_due_checkpoint_runs_while_later_ones_are_not_due(suite):
    """Seven hours after the deployment the 6 h checkpoint is due, the 12 h one is not: asking
    for the 6 h one is not refused because of the others."""
    deployed = (datetime.now(UTC) - timedelta(hours=7)).isoformat(timespec="seconds")
    result = suite.runpytest_subprocess(
        "-m", "checkpoint_6h", "--target", "sandbox", f"--deployed-at={deployed}", "--co"
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    result.stdout.fnmatch_lines(["*uptime*sandbox-6h*"])
    refused = suite.runpytest_subprocess(
        "-m", "checkpoint_12h", "--target", "sandbox", f"--deployed-at={deployed}", "--co"
    )
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    assert "phase 12h: deployed at" in refused.stderr.str()


def test_unreachable_sources_error_or_fail_and_the_report_is_still_written(suite):
    """Nothing listens on the ports: health fails (a red flag), Prometheus and SSH error (the
    observer is broken). Nothing passes, the run ends, the report exists."""
    result = suite.runpytest_subprocess(
        "-m",
        "checkpoint_24h",
        "--target",
        "sandbox",
        "--health-url",
        "http://127.0.0.1:9/api/health",
        "--prometheus-url",
        "http://127.0.0.1:9",
        "--ssh-port",
        "9",
        "--accept-new-host-key",
        "--source-timeout",
        "2",
        timeout=180,
    )
    outcomes = result.parseoutcomes()
    assert "passed" not in outcomes
    # The health criteria fail (an unreachable endpoint is a red flag); every Prometheus and SSH
    # criterion errors; the two that need no source are pending or not opted in.
    assert outcomes["failed"] >= 3 and outcomes["errors"] >= 11, outcomes
    out = result.stdout.str()
    assert "SOURCE_ERROR prometheus at http://127.0.0.1:9: not reachable" in out
    assert "SOURCE_ERROR ssh at ssh://root@127.0.0.1:9: cannot connect" in out
    summary = [line for line in result.outlines if line.startswith("BURNIN ")]
    assert len(summary) == 1 and summary[0].startswith("BURNIN CRITICAL - ")
    assert re.search(r"\d+ source error", summary[0]) and summary[0].endswith(", 0 ok")
    rows = report_rows(suite.path / "reports" / "latest.html")
    assert {row["band"] for row in rows.values()} <= {
        "critical",
        "source_error",
        "skipped",
        "pending",
    }


@pytest.mark.parametrize(
    ("health_url", "expected_code", "state"),
    [
        ("http://127.0.0.1:9/api/health", 2, "CRITICAL"),  # health down: a red flag
        ("", 3, "UNKNOWN"),  # only errors and skips: nobody can tell
    ],
)
def test_exit_status_nagios_maps_the_run_to_its_state(suite, health_url, expected_code, state):
    result = suite.runpytest_subprocess(
        "-m",
        "smoke",
        "--target",
        "sandbox",
        f"--health-url={health_url}",
        "--ssh-port=9",
        "--source-timeout=2",
        "--exit-status=nagios",
        timeout=60,
    )
    assert result.ret == expected_code, result.stdout.str()[-2000:]
    summary = [line for line in result.outlines if line.startswith("BURNIN ")]
    assert summary and summary[0].startswith(f"BURNIN {state} - ")


@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [(2, "smoke"), (7, "6h"), (13, "12h"), (30, "24h")],
)
def test_phase_auto_runs_the_latest_checkpoint_due(suite, hours_ago, expected):
    deployed = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    result = suite.runpytest_subprocess(
        "--target", "sandbox", f"--deployed-at={deployed}", "--phase=auto", "--co", "-q"
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    ids = [line for line in result.outlines if "::" in line]
    assert ids and all(line.endswith(f"[sandbox-{expected}]") for line in ids), ids


def test_phase_auto_without_the_deployment_start_says_how_to_fix_it(suite):
    result = suite.runpytest_subprocess("--target", "sandbox", "--phase=auto", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--phase auto needs the deployment start: add --deployed-at=" in result.stderr.str()


def test_phase_auto_does_not_run_a_checkpoint_the_history_has_done(suite):
    deployed = (datetime.now(UTC) - timedelta(hours=7)).isoformat(timespec="seconds")
    common = ("--target", "sandbox", f"--deployed-at={deployed}", "--phase=auto")
    first = suite.runpytest_subprocess(
        *common, "-k", "health_up", "--health-url=http://127.0.0.1:9/api/health", timeout=60
    )
    assert "burnin history: run 1 recorded in" in first.stdout.str()
    assert [line for line in first.outlines if "health_up" in line and "6h" in line]

    def phases_collected(*extra: str) -> set[str]:
        result = suite.runpytest_subprocess(*common, "--co", "-q", *extra)
        assert result.ret == pytest.ExitCode.OK, result.stderr.str()
        return {line.rsplit("-", 1)[1].rstrip("]") for line in result.outlines if "::" in line}

    assert phases_collected() == {"smoke"}  # 6 h done, 12 h not due: smoke checks
    assert phases_collected("--force") == {"6h"}
    history = subprocess.run(
        [sys.executable, "-m", "burnin", "history", f"--db={suite.path / 'reports' / 'history.sqlite'}"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert history.returncode == 0, history.stderr
    assert "health-up" in history.stdout and "CRITICAL" in history.stdout


def test_the_record_never_writes_through_planted_links_and_keeps_the_umask(suite):
    """Symlinks planted in the reports directory (latest.* and the history) are replaced or
    refused, never followed; the files are made with the user's umask (0666 under it), never
    world-writable nor executable (the HTML was once written 0777 under the umask)."""
    reports = suite.path / "reports"
    reports.mkdir()
    victim = suite.path / "victim.txt"
    victim.write_text("untouched\n")
    for name in ("latest.html", "latest.md", "latest.json", "latest.xml", "history.sqlite"):
        (reports / name).symlink_to(victim)
    result = subprocess.run(
        ["sh", "-c", f"umask 027 && {sys.executable} -m pytest -m smoke -k health_up "
         "--target sandbox --health-url=http://127.0.0.1:9/api/health -p no:cacheprovider"],
        cwd=suite.path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout[-2000:]
    assert victim.read_text() == "untouched\n"
    assert "burnin history: not recorded:" in result.stdout and "is a symlink" in result.stdout
    for name in ("latest.html", "latest.md", "latest.json", "latest.xml"):
        path = reports / name
        assert path.is_file() and not path.is_symlink(), name
    for path in reports.iterdir():
        if path.is_file() and not path.is_symlink():
            mode = path.stat().st_mode & 0o777
            assert mode == 0o640, f"{path.name} is {oct(mode)} under umask 027"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("-m", "checkpoint_12h or smoke", "--deployed-at=DEPLOYED"),
            "ERROR: burnin configuration: phase 12h: deployed at ",
        ),
        (
            ("--phase", "24h", "--deployed-at=DEPLOYED"),
            "ERROR: burnin configuration: phase 24h: deployed at ",
        ),
        (("-m", "checkpoint_6h and"), "ERROR: Wrong expression passed to '-m': checkpoint_6h and"),
    ],
)
def test_parallel_workers_get_the_usage_errors_of_a_plain_run_before_any_test(
    suite, args, expected
):
    """pytest-xdist's controller collects nothing, and a worker refusing a checkpoint that is not
    due crashed the run (INTERNALERROR): the controller refuses it first, in the same line."""
    deployed = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    args = tuple(a.replace("DEPLOYED", deployed) for a in args)
    result = suite.runpytest_subprocess(*args, "--target", "sandbox", "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-2000:]
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert not (suite.path / "reports").exists()


def test_a_worker_that_dies_mid_test_leaves_that_test_a_row_never_a_pass(suite):
    """A pytest-xdist worker killed inside a criterion (the OOM killer, a segfault): xdist
    reports the test as failed with no row data of ours; the record still has its row, read
    from the test's id, as a source error with xdist's words, and every other row."""
    (suite.path / "crasher.py").write_text(
        "import os\n"
        "def pytest_runtest_call(item):\n"
        "    if hasattr(item.config, 'workerinput') and 'health_up' in item.name:\n"
        "        os._exit(1)\n"
    )
    result = suite.runpytest_subprocess(
        "-p", "crasher", "-m", "smoke", "--target", "sandbox", "-n", "2",
        "--health-url=http://127.0.0.1:9/api/health", "--ssh-port=9",
    )  # fmt: skip
    assert "INTERNALERROR" not in result.stdout.str(), result.stdout.str()[-3000:]
    record = json.loads((suite.path / "reports" / "latest.json").read_text())
    rows = {r["criterion"]: r for r in record["criteria"]}
    assert set(rows) == {"health-up", "health-latency", "logs-clean", "service-active"}
    assert rows["health-up"]["phase"] == "smoke" and rows["health-up"]["bot"] == ""
    assert rows["health-up"]["band"] == "source_error"
    assert "crashed" in rows["health-up"]["cause"], rows["health-up"]
    # A failure outside any verdict is told by its own first line, not xdist's "[gw1] linux".
    assert rows["logs-clean"]["cause"].startswith("Failed: SOURCE_ERROR ssh at "), rows[
        "logs-clean"
    ]
    assert not [r for r in rows.values() if r["band"] in ("target", "acceptable")]


@pytest.mark.parametrize("workers", [None, "2"])
def test_a_refused_run_keeps_the_last_real_record_and_the_history(suite, workers):
    """A run refused with a usage error (a checkpoint not due yet) records nothing: latest.*
    still hold the last real run, the history has no row for it, and the files pytest-html and
    junitxml wrote for it are gone."""
    reports = suite.path / "reports"
    real = suite.runpytest_subprocess(
        "-m", "checkpoint_24h", "--target", "sandbox", "--health-url=http://127.0.0.1:9/x",
        "--prometheus-url=http://127.0.0.1:9", "--ssh-port=9", "--accept-new-host-key",
        "--source-timeout=1", "-k", "health_up", timeout=60,
    )  # fmt: skip
    assert real.ret == pytest.ExitCode.TESTS_FAILED, real.stdout.str()[-2000:]
    before = {p.name: p.read_bytes() for p in reports.iterdir()}
    assert "latest.html" in before and "history.sqlite" in before
    deployed = (datetime.now(UTC) - timedelta(hours=7)).isoformat(timespec="seconds")
    args = ["-m", "checkpoint_12h", "--target", "sandbox", f"--deployed-at={deployed}"]
    refused = suite.runpytest_subprocess(*args, *(["-n", workers] if workers else []))
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    assert "phase 12h: deployed at" in refused.stderr.str()
    after = {p.name: p.read_bytes() for p in reports.iterdir() if not p.name.startswith("history")}
    kept = {k: v for k, v in before.items() if not k.startswith("history")}
    assert after == kept
    with sqlite3.connect(reports / "history.sqlite") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
