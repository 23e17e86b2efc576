"""`up`, `down` and `status` of the sandbox production."""

from __future__ import annotations

import dataclasses
import fcntl
import gzip
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from burnin.sandbox import bastion, configs, history, host
from burnin.sandbox import front as front_servers
from burnin.sandbox.paths import (
    ALERTMANAGER_PORT,
    BOT_PORT,
    DASHBOARD_PORT,
    HOST,
    PROMETHEUS_PORT,
    SLOW_SSH_PORT,
    SSH_PORT,
    Layout,
    default_layout,
    machine_id,
)
from burnin.sandbox.scenario import SCENARIOS, Scenario
from burnin.sandbox.units import BACKUPS_MOUNT, backups_dir, bot_log_dir

PORTS = {
    "bot": BOT_PORT,
    "dashboard": DASHBOARD_PORT,
    "prometheus": PROMETHEUS_PORT,
    "alertmanager": ALERTMANAGER_PORT,
    "ssh": SSH_PORT,
    "ssh-slow-login": SLOW_SSH_PORT,
    "bastion": bastion.BASTION_PORT,
}


@dataclass(frozen=True)
class SandboxInfo:
    scenario: str
    systemd_pid: int
    unshare_pid: int
    pid_namespace: str
    started_at: float  # epoch seconds when `up` finished
    up_seconds: float  # how long `up` took
    history_start: float  # first backfilled sample (epoch seconds)
    history_end: float  # last backfilled sample; live data follows
    state_dir: str
    ssh_key: str
    known_hosts: str
    ssh_user: str
    host: str
    ports: dict[str, int]
    bot_url: str  # http://127.0.0.1:18000 (/api/health, /api/metrics)
    dashboard_url: str
    prometheus_url: str
    alertmanager_url: str
    systemd_ticks: int | None = None  # start time of the systemd PID (PID reuse guard)
    bots: int = 1  # instances of the bot's scrape target (a fleet: bot-1 ... bot-N)
    front: dict[str, str] = dataclasses.field(default_factory=dict)  # `up --front`: front.py
    ssh_config: str = ""  # Host prod behind ProxyJump bastion (ports["bastion"])
    known_hosts_hashed: str = ""  # known_hosts (host and bastion) as `ssh-keygen -H` writes it


@contextmanager
def _locked(layout: Layout) -> Iterator[None]:
    layout.root.mkdir(parents=True, exist_ok=True)
    with open(layout.lock_file, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def _read_state(layout: Layout) -> SandboxInfo | None:
    try:
        data = json.loads(layout.state_file.read_text())
        return SandboxInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def _running(info: SandboxInfo) -> bool:
    return host.alive(info.systemd_pid, info.systemd_ticks)


def _healthy(info: SandboxInfo) -> bool:
    try:
        return all(
            requests.get(u, timeout=2).ok
            for u in (
                f"{info.bot_url}/api/health",
                f"{info.prometheus_url}/-/ready",
                f"{info.alertmanager_url}/-/ready",
            )
        )
    except requests.RequestException:
        return False


def status(layout: Layout | None = None) -> SandboxInfo | None:
    """The running sandbox, or None."""
    layout = layout or default_layout()
    info = _read_state(layout)
    return info if info and _running(info) else None


def systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `systemctl ARGS` inside the sandbox host (e.g. systemctl("stop", "prometheus"))."""
    info = status()
    if info is None:
        raise RuntimeError("the sandbox is not up")
    return host.systemctl(info.systemd_pid, *args)


def down(layout: Layout | None = None) -> None:
    """Stop the sandbox; no process, mount or namespace is left behind."""
    layout = layout or default_layout()
    with _locked(layout):
        _down(layout)


def _down(layout: Layout) -> None:
    info = _read_state(layout)
    if info is not None:
        t0 = time.monotonic()
        host.stop(info.unshare_pid, info.systemd_pid, info.systemd_ticks)
        print(f"sandbox down in {time.monotonic() - t0:.1f} s")
    front_servers.stop(layout)  # by the PIDs it recorded: also after an `up` that failed early
    bastion.stop(layout)  # by its own state file: also after an `up` that failed half way
    host.remove_cgroups(layout)
    _remove_backups_mountpoint(layout)
    layout.state_file.unlink(missing_ok=True)


def up(
    scenario: str, layout: Layout | None = None, bots: int = 1, front: bool = False
) -> SandboxInfo:
    """Start the sandbox production with `scenario` (idempotent; switches scenarios). `bots`
    above 1: a fleet, the one bot scraped and backfilled under instance labels bot-1 ...
    bot-N (the host, its unit and the health endpoint are shared). `front`: also TLS, mTLS,
    basic-auth and bearer-token servers in front of them (burnin/sandbox/front.py)."""
    if bots < 1:
        raise ValueError(f"bots must be at least 1, got {bots}")
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    layout = layout or default_layout()
    with _locked(layout):
        current = _read_state(layout)
        if (
            current
            and (current.scenario, current.bots, bool(current.front)) == (scenario, bots, front)
            and _running(current)
            and _healthy(current)
            and (not front or front_servers.running(layout))
            and bastion.running(layout)
        ):
            print(f"sandbox already up with scenario {scenario!r}")
            return current
        _down(layout)
        t0 = time.monotonic()
        try:
            info = _up(SCENARIOS[scenario], layout, t0, bots, front)
        except BaseException:
            _down(layout)
            raise
        print(f"sandbox up with scenario {scenario!r} in {info.up_seconds:.1f} s")
        return info


def _check_ports_free() -> None:
    busy = []
    for name, port in PORTS.items():
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                busy.append(f"{name} {port}")
    if busy:
        raise RuntimeError(f"ports already in use on {HOST}: {', '.join(busy)}")


def _fresh(layout: Layout) -> None:
    for d in (
        layout.journal,
        layout.prometheus_data,
        layout.alertmanager_data,
        layout.logs,
        backups_dir(layout),
        bot_log_dir(layout),
    ):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    layout.bot_run_marker.unlink(missing_ok=True)


def _ensure_keys(layout: Layout) -> None:
    """Keys are made once and kept: known_hosts stays valid across ups."""
    layout.ssh.mkdir(parents=True, exist_ok=True)
    for key, comment in ((layout.client_key, "burnin-client"), (layout.host_key, "burnin-host")):
        if not key.exists():
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(key)],
                check=True,
            )
        os.chmod(key, 0o600)
    host_pub = layout.host_key.with_suffix(".pub").read_text().split()
    layout.known_hosts.write_text(
        "".join(
            f"[{HOST}]:{port} {host_pub[0]} {host_pub[1]}\n" for port in (SSH_PORT, SLOW_SSH_PORT)
        )
    )


def _backfill(scenario: Scenario, layout: Layout, bots: int = 1) -> tuple[history.History, float]:
    """The scenario's history in Prometheus and the journal; also the last backfilled sample's
    time (after any bridge)."""
    hist = history.generate(scenario, history.history_end(time.time()))
    instances = history.fleet_instances(bots)
    _create_blocks(hist, instances, layout, "history.om")
    # A backfill longer than two scrape intervals (a large fleet's) would leave a hole between
    # the history and the first live scrape: bridge it, as often as the bridging takes long.
    bridged_to = hist.end
    while (now := history.history_end(time.time())) - bridged_to > 2 * history.STEP:
        bridge = history.held_until(hist, bridged_to, now)
        _create_blocks(bridge, instances, layout, f"bridge-{now}.om")
        bridged_to = now
    jdir = layout.journal / machine_id()
    jdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "/lib/systemd/systemd-journal-remote",
            "--split-mode=none",
            "-o",
            str(jdir / "history.journal"),
            "-",
        ],
        input=history.journal_export(hist),
        capture_output=True,
        check=True,
    )
    return hist, bridged_to


def _create_blocks(
    hist: history.History, instances: tuple[str, ...], layout: Layout, name: str
) -> None:
    """The history's samples as TSDB blocks in Prometheus' data directory (promtool)."""
    om = layout.logs / name
    with open(om, "w") as text:
        text.writelines(history.openmetrics_lines(hist, instances))
    with open(layout.logs / "promtool.log", "ab") as log:
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om),
             str(layout.prometheus_data)],
            stdout=log, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip


SQLITE_HEADER = b"SQLite format 3\x00"


def _write_backups(scenario: Scenario, hist: history.History, layout: Layout) -> None:
    """The scenario's daily copies, dated by name and mtime, in the host's backups directory."""
    for backup in history.backup_files(scenario, hist.end):
        path = backups_dir(layout) / backup.name
        path.write_bytes(SQLITE_HEADER.ljust(backup.size_bytes, b"\0"))
        os.utime(path, (backup.mtime, backup.mtime))


def _write_log_files(scenario: Scenario, hist: history.History, layout: Layout) -> None:
    """A file-logging stack's history: the log file and its rotations (.1, .2.gz), each with
    its last line's mtime, in the directory the host mounts at the stack's log directory."""
    log_file = scenario.monitoring.log_file
    if not log_file:
        return
    base = bot_log_dir(layout) / Path(log_file).name
    for suffix, lines, mtime in history.log_files(hist):
        path = base.with_name(base.name + suffix)
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
        os.utime(path, (mtime, mtime))


def _backups_marker(layout: Layout) -> Path:
    return layout.root / "backups-mountpoint"


def _make_backups_mountpoint(layout: Layout) -> None:
    # The mount point lives on the machine's real root filesystem: remember that it is ours.
    mountpoint = Path(BACKUPS_MOUNT)
    if not mountpoint.exists():
        mountpoint.mkdir()
        _backups_marker(layout).write_text(f"{BACKUPS_MOUNT}\n")


def _remove_backups_mountpoint(layout: Layout) -> None:
    marker = _backups_marker(layout)
    if marker.exists():
        try:
            Path(BACKUPS_MOUNT).rmdir()  # only while empty: never anybody's files
        except OSError:
            pass
        marker.unlink()


def _write_bot_config(scenario: Scenario, hist: history.History, layout: Layout) -> None:
    cfg = {
        "host": HOST,
        "port": BOT_PORT,
        "dashboard_port": DASHBOARD_PORT,
        "channel": history.CHANNEL,
        "server": history.SERVER_URL,
        "version": scenario.version,
        "status": scenario.live_status,
        "connected": scenario.live_connected,
        "errors_per_min": scenario.live_errors_per_min,
        "health_delay_ms": scenario.live_health_delay_ms,
        "health_overrides": dict(scenario.live_health_overrides),
        "process_metrics": scenario.process_metrics,
        "metric_prefix": scenario.metric_prefix,
        "keepalive": scenario.live_keepalive,
        "stack": scenario.stack,
        "log_to_file": bool(scenario.monitoring.log_file),
        "users": dataclasses.asdict(scenario.users),
        "seed": scenario.seed,
        "requests_per_user_per_min": scenario.requests_per_user_per_min,
        "cpu_fraction": scenario.cpu_fraction,
        "memory_baseline_mb": scenario.memory_baseline_mb,
        "memory_growth_mb_per_hr": scenario.memory_growth_mb_per_hr,
        "history": hist.last,
        "run_marker": str(layout.bot_run_marker),
    }
    layout.bot_config.write_text(json.dumps(cfg, indent=2))


def _wait_ready(layout: Layout, systemd_pid: int, timeout: float = 30.0) -> None:
    urls = [
        f"http://{HOST}:{BOT_PORT}/api/health",
        f"http://{HOST}:{DASHBOARD_PORT}/",
        f"http://{HOST}:{PROMETHEUS_PORT}/-/ready",
        f"http://{HOST}:{ALERTMANAGER_PORT}/-/ready",
    ]
    # Prometheus finds its Alertmanager a moment after it is ready: a production host is past that.
    pending = set(urls) | {"ssh", ALERTMANAGER_KNOWN, RULES_EVALUATED}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for u in sorted(pending):
            if u == "ssh" and _ssh_banner():
                pending.discard(u)
            elif u == ALERTMANAGER_KNOWN and _prometheus_knows_alertmanager():
                pending.discard(u)
            elif u == RULES_EVALUATED and _rules_evaluated():
                pending.discard(u)
            elif u not in ("ssh", ALERTMANAGER_KNOWN, RULES_EVALUATED):
                try:
                    if requests.get(u, timeout=1).ok:
                        pending.discard(u)
                except requests.RequestException:
                    pass
        if pending:
            time.sleep(0.1)
    if pending:
        failed = host.systemctl(systemd_pid, "--failed", "--no-pager").stdout
        raise RuntimeError(
            f"sandbox not ready after {timeout:.0f} s: {sorted(pending)}\n"
            f"{failed}\nlogs: {layout.logs}"
        )


ALERTMANAGER_KNOWN = "prometheus knows the alertmanager"
RULES_EVALUATED = "prometheus evaluated every alert rule"


def _rules_evaluated() -> bool:
    try:
        answer = requests.get(f"http://{HOST}:{PROMETHEUS_PORT}/api/v1/rules", timeout=1)
        groups = answer.json()["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        return bool(rules) and all(r.get("health") == "ok" for r in rules)
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return False


def _prometheus_knows_alertmanager() -> bool:
    try:
        answer = requests.get(f"http://{HOST}:{PROMETHEUS_PORT}/api/v1/alertmanagers", timeout=1)
        return bool(answer.json()["data"]["activeAlertmanagers"])
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return False


def _ssh_banner() -> bool:
    try:
        with socket.create_connection((HOST, SSH_PORT), timeout=1) as s:
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _up(
    scenario: Scenario, layout: Layout, t0: float, bots: int = 1, front: bool = False
) -> SandboxInfo:
    _check_ports_free()
    _fresh(layout)
    _ensure_keys(layout)
    bastion.start(layout)
    hist, backfilled_to = _backfill(scenario, layout, bots)
    _write_backups(scenario, hist, layout)
    _write_log_files(scenario, hist, layout)
    _make_backups_mountpoint(layout)
    _write_bot_config(scenario, hist, layout)
    configs.write_all(layout, scenario, bots)
    # Before the host: the front's Prometheus copies the TSDB nobody has opened yet.
    front_info = front_servers.start(layout) if front else {}
    unshare_pid, systemd_pid = host.start(layout, scenario.monitoring)
    info = SandboxInfo(
        scenario=scenario.name,
        systemd_pid=systemd_pid,
        unshare_pid=unshare_pid,
        pid_namespace=host.pid_namespace(systemd_pid) or "",
        started_at=time.time(),
        up_seconds=round(time.monotonic() - t0, 2),
        history_start=hist.start,
        history_end=backfilled_to,
        state_dir=str(layout.root),
        ssh_key=str(layout.client_key),
        known_hosts=str(layout.known_hosts),
        ssh_user="root",
        host=HOST,
        ports=dict(PORTS),
        bot_url=f"http://{HOST}:{BOT_PORT}",
        dashboard_url=f"http://{HOST}:{DASHBOARD_PORT}",
        prometheus_url=f"http://{HOST}:{PROMETHEUS_PORT}",
        alertmanager_url=f"http://{HOST}:{ALERTMANAGER_PORT}",
        systemd_ticks=host.proc_start_ticks(systemd_pid),
        bots=bots,
        front=front_info,
        ssh_config=str(bastion.ssh_config_path(layout)),
        known_hosts_hashed=str(bastion.hashed_known_hosts(layout)),
    )
    _write_state(layout, info)  # before waiting: a failed `up` must still be able to `down`
    _wait_ready(layout, systemd_pid)
    if front:
        front_servers.wait_ready(layout)
    info = dataclasses.replace(
        info, started_at=time.time(), up_seconds=round(time.monotonic() - t0, 2)
    )
    _write_state(layout, info)
    return info


def _write_state(layout: Layout, info: SandboxInfo) -> None:
    tmp = layout.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(info), indent=2))
    tmp.replace(layout.state_file)
