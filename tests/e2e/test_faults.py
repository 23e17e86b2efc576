"""Sources failing for real, against the sandbox: never a pass, always the cause."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import burnin.sandbox as sandbox
from burnin.sandbox import host
from tests.e2e.suite_run import ROOT, run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


def test_prometheus_stopped_mid_run_is_a_source_error(sandbox_up, tmp_path):
    sandbox_up("healthy")
    try:
        run = run_suite(
            tmp_path,
            "-p",
            "tests.e2e.stop_prometheus",
            "-p",
            "no:randomly",
            marker="checkpoint_24h",
        )
    finally:
        sandbox.systemctl("start", "prometheus")
    prometheus_rows = [k for k, v in run.messages.items() if "SOURCE_ERROR prometheus" in v]
    assert len(prometheus_rows) >= 10, run.output[-3000:]
    for key in prometheus_rows:
        assert run.outcomes[key] == "error" and run.bands[key] == "source_error"
        assert "prometheus at http://127.0.0.1:19090: not reachable" in run.messages[key]
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert "source error" in run.output.splitlines()[-3:][0] or "source error" in run.output


def test_unknown_ssh_host_key_is_refused(sandbox_up, tmp_path):
    sandbox_up("healthy")
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    run = run_suite(
        tmp_path, f"--known-hosts={empty}", "-k", "service_active", marker="checkpoint_24h"
    )
    assert run.outcomes == {"service-active[24h]": "error"}
    assert "host key not in" in run.messages["service-active[24h]"]


def test_stopped_alertmanager_fails_monitoring_and_alert_path(sandbox_up, tmp_path):
    sandbox_up("healthy")
    sandbox.systemctl("stop", "alertmanager")
    try:
        run = run_suite(
            tmp_path,
            "--send-test-alert",
            "-k",
            "monitoring or alerts_functional",
            marker="checkpoint_24h",
        )
    finally:
        sandbox.systemctl("start", "alertmanager")
    assert run.bands == {
        "monitoring-operational[24h]": "critical",
        "alerts-functional[24h]": "critical",
    }
    assert "Alertmanager not ready" in run.messages["monitoring-operational[24h]"]


def test_test_alert_arrives_when_opted_in(sandbox_up, tmp_path):
    sandbox_up("healthy")
    run = run_suite(
        tmp_path, "--send-test-alert", "-k", "alerts_functional", marker="checkpoint_24h"
    )
    assert run.bands == {"alerts-functional[24h]": "target"}, run.output[-2000:]


def test_secrets_in_urls_reach_no_artefact_and_no_terminal(sandbox_up, tmp_path):
    """Passwords and tokens in the configured URLs (Prometheus and the bot ignore them here)
    appear in no report, no JUnit XML, no JSON and not on the terminal."""
    sandbox_up("healthy")
    marker = "S3cretMarker42"
    run = run_suite(
        tmp_path,
        f"--prometheus-url=http://burnin:{marker}@127.0.0.1:19090",
        f"--health-url=http://burnin:{marker}@127.0.0.1:18000/api/health",
        f"--alertmanager-url=http://127.0.0.1:19093/?token={marker}",
        f"--dashboard-url=http://u:{marker}@127.0.0.1:15000/?api_key={marker}",
        marker="checkpoint_24h",
    )
    assert run.bands.get("monitoring-operational[24h]") == "target", run.output[-3000:]
    assert run.bands.get("uptime[24h]") == "target"
    assert marker not in run.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in written) and any(p.suffix == ".xml" for p in written)
    leaking = [str(p) for p in written if marker.encode() in p.read_bytes()]
    assert not leaking, leaking


def test_config_values_run_no_shell_on_the_host(sandbox_up, tmp_path):
    """Values that a shell would run (`;`, `$(...)`, backquotes) reach the host's commands as
    plain words: the logs and backup checks look for files by those odd names and nothing runs.
    The markers lie where the sandbox host's shell would have written them."""
    sandbox_up("healthy")
    in_checkout = ROOT / ".sandbox" / "pwned"
    in_home = Path("/root/burnin-pwned")  # the SSH user's working directory on the host
    for marker in (in_checkout, in_home):
        marker.unlink(missing_ok=True)
    run = run_suite(
        tmp_path,
        f"--bot-log-file=/var/log/x; touch {in_checkout}",
        "--backup-glob=/backups/rosey-$(touch burnin-pwned)*`touch burnin-pwned`.db",
        "-k",
        "logs_clean or backup or channel_events",
        marker="checkpoint_24h",
    )
    assert not in_checkout.exists() and not in_home.exists()
    assert run.outcomes, run.output[-2000:]
    assert run.bands["logs-clean[24h]"] == "source_error"  # no such log file: a wrong observer
    assert "no log file /var/log/x; touch" in run.messages["logs-clean[24h]"]
    assert run.bands["backup[24h]"] == "critical"  # nothing matches that glob


def test_prometheus_answering_html_is_a_source_error(sandbox_up, tmp_path):
    """A wrong URL that answers (the dashboard serves HTML on every path, 200 OK): every
    Prometheus criterion errors with the cause, none passes."""
    info = sandbox_up("healthy")
    run = run_suite(
        tmp_path, f"--prometheus-url={info.dashboard_url}", "-k", "uptime or alerts",
        marker="checkpoint_24h",
    )  # fmt: skip
    assert run.bands["uptime[24h]"] == run.bands["alerts[24h]"] == "source_error", run.output
    assert "answer is not Prometheus JSON" in run.messages["uptime[24h]"]
    assert "Traceback" not in run.output and "burnin/probes" not in run.output  # one line


def test_prometheus_at_a_wrong_path_is_a_source_error(sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    run = run_suite(
        tmp_path, f"--prometheus-url={info.bot_url}", "-k", "uptime", marker="checkpoint_24h"
    )
    assert run.bands == {"uptime[24h]": "source_error"}, run.output[-2000:]
    assert "not ready: HTTP 404" in run.messages["uptime[24h]"]


def test_a_wrong_ssh_key_is_refused_with_the_cause(sandbox_up, tmp_path):
    sandbox_up("healthy")
    key = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    run = run_suite(tmp_path, f"--ssh-key={key}", "-k", "service_active", marker="checkpoint_24h")
    assert run.bands == {"service-active[24h]": "source_error"}
    assert "authentication refused for root" in run.messages["service-active[24h]"]


def test_a_changed_host_key_says_changed(sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    other = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known = tmp_path / "known_hosts"
    kind, body = other.with_suffix(".pub").read_text().split()[:2]
    known.write_text(f"[127.0.0.1]:{info.ports['ssh']} {kind} {body}\n")
    run = run_suite(
        tmp_path, f"--known-hosts={known}", "-k", "service_active", marker="checkpoint_24h"
    )
    assert run.bands == {"service-active[24h]": "source_error"}
    assert "host key CHANGED" in run.messages["service-active[24h]"]


def test_the_sandbox_listens_on_loopback_only(sandbox_up):
    """Every listening socket of every process in the sandbox host, and of Prometheus and
    Alertmanager, is on 127.0.0.1."""
    info = sandbox_up("healthy")
    inside = set(host.processes_in_namespace(info.pid_namespace))
    listening = subprocess.run(
        ["ss", "-H", "-ltnup"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    ours = [line for line in listening if any(f"pid={pid}," in line for pid in inside)]
    assert len(ours) >= 5, listening  # bot, dashboard, sshd, Prometheus, Alertmanager
    for line in ours:
        local = line.split()[4]
        assert local.startswith("127.0.0.1:"), line
