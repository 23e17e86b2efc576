"""The sandbox host: a real systemd as PID 1 of new pid/mount/cgroup/uts/ipc namespaces.

It shares the machine's network namespace, so its servers are reachable on 127.0.0.1. Only the
PIDs recorded here are ever signalled: killing the namespace's PID 1 ends every process in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from burnin.sandbox.paths import Layout
from burnin.sandbox.stacks import CONTRACT, Stack
from burnin.sandbox.units import outer_script, own_cgroups, write_units


def proc_start_ticks(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (guards against a reused PID)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def alive(pid: int, ticks: int | None) -> bool:
    current = proc_start_ticks(pid)
    return current is not None and (ticks is None or current == ticks)


def pid_namespace(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def processes_in_namespace(ns: str) -> list[int]:
    """PIDs (as seen from the machine) of every process in pid namespace `ns`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and pid_namespace(int(entry)) == ns:
            found.append(int(entry))
    return found


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def start(layout: Layout, stack: Stack = CONTRACT, timeout: float = 10.0) -> tuple[int, int]:
    """Boot the host with the stack's bot unit. Returns (unshare pid, systemd pid)."""
    write_units(layout, stack)
    layout.logs.mkdir(parents=True, exist_ok=True)
    pidfile = layout.root / "unshare.pid"
    pidfile.unlink(missing_ok=True)
    cgroups = own_cgroups()
    (layout.root / "cgroups.txt").write_text("".join(f"{d}\n" for d in cgroups))
    (layout.root / "host.sh").write_text(outer_script(layout, pidfile, cgroups, stack))
    with open(layout.logs / "host.log", "ab") as log:
        # setsid --fork: the host is nobody's child, so no zombie or ResourceWarning in callers.
        subprocess.run(
            ["setsid", "--fork", "/bin/bash", str(layout.root / "host.sh")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pidfile.exists() and pidfile.read_text().strip():
            unshare_pid = int(pidfile.read_text())
            kids = _children(unshare_pid)
            if kids and _comm(kids[0]) == "systemd":
                return unshare_pid, kids[0]
        time.sleep(0.02)
    raise RuntimeError(f"sandbox host did not start; see {layout.logs / 'host.log'}")


def systemctl(
    systemd_pid: int, *args: str, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    return nsenter(systemd_pid, "systemctl", *args, timeout=timeout)


def nsenter(systemd_pid: int, *cmd: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nsenter", "-t", str(systemd_pid), "-m", "-p", "--", *cmd],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def stop(unshare_pid: int, systemd_pid: int, ticks: int | None, timeout: float = 10.0) -> None:
    """Power the host off (SIGRTMIN+4 asks systemd for poweroff), SIGKILL it if it hangs."""
    if alive(systemd_pid, ticks):
        ns = pid_namespace(systemd_pid)
        os.kill(systemd_pid, signal.SIGRTMIN + 4)
        if not _wait_gone(systemd_pid, ticks, timeout):
            os.kill(systemd_pid, signal.SIGKILL)  # PID 1 of the namespace: takes all with it
            _wait_gone(systemd_pid, ticks, 5.0)
        if ns:
            _wait_until(lambda: not processes_in_namespace(ns), 5.0)
    _wait_until(lambda: _comm(unshare_pid) != "unshare", 5.0)


def _comm(pid: int) -> str | None:
    """The process' name, or None when it is gone (it may exit while we look)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _wait_gone(pid: int, ticks: int | None, timeout: float) -> bool:
    return _wait_until(lambda: not alive(pid, ticks), timeout)


def _wait_until(cond: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def remove_cgroups(layout: Layout) -> None:
    """Remove the (now empty) cgroup directories made for the host, recorded at start."""
    listing = layout.root / "cgroups.txt"
    if not listing.exists():
        return
    for line in listing.read_text().split():
        top = Path(line)
        if top.name != "burnin-sandbox" or not top.is_dir():
            continue  # only ever our own directories
        for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass  # still has processes: leave it rather than guess
    listing.unlink()
