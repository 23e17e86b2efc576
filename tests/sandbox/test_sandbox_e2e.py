"""End to end: the sandbox production answers like the real one (real servers, ~20 s).

The tests share one sandbox and run in file order: healthy first, then the switch to flapping,
then `down`.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
import requests
from fabric import Connection

import burnin.sandbox as sandbox
from burnin.sandbox import bastion
from burnin.sandbox.paths import Layout
from tests.sandbox.conftest import DAY_OF_SAMPLES

pytestmark = pytest.mark.sandbox

PROM = "http://127.0.0.1:19090"


@pytest.fixture(scope="module")
def info() -> Iterator[sandbox.SandboxInfo]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up("healthy")
    sandbox.down()


def ssh(info: sandbox.SandboxInfo, command: str) -> str:
    conn = Connection(
        info.host,
        user=info.ssh_user,
        port=info.ports["ssh"],
        connect_kwargs={"key_filename": info.ssh_key, "look_for_keys": False, "allow_agent": False},
    )
    # Verify the host key against the generated known_hosts, as production use must.
    conn.client.load_host_keys(info.known_hosts)
    conn.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    with conn:
        return conn.run(command, hide=True, warn=True, in_stream=False).stdout


def query(q: str) -> list[dict]:
    r = requests.get(f"{PROM}/api/v1/query", params={"query": q}, timeout=10)
    r.raise_for_status()
    return r.json()["data"]["result"]


def test_prometheus_has_24h_of_history(info: sandbox.SandboxInfo) -> None:
    (res,) = query('count_over_time(bot_connected{env="production"}[24h])')
    assert float(res["value"][1]) in DAY_OF_SAMPLES
    assert res["metric"]["job"] == "rosey-bot"


def test_health_endpoint(info: sandbox.SandboxInfo) -> None:
    body = requests.get(f"{info.bot_url}/api/health", timeout=5).json()
    assert body["status"] == "healthy" and body["connected"] is True
    assert body["channel"] == "#production-channel" and body["version"] == "v1.0.0"
    assert body["uptime_seconds"] > 24 * 3600  # continues the history's process
    assert body["error_count"] == 0
    assert "Rosey" in requests.get(info.dashboard_url, timeout=5).text


def test_ssh_service_state_is_real(info: sandbox.SandboxInfo) -> None:
    assert ssh(info, "systemctl is-active rosey-bot").strip() == "active"
    assert ssh(info, "systemctl show -p NRestarts rosey-bot").strip() == "NRestarts=0"


def test_healthy_journal_has_no_errors(info: sandbox.SandboxInfo) -> None:
    assert ssh(info, "journalctl -u rosey-bot -p err --since -24h -o json").strip() == ""
    assert "Heartbeat" in ssh(info, "journalctl -u rosey-bot --since -24h -n 20")


def live_scrape_after(moment: float, series: str, limit_s: float = 120) -> float:
    """The timestamp of `series`'s newest sample, once one was scraped after `moment` (polled;
    `limit_s` is only a backstop)."""
    deadline = time.monotonic() + limit_s
    newest = 0.0
    while time.monotonic() < deadline:
        found = query(f"timestamp({series})")
        newest = max((float(r["value"][1]) for r in found), default=0.0)
        if newest > moment:
            return newest
        time.sleep(0.5)
    raise AssertionError(f"no sample of {series} scraped after {moment} (newest {newest})")


def test_live_samples_continue_the_history(info: sandbox.SandboxInfo) -> None:
    bot = '{job="rosey-bot"}'
    live_scrape_after(info.started_at, f"bot_requests_total{bot}")  # at least one live scrape
    for q in (
        f"resets(bot_requests_total{bot}[24h])",
        f"resets(process_cpu_seconds_total{bot}[24h])",
        f"resets(bot_errors_total{bot}[24h])",
    ):
        (res,) = query(q)
        assert float(res["value"][1]) == 0, q
    # Same process as in the history: the start time never changed over 24 h and live.
    (changes,) = query(f"changes(process_start_time_seconds{bot}[24h])")
    assert float(changes["value"][1]) == 0
    (live,) = query("bot_uptime_seconds")
    (start,) = query('process_start_time_seconds{job="rosey-bot"}')
    assert float(live["value"][0]) - float(live["value"][1]) == pytest.approx(
        float(start["value"][1]), abs=20
    )
    (mem,) = query(f"deriv(process_resident_memory_bytes{bot}[24h]) * 3600 / 2^20")
    assert abs(float(mem["value"][1])) < 1  # MB/hr


def test_up_is_idempotent(info: sandbox.SandboxInfo, capsys: pytest.CaptureFixture[str]) -> None:
    again = sandbox.up("healthy")
    assert "sandbox already up with scenario 'healthy'" in capsys.readouterr().out
    assert again.systemd_pid == info.systemd_pid and again.started_at == info.started_at


def test_systemctl_stops_prometheus(info: sandbox.SandboxInfo) -> None:
    assert sandbox.systemctl("stop", "prometheus").returncode == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{PROM}/-/ready", timeout=2)
    assert sandbox.systemctl("is-active", "prometheus").stdout.strip() == "inactive"
    assert sandbox.systemctl("start", "prometheus").returncode == 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{PROM}/-/ready", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    assert requests.get(f"{PROM}/-/ready", timeout=2).ok


def test_switch_to_flapping(info: sandbox.SandboxInfo) -> None:
    flapping = sandbox.up("flapping")
    assert flapping.scenario == "flapping" and sandbox.status() == flapping
    errors = ssh(flapping, "journalctl -u rosey-bot -p err --since -24h -o json").splitlines()
    assert len(errors) >= 30
    assert all(json.loads(e)["PRIORITY"] == "3" for e in errors)
    (up,) = query('avg_over_time(bot_connected{env="production"}[24h]) * 100')
    assert 99.3 <= float(up["value"][1]) <= 99.7
    assert "Reconnecting to " in ssh(flapping, "journalctl -u rosey-bot --since -24h")


def test_a_killed_bot_is_restarted_by_systemd(info: sandbox.SandboxInfo) -> None:
    assert sandbox.systemctl("kill", "-s", "KILL", "rosey-bot").returncode == 0
    deadline = time.monotonic() + 60  # RestartSec=10, then a cold start on a busy machine
    body: dict = {}
    while time.monotonic() < deadline:
        try:
            body = requests.get(f"{info.bot_url}/api/health", timeout=1).json()
            if body["uptime_seconds"] < 90:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    state = sandbox.systemctl("status", "--no-pager", "rosey-bot").stdout
    assert body.get("uptime_seconds", 10**9) < 90, state  # a genuine restart starts from zero
    assert sandbox.systemctl("show", "-p", "NRestarts", "rosey-bot").stdout.strip() == "NRestarts=1"


def test_down_leaves_nothing_behind(info: sandbox.SandboxInfo) -> None:
    current = sandbox.status()
    assert current is not None
    layout = Layout(Path(current.state_dir))
    jump = json.loads(bastion.state_file(layout).read_text())["mount_namespace"]
    assert bastion.processes_in_mount_namespace(jump)  # the bastion's sshd
    sandbox.down()
    assert sandbox.status() is None
    from burnin.sandbox.host import processes_in_namespace

    assert processes_in_namespace(current.pid_namespace) == []
    assert (
        not os.path.exists(f"/proc/{current.systemd_pid}/ns")
        or os.readlink(f"/proc/{current.systemd_pid}/ns/pid") != current.pid_namespace
    )
    for port in current.ports.values():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, port
    assert bastion.processes_in_mount_namespace(jump) == []
    assert not bastion.state_file(layout).exists()
