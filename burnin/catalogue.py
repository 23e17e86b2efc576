"""The criterion ids the suite knows: thresholds.toml may only name these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str  # the spec's checklist wording
    source: str  # health, prometheus, ssh
    fleet_wide: bool = False  # judged once for a fleet, not once per bot
    # Its failure is the deployment's, which a rollback may cure. False: a failure of something
    # around the bot (no backup made, monitoring down or blind, the alert path) that a rollback
    # would not mend: it recommends fixing that thing, never a rollback.
    rollback: bool = True


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("health-up", "Health endpoint healthy and connected", "health"),
        Criterion("health-version", "Deployed version is the expected one", "health"),
        Criterion("health-latency", "Health endpoint response time acceptable", "health"),
        Criterion("uptime", "Uptime target met", "prometheus"),
        Criterion("longest-disconnect", "No disconnection longer than 1 minute", "prometheus"),
        Criterion("errors-total", "Error count within limits", "prometheus"),
        Criterion("error-rate", "Error rate acceptable", "prometheus"),
        Criterion("restarts", "Zero unplanned restarts", "prometheus"),
        Criterion("alerts", "No alerts (or only expected ones)", "prometheus"),
        Criterion("memory-growth", "Memory stable (no leak)", "prometheus"),
        Criterion("memory-peak", "Memory usage below the limit", "prometheus"),
        Criterion("cpu", "CPU usage low", "prometheus"),
        Criterion("coverage", "Monitoring covered the whole window", "prometheus", rollback=False),
        Criterion("consistency", "Health endpoint and Prometheus agree", "health+prometheus"),
        Criterion("peak-observed", "One peak period observed", "prometheus", rollback=False),
        Criterion("peak-handled", "Passed peak hours", "prometheus"),
        Criterion("offpeak-handled", "Passed off-peak hours", "prometheus"),
        Criterion("channel-events", "No errors after channel events", "ssh"),
        Criterion(
            "monitoring-operational",
            "All monitoring systems operational",
            "prometheus",
            rollback=False,
        ),
        Criterion(
            "alerts-functional",
            "All alerts functional (tested)",
            "alertmanager",
            True,
            rollback=False,
        ),
        Criterion("backup", "Backup creation success", "ssh", rollback=False),
        Criterion("sign-off", "Team confident / user feedback positive (manual)", "file", True),
        Criterion("logs-clean", "Logs clean (no error-priority journal lines)", "ssh"),
        Criterion("service-active", "Service active", "ssh"),
    )
}


def test_name_to_id(function_name: str) -> str:
    """`test_longest_disconnect` -> `longest-disconnect`."""
    return function_name.removeprefix("test_").replace("_", "-")
