"""The sandbox's bastion: a second sshd on 127.0.0.1 that only forwards to the host's sshd, so
that the suite reaches the sandbox host the way it reaches production (ssh_config ProxyJump).

It runs on the machine, outside the host's namespaces, in a mount namespace of its own with a
tmpfs on /run (sshd needs /run/sshd; the machine's /run is never touched). Its PID, start time
and mount namespace are kept in a file beside its key, so `stop` ends exactly it and the session
processes it forked (they live in that namespace), even after an `up` that failed half way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from burnin.sandbox.host import alive, proc_start_ticks
from burnin.sandbox.paths import HOST, SSH_PORT, Layout

BASTION_PORT = 12223
BASTION_ALIAS = "bastion"  # Host names in the ssh_config the sandbox writes
HOST_ALIAS = "prod"

T = TypeVar("T")


def host_key(layout: Layout) -> Path:
    return layout.ssh / "bastion_host_ed25519_key"


def sshd_config_path(layout: Layout) -> Path:
    return layout.ssh / "bastion_sshd_config"


def state_file(layout: Layout) -> Path:
    return layout.ssh / "bastion.pid"


def log_file(layout: Layout) -> Path:
    return layout.logs / "bastion.log"


def ssh_config_path(layout: Layout) -> Path:
    """`Host prod` behind `ProxyJump bastion`: `--ssh-config=THIS --ssh-host=prod`."""
    return layout.ssh / "ssh_config"


def hashed_known_hosts(layout: Layout) -> Path:
    """The sandbox's known_hosts (host and bastion) hashed with `ssh-keygen -H`."""
    return layout.ssh / "known_hosts.hashed"


def sshd_config(layout: Layout) -> str:
    return f"""\
Port {BASTION_PORT}
ListenAddress {HOST}
HostKey {host_key(layout)}
PidFile none
AuthorizedKeysFile {layout.client_key}.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
# A bastion forwards to the host's sshd and does nothing else (itself too: two-hop chains).
AllowTcpForwarding local
PermitOpen {HOST}:{SSH_PORT} {HOST}:{BASTION_PORT}
AllowAgentForwarding no
AllowStreamLocalForwarding no
X11Forwarding no
PermitTunnel no
PermitTTY no
ForceCommand /bin/false
# DEBUG1 names every direct-tcpip request in its log: what shows a run went through it.
LogLevel DEBUG1
"""


def ssh_config(layout: Layout) -> str:
    """The sandbox as production is reached: through the bastion. The OpenSSH client reads it
    too (`ssh -F FILE prod`): it is given the sandbox's known_hosts, strictly."""
    common = f"""\
    User root
    IdentityFile {layout.client_key}
    IdentitiesOnly yes
    UserKnownHostsFile {layout.known_hosts}
    StrictHostKeyChecking yes
"""
    return (
        "# Written by `python -m burnin.sandbox up`: the sandbox host behind its bastion.\n"
        f"Host {BASTION_ALIAS}\n    HostName {HOST}\n    Port {BASTION_PORT}\n{common}"
        f"Host {HOST_ALIAS}\n    HostName {HOST}\n    Port {SSH_PORT}\n{common}"
        f"    ProxyJump {BASTION_ALIAS}\n"
    )


def known_hosts_line(layout: Layout) -> str:
    kind, body = host_key(layout).with_suffix(".pub").read_text().split()[:2]
    return f"[{HOST}]:{BASTION_PORT} {kind} {body}\n"


def _write_files(layout: Layout) -> None:
    """Its key (made once and kept), its line appended to the sandbox's known_hosts (which the
    host's line was just written to), the hashed copy, and the configs."""
    key = host_key(layout)
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "burnin-bastion", "-f", str(key)],
            check=True,
        )
    os.chmod(key, 0o600)
    with open(layout.known_hosts, "a") as known:
        known.write(known_hosts_line(layout))
    hashed = hashed_known_hosts(layout)
    hashed.write_text(layout.known_hosts.read_text())
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(hashed)], capture_output=True, check=True)
    hashed.with_name(hashed.name + ".old").unlink(missing_ok=True)  # ssh-keygen's backup
    sshd_config_path(layout).write_text(sshd_config(layout))
    ssh_config_path(layout).write_text(ssh_config(layout))


def start(layout: Layout, timeout: float = 10.0) -> int:
    """Start the bastion (after the host's known_hosts line is written); its PID once it
    answers with an SSH banner."""
    stop(layout)  # one left by an interrupted `up`
    _write_files(layout)
    layout.logs.mkdir(parents=True, exist_ok=True)
    pid_file = state_file(layout)
    # `exec` keeps the shell's PID: $$ is sshd's. -D: sshd stays that process, -e: logs to stderr.
    script = (
        "mount -t tmpfs -o mode=0755 burnin-bastion /run && mkdir /run/sshd"
        f" && echo $$ > {pid_file}"
        f" && exec /usr/sbin/sshd -D -e -f {sshd_config_path(layout)}"
    )
    with open(log_file(layout), "ab") as log:
        # setsid --fork: nobody's child, so no zombie or ResourceWarning in the caller.
        subprocess.run(
            ["setsid", "--fork", "unshare", "--mount", "--propagation", "private",
             "/bin/sh", "-c", script],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    pid = _wait_for(lambda: _pid_written(pid_file), timeout)
    if pid is None:
        raise RuntimeError(f"the bastion did not start; see {log_file(layout)}")
    state = {"pid": pid, "ticks": proc_start_ticks(pid), "mount_namespace": mount_namespace(pid)}
    pid_file.write_text(json.dumps(state))
    if not _wait_for(_banner, timeout):
        raise RuntimeError(
            f"the bastion does not answer on {HOST}:{BASTION_PORT}; see {log_file(layout)}"
        )
    return pid


def running(layout: Layout) -> bool:
    state = _read_state(layout)
    return state is not None and _is_ours(layout, state) and _banner()


def stop(layout: Layout, timeout: float = 5.0) -> None:
    """Stop the bastion and every session process it forked; remove its state file."""
    state = _read_state(layout)
    if state is None:
        state_file(layout).unlink(missing_ok=True)
        return
    namespace = state.get("mount_namespace") or (
        mount_namespace(state["pid"]) if _is_ours(layout, state) else None
    )
    if _is_ours(layout, state):
        _signal(state["pid"], signal.SIGTERM)
    if namespace:
        # Session processes call setsid(): found by the namespace the bastion made, never by name.
        for pid in processes_in_mount_namespace(namespace):
            _signal(pid, signal.SIGTERM)
        if not _wait_for(lambda: not processes_in_mount_namespace(namespace), timeout):
            for pid in processes_in_mount_namespace(namespace):
                _signal(pid, signal.SIGKILL)
            _wait_for(lambda: not processes_in_mount_namespace(namespace), timeout)
    state_file(layout).unlink(missing_ok=True)


def mount_namespace(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def processes_in_mount_namespace(namespace: str) -> list[int]:
    """PIDs of the sshd processes in `namespace` (the bastion's: it made it)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and mount_namespace(int(entry)) == namespace and _comm(entry) == "sshd":
            found.append(int(entry))
    return found


def _comm(pid: str | int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _read_state(layout: Layout) -> dict | None:
    try:
        text = state_file(layout).read_text().strip()
    except OSError:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return None
    if isinstance(state, int):  # only the shell's PID: `up` stopped before recording the rest
        state = {"pid": state}
    return state if isinstance(state, dict) and isinstance(state.get("pid"), int) else None


def _is_ours(layout: Layout, state: dict) -> bool:
    """The recorded PID is still this bastion: same start time, and sshd with our config."""
    pid = state["pid"]
    if not alive(pid, state.get("ticks")):
        return False
    try:
        # sshd rewrites its title ("sshd: /usr/sbin/sshd -D -e -f CONFIG [listener] ..."): the
        # config's path is in it, not as a separate word.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(sshd_config_path(layout)).encode() in cmdline


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _pid_written(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except OSError:
        return None
    pid = int(text) if text.isdigit() else None
    return pid if pid is not None and _comm(pid) == "sshd" else None


def _banner() -> bool:
    try:
        with socket.create_connection((HOST, BASTION_PORT), timeout=1) as s:
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _wait_for(condition: Callable[[], T], timeout: float) -> T | None:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found or time.monotonic() > deadline:
            return found or None
        time.sleep(0.01)
