"""`python -m burnin doctor` against the sandbox running the exporter stack: the contract's
names (target `sandbox`) are found missing, each with the closest existing name and the line to
write; the exporter-layout profile (target `sandbox-exporter`) finds everything; options on the
command line (a wrong selector, a wrong backup glob, a closed Prometheus port) win over the
file and each gets its one fix line. All on one `up` of the scenario."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.e2e.suite_run import ROOT

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("exporter-healthy")]


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BURNIN_")}
    return subprocess.run(
        [sys.executable, "-m", "burnin", "doctor", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
    )


def fix_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.startswith("         fix: ")]


def test_doctor_names_what_is_missing_and_what_to_write(sandbox_up):
    sandbox_up("exporter-healthy")
    done = doctor("--target", "sandbox")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    expected = [
        'MISSING  metric bot_users: bot_users: no series under {env="production"}',
        "closest: rosey_bot_channel_users",
        'fix: [targets.sandbox.metrics] bot_users = "rosey_bot_channel_users"',
        'fix: [targets.sandbox.metrics] bot_connected = "rosey_bot_connected"',
        "MISSING  alert rule BotDown: not loaded in Prometheus; closest: RoseyBotDown",
        "MISSING  unit rosey-bot: no such unit on the host",
        'fix: unit = "cytube-bot"',
        "NOT CHECKED journal of rosey-bot: the unit rosey-bot is not on the host",
        "MISSING  health field uptime_seconds: 'uptime_seconds' missing",
        'fix: [targets.sandbox.health_fields] uptime_seconds = "uptime"',
        "MISSING  health status word: status is 'running'",
        'fix: healthy_status = ["running"]',
    ]
    for text in expected:
        assert text in out, f"{text!r} not in:\n{out}"
    # One round: the selector (the renamed names are under env="prod") comes with the renames.
    assert fix_lines(out)[0] == "fix: selector = 'env=\"prod\"'", out
    # The exporter has no process metrics of the bot's: declare none, rename nothing to them.
    assert "fix: process_metrics = false  (memory and CPU are then skipped)" in fix_lines(out)
    assert not any("process_start_time_seconds = " in line for line in fix_lines(out)), out
    assert out.strip().splitlines()[-1].startswith("doctor: ")


def test_doctor_passes_the_matching_profile(sandbox_up):
    sandbox_up("exporter-healthy")
    done = doctor("--target", "sandbox-exporter")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MISSING" not in done.stdout and "NOT CHECKED" not in done.stdout
    assert "ok       log file /var/log/cytube-bot/bot.log" in done.stdout
    assert "ok       backups /backups/rosey-*.db: 7 file(s); newest /backups/rosey-" in done.stdout
    assert 'ok       metric up: up{env="prod"}' in done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith("everything a run uses is there")


def test_a_selector_of_another_env_is_the_first_and_only_fix(sandbox_up):
    """The series carry env="prod"; --selector says env="production" (and wins over
    BURNIN_SELECTOR, which wins over the file's env="prod")."""
    sandbox_up("exporter-healthy")
    done = doctor(
        "--target", "sandbox-exporter", "--selector", 'env="production"',
        BURNIN_SELECTOR='env="staging"',
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert 'MISSING  selector {env="production"}: finds 0 of the 5 metrics' in out
    assert fix_lines(out) == ["fix: selector = 'env=\"prod\"'"], out
    assert "process_metrics" not in out


def test_a_backup_glob_matching_nothing_names_the_files_near_and_the_glob(sandbox_up):
    sandbox_up("exporter-healthy")
    done = doctor("--target", "sandbox-exporter", "--backup-glob", "/backups/nothing-*.db")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert (
        "MISSING  backups /backups/nothing-*.db: nothing matches /backups/nothing-*.db; files "
        "near: /backups/rosey-"
    ) in out
    assert fix_lines(out) == [
        'fix: backup_glob = "/backups/rosey-*.db"  (or backup_glob = "" if the bot has none)'
    ], out


def test_an_unreachable_prometheus_is_one_line_with_its_fix_and_its_checks_not_checked(
    sandbox_up,
):
    """--prometheus-url (a closed port) wins over the file's; its checks are counted as not
    checked, never dropped; no library text."""
    sandbox_up("exporter-healthy")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    done = doctor("--target", "sandbox-exporter", "--prometheus-url", f"http://127.0.0.1:{port}")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    lines = out.splitlines()
    at = lines.index(
        f"MISSING  prometheus http://127.0.0.1:{port}: connection refused at 127.0.0.1:{port} "
        "(nothing listens there)"
    )
    assert lines[at + 1] == (
        "         fix: check prometheus_url (host and port), or start prometheus"
    )
    reason = f"prometheus: connection refused at 127.0.0.1:{port} (nothing listens there)"
    assert f"NOT CHECKED metric bot_users: {reason}" in lines
    assert f"NOT CHECKED alert rule RoseyBotDown: {reason}" in lines
    # selector, 5 metrics, up, 7 rules, the Alertmanager Prometheus knows
    assert lines[-1].endswith(" ok, 1 missing, 15 not checked"), out
    for text in ("Max retries", "HTTPConnectionPool", "Retrying", "NewConnectionError"):
        assert text not in out + done.stderr, out + done.stderr
