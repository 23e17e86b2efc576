"""`python -m burnin doctor` against the sandbox running the exporter stack: the contract's
names (target `sandbox`) are found missing, each with the closest existing name and the line to
write; the exporter-layout profile (target `sandbox-exporter`) finds everything."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.suite_run import ROOT

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("exporter-healthy")]


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "burnin", "doctor", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
        "MISSING  health field uptime_seconds: 'uptime_seconds' missing",
        'fix: [targets.sandbox.health_fields] uptime_seconds = "uptime"',
        "MISSING  health status word: status is 'running'",
        'fix: healthy_status = ["running"]',
    ]
    for text in expected:
        assert text in out, f"{text!r} not in:\n{out}"
    assert out.strip().splitlines()[-1].startswith("doctor: ")


def test_doctor_passes_the_matching_profile(sandbox_up):
    sandbox_up("exporter-healthy")
    done = doctor("--target", "sandbox-exporter")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MISSING" not in done.stdout
    assert "ok       log file /var/log/cytube-bot/bot.log" in done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith("every name the configuration uses exists")
