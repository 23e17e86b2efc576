"""systemd units of the sandbox host and the scripts that start its systemd in namespaces.

Safety first (PLATFORM.md danger note): a systemd that reaches sysinit.target runs
systemd-tmpfiles, which wiped the machine's real /tmp once. So the host boots a minimal target,
every unit has DefaultDependencies=no, sysinit.target and the tmpfiles units are masked, and the
namespace gets a private /tmp.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from burnin.sandbox.configs import HOMES, HOST_USERS
from burnin.sandbox.paths import (
    ALERTMANAGER_PORT,
    HOST,
    PROMETHEUS_PORT,
    REPO,
    VENV,
    Layout,
)
from burnin.sandbox.stacks import CONTRACT, Stack

TARGET = "burnin-sandbox.target"
CGROUP_NAME = "burnin-sandbox"
# Where the host keeps its daily backups (the contract's example; targets.toml's default glob).
BACKUPS_MOUNT = "/backups"


def backups_dir(layout: Layout) -> Path:
    """The directory under the state dir that the host sees as BACKUPS_MOUNT."""
    return layout.root / "backups"


# Packaged units that could wipe /tmp or start daemons on default ports and all interfaces.
MASKED = (
    "sysinit.target",
    "basic.target",
    "multi-user.target",
    "graphical.target",
    "default.target",
    "local-fs.target",
    "remote-fs.target",
    "timers.target",
    "systemd-tmpfiles-setup.service",
    "systemd-tmpfiles-setup-dev.service",
    "systemd-tmpfiles-clean.service",
    "systemd-tmpfiles-clean.timer",
    # not tmp.mount: units of a checkout under /tmp depend on it (RequiresMountsFor), and a
    # masked one makes every restart job fail; /tmp is already a private tmpfs here.
    "networking.service",
    "systemd-networkd.service",
    "systemd-networkd.socket",
    "systemd-timesyncd.service",
    "systemd-journald-audit.socket",
    "prometheus-alertmanager.service",
    "prometheus-node-exporter.service",
    "ssh.socket",
    "sshd.service",
    "rescue-ssh.target",
    "postgresql.service",
    "getty@tty1.service",
    "cron.service",
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
)

JOURNALD_CONF = """\
[Journal]
Storage=persistent
RateLimitBurst=0
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
"""


def _unit(description: str, service: str, after: str = "burnin-journal-flush.service") -> str:
    return (
        f"[Unit]\nDescription={description}\nDefaultDependencies=no\nAfter={after}\n\n"
        f"[Service]\n{service}"
    )


def bot_log_dir(layout: Layout) -> Path:
    """Where a file-logging stack's log directory lives outside the host."""
    return layout.root / "botlog"


def units(layout: Layout, stack: Stack = CONTRACT) -> dict[str, str]:
    python = VENV / "bin" / "python"
    cfg = layout.config
    if stack.log_file:  # appended to a file instead of the journal, like the exporter stack
        output = f"StandardOutput=append:{stack.log_file}\nStandardError=append:{stack.log_file}\n"
    else:
        output = "StandardOutput=journal\nStandardError=journal\n"
    return {
        TARGET: (
            "[Unit]\nDescription=burnin sandbox production host\nDefaultDependencies=no\n"
            "Wants=systemd-journald.socket systemd-journald.service burnin-journal-flush.service "
            f"{stack.unit_file} ssh.service prometheus.service alertmanager.service\n"
        ),
        # Moves journald from /run to the persistent dir (bound to .sandbox/journal).
        "burnin-journal-flush.service": _unit(
            "Flush journal to persistent storage",
            "Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/journalctl --flush\n",
            after="systemd-journald.service",
        ).replace(
            "DefaultDependencies=no\n",
            "DefaultDependencies=no\nRequires=systemd-journald.service\n",
        ),
        stack.unit_file: _unit(
            "Rosey chat bot",
            f"Type=simple\nWorkingDirectory={REPO}\nEnvironment=PYTHONPATH={REPO}\n"
            "Environment=PYTHONUNBUFFERED=1\n"
            f"ExecStart={python} -m burnin.sandbox.bot --config {layout.bot_config}\n"
            f"Restart=always\nRestartSec=10\nSyslogIdentifier={stack.unit}\n{output}",
        )
        + "\n[Install]\nWantedBy=multi-user.target\n",
        "ssh.service": _unit(
            "OpenBSD Secure Shell server (sandbox)",
            "ExecStartPre=/bin/mkdir -p /run/sshd\n"
            f"ExecStart=/usr/sbin/sshd -D -e -f {layout.sshd_config}\n"
            "Restart=on-failure\n",
        ),
        "prometheus.service": _unit(
            "Prometheus (sandbox)",
            "ExecStart=/usr/bin/prometheus "
            f"--config.file={cfg / 'prometheus.yml'} "
            f"--storage.tsdb.path={layout.prometheus_data} "
            "--storage.tsdb.retention.time=3650d "
            f"--web.listen-address={HOST}:{PROMETHEUS_PORT}\n"
            "Restart=on-failure\n",
        ),
        "alertmanager.service": _unit(
            "Alertmanager (sandbox)",
            "ExecStart=/usr/bin/prometheus-alertmanager "
            f"--config.file={cfg / 'alertmanager.yml'} "
            f"--storage.path={layout.alertmanager_data} "
            f"--web.listen-address={HOST}:{ALERTMANAGER_PORT} "
            # An empty value turns gossip off (it would listen on 0.0.0.0:9094).
            "--cluster.listen-address=\n"
            "Restart=on-failure\n",
        ),
    }


# Units in the states a production unit can be found in, started only by the tests that need
# them (nothing wants them): `--unit burnin-fault-loop` points the suite at one.
FAULT_UNITS = {
    # exits at once: failed (Result=exit-code)
    "burnin-fault-failed.service": "[Unit]\nDescription=fault: fails\nDefaultDependencies=no\n"
    "\n[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
    # never finishes starting: activating (start)
    "burnin-fault-activating.service": "[Unit]\nDescription=fault: never started\n"
    "DefaultDependencies=no\n\n[Service]\nType=oneshot\nExecStart=/bin/sleep infinity\n"
    "TimeoutStartSec=infinity\n",
    # crashes and is restarted forever: activating (auto-restart), NRestarts growing
    "burnin-fault-loop.service": "[Unit]\nDescription=fault: restart loop\nDefaultDependencies=no\n"
    "StartLimitIntervalSec=0\n\n[Service]\nExecStart=/bin/sh -c 'exit 1'\nRestart=always\n"
    "RestartSec=2\n",
    # logs an error line that is not UTF-8 (journalctl -o json gives MESSAGE as a byte array)
    "burnin-fault-garbled.service": "[Unit]\nDescription=fault: garbled log\n"
    "DefaultDependencies=no\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
    "ExecStart=/bin/sh -c 'printf \"<3>\\\\377\\\\376 garbled error line\\\\n\"'\n",
}


def write_units(layout: Layout, stack: Stack = CONTRACT) -> None:
    layout.units.mkdir(parents=True, exist_ok=True)
    for old in layout.units.iterdir():
        old.unlink()
    for name, text in {**units(layout, stack), **FAULT_UNITS}.items():
        (layout.units / name).write_text(text)


def paths_to_keep(layout: Layout) -> list[str]:
    """Paths under the real /tmp that units need: the private /tmp would hide them."""
    candidates = {os.path.realpath(p) for p in (REPO, VENV, layout.root)}
    under_tmp = sorted(p for p in candidates if p == "/tmp" or p.startswith("/tmp/"))
    kept: list[str] = []
    for p in under_tmp:  # sorted: a parent comes before its children
        if not any(p == k or p.startswith(k + "/") for k in kept):
            kept.append(p)
    return kept


def inner_script(layout: Layout, stack: Stack = CONTRACT) -> str:
    """Runs as PID 1 of the new namespaces, then execs systemd."""
    keep = paths_to_keep(layout)
    q = shlex.quote
    lines = [
        "set -eu",
        "mount -t tmpfs -o mode=755 tmpfs /run",
        "mkdir -p /run/burnin-keep",
    ]
    for i, p in enumerate(keep):
        lines += [f"mkdir -p /run/burnin-keep/{i}", f"mount --bind {q(p)} /run/burnin-keep/{i}"]
    lines.append("mount -t tmpfs -o mode=1777 tmpfs /tmp")  # private: tmpfiles can't reach it
    # Inherited cgroup mounts show the machine's root, so systemd would create init.scope etc.
    # at the machine's top level (seen). Mounted from inside the cgroup namespace they are
    # rooted at our own cgroups; the tmpfs keeps systemd's extra mounts in the namespace.
    lines.append("mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup")
    for mountpoint, fstype, opts in cgroup_mounts():
        opt = f"-o {opts} " if opts else ""
        lines += [f"mkdir -p {mountpoint}", f"mount -t {fstype} {opt}{fstype} {mountpoint}"]
    for i, p in enumerate(keep):
        lines += [f"mkdir -p {q(p)}", f"mount --move /run/burnin-keep/{i} {q(p)}"]
    lines += [
        "mount -t tmpfs -o mode=755 tmpfs /etc/systemd/system",
        f"cp {q(str(layout.units))}/* /etc/systemd/system/",
    ]
    lines += [f"ln -sf /dev/null /etc/systemd/system/{u}" for u in MASKED]
    # The host's own logins (configs.HOST_USERS), seen only inside its mount namespace.
    lines += [
        f"mount --bind {q(str(layout.config / name))} /etc/{name}" for name in ("passwd", "group")
    ]
    lines.append(f"mkdir -p {HOMES}/root")
    for name in HOST_USERS:
        lines += [f"mkdir -p {HOMES}/{name}", f"chown {name}:{name} {HOMES}/{name}"]
    # Enabled like on a real host (`systemctl is-enabled rosey-bot`); the target is masked.
    lines += [
        "mkdir -p /etc/systemd/system/multi-user.target.wants",
        f"ln -s ../{stack.unit_file} /etc/systemd/system/multi-user.target.wants/",
    ]
    # A private /var/log: the directories made below never reach the machine's own.
    lines.append("mount -t tmpfs -o mode=755 tmpfs /var/log")
    if stack.log_file:
        log_dir = os.path.dirname(stack.log_file)
        lines += [
            f"mkdir -p {q(log_dir)}",
            f"mount --bind {q(str(bot_log_dir(layout)))} {q(log_dir)}",
        ]
    lines += [
        "mkdir -p /var/log/journal",
        f"mount --bind {q(str(layout.journal))} /var/log/journal",
        # The mount point itself is made (and removed again) by lifecycle, outside.
        f"mount --bind {q(str(backups_dir(layout)))} {BACKUPS_MOUNT}",
        "mkdir -p /run/systemd/journald.conf.d",
        f"printf %s {q(JOURNALD_CONF)} > /run/systemd/journald.conf.d/burnin.conf",
        "export container=unshare",
        f"exec /lib/systemd/systemd --system --unit={TARGET}",
    ]
    return "\n".join(lines) + "\n"


def cgroup_mounts() -> list[tuple[str, str, str]]:
    """(mount point, fstype, options) of the machine's cgroup hierarchies."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, right = line.split(" - ", 1)
        mountpoint = left.split()[4]
        fstype, _src, opts = right.split()[:3]
        if fstype in ("cgroup", "cgroup2") and mountpoint.startswith("/sys/fs/cgroup/"):
            keep = [o for o in opts.split(",") if o not in ("rw", "ro")]
            found.append((mountpoint, fstype, ",".join(keep)))
    return found


def own_cgroups() -> list[str]:
    """A `burnin-sandbox` child of the caller's cgroup in each hierarchy (cpuset excluded: a
    new cpuset has no CPUs). systemd's cgroups then all sit below directories `down` removes."""
    current: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        current[controllers.removeprefix("name=") or "unified"] = path
    dirs = []
    for mountpoint, _fstype, _opts in cgroup_mounts():
        name = mountpoint.rsplit("/", 1)[1]
        if name in current and name != "cpuset":
            dirs.append(f"{mountpoint}{current[name].rstrip('/')}/{CGROUP_NAME}")
    return dirs


def outer_script(layout: Layout, pidfile: Path, cgroups: list[str], stack: Stack = CONTRACT) -> str:
    """Moves itself into cgroups of its own, records its PID, and becomes `unshare`."""
    q = shlex.quote
    lines = ["set -eu"]
    for d in cgroups:
        lines.append(f"mkdir -p {q(d)} && echo $$ > {q(d)}/cgroup.procs")
    lines += [
        f"echo $$ > {q(str(pidfile))}",
        "exec unshare --pid --fork --mount --cgroup --uts --ipc --mount-proc "
        f"--propagation private /bin/bash -c {q(inner_script(layout, stack))}",
    ]
    return "\n".join(lines) + "\n"
