"""Sources failing for real, against the sandbox: never a pass, always the cause."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

import burnin.sandbox as sandbox
from burnin.sandbox import host
from burnin.sandbox.configs import faketime_library
from tests.e2e.suite_run import ROOT, run_suite
from tests.e2e.tcp_proxy import cutting_proxy

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


@pytest.mark.disturbs
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


def test_stopped_alertmanager_is_a_source_error_never_a_verdict(sandbox_up, tmp_path):
    """An Alertmanager that gives no answer cannot be told from a path the observer lacks: the
    rows that ask it are SOURCE_ERROR naming it, and the run cannot decide (issue 16)."""
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
        "monitoring-operational[24h]": "source_error",
        "alerts-functional[24h]": "source_error",
    }
    for key in run.bands:
        assert "alertmanager at http://127.0.0.1:19093" in run.messages[key]
        assert "connection refused at 127.0.0.1:19093" in run.messages[key]
    summary = json.loads(next(run.reports_dir.glob("*.json")).read_text())
    assert (summary["overall"], summary["decision"]) == ("UNKNOWN", "CANNOT DECIDE")


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


def _unit_state(pid: int, unit: str) -> dict[str, str]:
    shown = host.systemctl(pid, "show", "-p", "ActiveState,SubState,NRestarts", unit).stdout
    return dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)


@pytest.mark.parametrize(
    ("unit", "reached", "band", "said"),
    [
        ("burnin-no-such", None, "no_data", "the host has no unit burnin-no-such: check --unit"),
        ("burnin-fault-failed", "failed", "critical", "the unit is failed (failed), last result"),
        ("burnin-fault-activating", "start", "critical", "the unit is activating (start)"),
        ("burnin-fault-loop", "auto-restart", "critical", "restarting in a loop: the unit is"),
    ],
)
def test_a_unit_missing_failed_starting_or_looping_never_passes(
    sandbox_up, tmp_path, unit, reached, band, said
):
    """The host's real systemd holds units in each state (sandbox FAULT_UNITS); the suite is
    pointed at one with --unit and says which state it found, and why."""
    info = sandbox_up("healthy")
    try:
        if reached:
            host.systemctl(info.systemd_pid, "start", "--no-block", unit)
            deadline = time.monotonic() + 20
            # A loop is a loop once systemd has restarted the unit at least once.
            while _unit_state(info.systemd_pid, unit).get("SubState") != reached or (
                reached == "auto-restart"
                and _unit_state(info.systemd_pid, unit)["NRestarts"] == "0"
            ):
                assert time.monotonic() < deadline, _unit_state(info.systemd_pid, unit)
                time.sleep(0.1)
        run = run_suite(tmp_path, f"--unit={unit}", "-k", "service_active", marker="smoke")
        assert run.bands["service-active[smoke]"] == band, run.output[-2000:]
        assert said in run.messages["service-active[smoke]"]
    finally:
        if reached:
            host.systemctl(info.systemd_pid, "stop", unit)
            host.systemctl(info.systemd_pid, "reset-failed", unit)


def _known_hosts_for(info: sandbox.SandboxInfo, port: int, tmp_path: Path) -> Path:
    """The sandbox host's key, pinned for another port (the proxy's)."""
    line = Path(info.known_hosts).read_text().split(" ", 1)[1]
    path = tmp_path / "known_hosts"
    path.write_text(f"[{info.host}]:{port} {line}")
    return path


CUT_AFTER = 50_000  # bytes: past the handshake, inside the 24 h journal (about 200 kB)


def test_an_ssh_connection_dropped_mid_answer_is_a_source_error(sandbox_up, tmp_path):
    """The connection to sshd is cut once the host has sent 50 kB, in the middle of the
    journal's answer: the criterion reading it gets SOURCE_ERROR saying the connection was lost
    (never a verdict on half an answer), and the run still ends with its report: every wait
    on the lost connection is bounded (run_suite's timeout is only the backstop: a hang)."""
    info = sandbox_up("healthy")
    with cutting_proxy((info.host, info.ports["ssh"]), cut_after=CUT_AFTER) as proxy:
        run = run_suite(
            tmp_path,
            f"--ssh-port={proxy.port}",
            f"--known-hosts={_known_hosts_for(info, proxy.port, tmp_path)}",
            "-k",
            "logs_clean or channel_events or restarts or service_active",
            # Seen hanging past 180 s twice in ~30 runs (stop 16): a stack dump at 45 s says where.
            "-o", "faulthandler_timeout=45",
            marker="checkpoint_24h", timeout=180,
        )  # fmt: skip
        assert proxy.cut.is_set(), proxy.sent_down
    assert run.bands, run.output[-3000:]
    lost = [k for k, m in run.messages.items() if "connection lost" in m]
    assert lost, run.messages
    assert all(run.bands[k] == "source_error" for k in lost), run.bands
    assert (tmp_path / "reports" / "report.html").exists()


def test_a_journal_line_that_is_not_utf8_is_read_and_counted(sandbox_up, tmp_path):
    """A unit logs an error whose bytes are not UTF-8 (journalctl gives it as a byte array):
    logs-clean counts it, shows it with replacement characters, and nothing raises."""
    info = sandbox_up("healthy")
    unit = "burnin-fault-garbled"
    try:
        host.systemctl(info.systemd_pid, "restart", unit)
        logged = time.time()
        # The window ends at a whole second (journalctl --until=@SECONDS): let one pass.
        while int(time.time()) <= logged:
            time.sleep(0.05)
        run = run_suite(tmp_path, f"--unit={unit}", "-k", "logs_clean", marker="smoke")
    finally:
        host.systemctl(info.systemd_pid, "stop", unit)
    assert run.bands["logs-clean[smoke]"] == "critical", run.output[-2000:]
    assert "\ufffd\ufffd garbled error line" in run.messages["logs-clean[smoke]"]


LOGINS = {
    # a minimal image: `sudo -n systemctl ...` is command not found (127), said as such
    "minimal": (
        ("--ssh-sudo",),
        {"service-active[smoke]": "source_error", "logs-clean[smoke]": "source_error"},
        ("exit 127", "sudo: command not found"),
    ),
    # an operator whose sudo asks a password: never a verdict on the service
    "rosey": (
        ("--ssh-sudo",),
        {"service-active[smoke]": "source_error", "logs-clean[smoke]": "source_error"},
        ("exit 1", "sudo: a password is required"),
    ),
    # the same operator without sudo: journalctl shows it nothing (exit 0), never "clean"
    "rosey-no-sudo": (
        (),
        {"logs-clean[smoke]": "no_data"},
        ("may not read the system journal",),
    ),
    # the host's clock 5 minutes ahead: every SSH criterion refuses to judge
    "skewed": (
        (),
        {"service-active[smoke]": "source_error", "logs-clean[smoke]": "source_error"},
        ("clock skew: the host's clock is 300 s ahead of this machine's",),
    ),
}


@pytest.mark.parametrize("login", list(LOGINS))
def test_a_login_that_cannot_see_the_host_is_never_a_pass(sandbox_up, tmp_path, login):
    """The sandbox host's own logins (burnin.sandbox.configs.HOST_USERS), each a way a
    production login differs from root."""
    sandbox_up("healthy")
    args, expected, said = LOGINS[login]
    user = login.removesuffix("-no-sudo")
    if user == "skewed":
        assert faketime_library(), "libfaketime is missing: run ci/install"
    run = run_suite(
        tmp_path, f"--ssh-user={user}", *args, "-k", "service_active or logs_clean", marker="smoke"
    )
    for key, band in expected.items():
        assert run.bands[key] == band, run.output[-2000:]
        for text in said:
            assert text in run.messages[key], run.messages[key]
    assert "passed" not in {run.outcomes[key] for key in expected}
