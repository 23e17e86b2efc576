"""Configuration files of the sandbox's servers (Prometheus, rules, Alertmanager, sshd)."""

from __future__ import annotations

from burnin.sandbox.history import EVALUATION_S
from burnin.sandbox.paths import (
    ALERTMANAGER_PORT,
    BOT_PORT,
    HOST,
    JOB,
    PROMETHEUS_PORT,
    REPO,
    SSH_PORT,
    Layout,
)
from burnin.sandbox.scenario import Scenario
from burnin.sandbox.stacks import CONTRACT, Stack

# The red-flag rules burnin ships for production's Prometheus: the sandbox runs them too.
RED_FLAG_RULES = REPO / "rules" / "burnin-red-flags.yml"


def prometheus_yml(layout: Layout, scrape_bot: bool = True, stack: Stack = CONTRACT) -> str:
    bot_job = f"""\
  - job_name: {JOB}
    metrics_path: /api/metrics
    scrape_interval: {stack.scrape_s}s
    static_configs:
      - targets: ["{HOST}:{BOT_PORT}"]
        labels:
          env: {stack.env}
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
scrape_configs:
{bot_job if scrape_bot else ""}  - job_name: prometheus
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


def sshd_config(layout: Layout) -> str:
    return f"""\
Port {SSH_PORT}
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


def write_all(layout: Layout, scenario: Scenario) -> None:
    layout.config.mkdir(parents=True, exist_ok=True)
    stack = scenario.monitoring
    (layout.config / "prometheus.yml").write_text(
        prometheus_yml(layout, scenario.live_scrape, stack)
    )
    (layout.config / "rules.yml").write_text(stack.rules_yml(scenario.metric_prefix))
    (layout.config / "alertmanager.yml").write_text(ALERTMANAGER_YML)
    layout.sshd_config.write_text(sshd_config(layout))
