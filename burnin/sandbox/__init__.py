"""Sandbox production: a real systemd host in namespaces running the reference bot, sshd,
Prometheus (with 24 h of backfilled history) and Alertmanager, all on 127.0.0.1."""

from burnin.sandbox.lifecycle import SandboxInfo, down, status, systemctl, up
from burnin.sandbox.scenario import SCENARIOS, Scenario

__all__ = ["SCENARIOS", "SandboxInfo", "Scenario", "down", "status", "systemctl", "up"]
