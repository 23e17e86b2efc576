"""Configuration files of the sandbox's servers (Prometheus, rules, Alertmanager, sshd)."""

from __future__ import annotations

from pathlib import Path

from burnin.sandbox.history import EVALUATION_S, fleet_instances
from burnin.sandbox.paths import (
    ALERTMANAGER_PORT,
    BOT_PORT,
    HOST,
    JOB,
    PROMETHEUS_PORT,
    REMOTE_READ_PORT,
    REPO,
    SLOW_SSH_PORT,
    SSH_PORT,
    Layout,
)
from burnin.sandbox.scenario import HEALTHY, Scenario

# The red-flag rules burnin ships for production's Prometheus: the sandbox runs them too.
RED_FLAG_RULES = REPO / "rules" / "burnin-red-flags.yml"


def _live_jobs(scenario: Scenario) -> tuple[str, ...]:
    """The scrape jobs of the bot now: its own, a second one beside it, or the one it was
    renamed to."""
    if scenario.second_job is None:
        return (JOB,)
    if scenario.job_renamed is not None:
        return (scenario.second_job,)
    return (JOB, scenario.second_job)


def prometheus_yml(layout: Layout, scenario: Scenario = HEALTHY, bots: int = 1) -> str:
    """Prometheus's configuration for the scenario: its bot's scrape jobs (none when it lost the
    bot), a remote read store that is down, its stack's labels and interval."""
    stack = scenario.monitoring
    # A fleet: the one bot scraped once per instance label (same address, distinct targets).
    targets = ""
    for instance in fleet_instances(bots):
        targets += f'      - targets: ["{HOST}:{BOT_PORT}"]\n        labels:\n'
        targets += f"          env: {stack.env}\n"
        if bots > 1:
            targets += f"          instance: {instance}\n"
    bot_job = "".join(
        f"""\
  - job_name: {job}
    metrics_path: /api/metrics
    scrape_interval: {stack.scrape_s}s
    static_configs:
{targets}"""
        for job in _live_jobs(scenario)
    )
    # Asked for every query (read_recent), refused every time: Prometheus answers with its local
    # data and a warning.
    remote_read = f"""\
remote_read:
  - url: http://{HOST}:{REMOTE_READ_PORT}/api/v1/read
    read_recent: true
"""
    return f"""\
global:
  scrape_interval: 15s
  # Rules evaluate every 5 s (the ALERTS history is written at that step too): a fresh
  # Prometheus has evaluated them within 5 s of its start.
  evaluation_interval: {EVALUATION_S}s
rule_files:
  - {layout.config / "rules.yml"}
  - {RED_FLAG_RULES}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{HOST}:{ALERTMANAGER_PORT}"]
{remote_read if scenario.remote_read_down else ""}scrape_configs:
{bot_job if scenario.live_scrape else ""}  - job_name: prometheus
    static_configs:
      - targets: ["{HOST}:{PROMETHEUS_PORT}"]
"""


# One receiver without any integration: alerts are kept and listed, nothing is sent.
ALERTMANAGER_YML = """\
route:
  receiver: "null"
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: "null"
"""


# Logins of the sandbox host besides root, each a way a production host differs from the one
# the suite expects (their own /etc/passwd and /etc/group in the host's mount namespace):
HOST_USERS = {
    # an operator in group sudo whose sudo asks a password; cannot read the system journal
    "rosey": 4242,
    # a minimal image: nothing on its PATH (sudo, systemctl, journalctl: command not found)
    "minimal": 4243,
    # its clock runs SKEWED_CLOCK ahead of the machine's (libfaketime in its sessions)
    "skewed": 4244,
}
SKEWED_CLOCK = "+5m"
HOMES = "/run/burnin-home"


def faketime_library() -> Path | None:
    found = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    return found[0] if found else None


def passwd(machine: str) -> str:
    """The machine's accounts, root's home moved to an empty directory (this machine's root
    shell start-up files cost 90 ms per SSH command; a production host's are lean), plus the
    host's own logins."""
    lines = []
    for line in machine.splitlines():
        fields = line.split(":")
        if fields[0] in HOST_USERS:
            continue
        if fields[0] == "root" and len(fields) == 7:
            fields[5] = f"{HOMES}/root"
        lines.append(":".join(fields))
    for name, uid in HOST_USERS.items():
        lines.append(f"{name}:x:{uid}:{uid}:burnin sandbox:{HOMES}/{name}:/bin/bash")
    return "\n".join(lines) + "\n"


def group(machine: str) -> str:
    lines = []
    for line in machine.splitlines():
        fields = line.split(":")
        if fields[0] in HOST_USERS:
            continue
        if fields[0] == "sudo" and len(fields) == 4:
            fields[3] = ",".join([m for m in fields[3].split(",") if m] + ["rosey"])
        lines.append(":".join(fields))
    lines += [f"{name}:x:{uid}:" for name, uid in HOST_USERS.items()]
    return "\n".join(lines) + "\n"


# What the shell start-up of a SLOW_SSH_PORT login costs.
SLOW_LOGIN_S = 0.3


def sshd_config(layout: Layout) -> str:
    return _sshd_main(layout) + _sshd_users() + _sshd_slow_login(layout)


def slow_login_script(layout: Layout) -> str:
    """What a SLOW_SSH_PORT login's shell runs before each command, as many hosts' .bashrc runs
    version managers: it notes the session, then takes its time."""
    return (
        "# burnin sandbox: a login shell whose start-up is slow\n"
        f"printf '%s\\n' \"$$\" >> {layout.slow_login_sessions}\n"
        f"sleep {SLOW_LOGIN_S:g}\n"
    )


def _sshd_slow_login(layout: Layout) -> str:
    """The login shell (`bash -c`) sources the start-up, then runs the command asked, in itself.
    (Not BASH_ENV: bash run by sshd reads ~/.bashrc instead, and the logins share their homes
    with the plain port's.)"""
    return (
        f"Match LocalPort {SLOW_SSH_PORT}\n"
        f'    ForceCommand . {layout.slow_login}; eval "$SSH_ORIGINAL_COMMAND"\n'
    )


def _sshd_users() -> str:
    text = "Match User minimal\n    SetEnv PATH=/nonexistent\n"
    library = faketime_library()
    if library is not None:  # without it (ci/install installs it) the e2e test says so
        text += f"Match User skewed\n    SetEnv LD_PRELOAD={library} FAKETIME={SKEWED_CLOCK}\n"
    return text


def _sshd_main(layout: Layout) -> str:
    return f"""\
Port {SSH_PORT}
Port {SLOW_SSH_PORT}
ListenAddress {HOST}
HostKey {layout.host_key}
PidFile /run/sshd-burnin.pid
AuthorizedKeysFile {layout.client_key}.pub
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def write_all(layout: Layout, scenario: Scenario, bots: int = 1) -> None:
    layout.config.mkdir(parents=True, exist_ok=True)
    stack = scenario.monitoring
    (layout.config / "prometheus.yml").write_text(prometheus_yml(layout, scenario, bots))
    (layout.config / "rules.yml").write_text(stack.rules_yml(scenario.metric_prefix))
    (layout.config / "alertmanager.yml").write_text(ALERTMANAGER_YML)
    layout.sshd_config.write_text(sshd_config(layout))
    layout.slow_login.write_text(slow_login_script(layout))
    layout.slow_login_sessions.unlink(missing_ok=True)
    (layout.config / "passwd").write_text(passwd(Path("/etc/passwd").read_text()))
    (layout.config / "group").write_text(group(Path("/etc/group").read_text()))
