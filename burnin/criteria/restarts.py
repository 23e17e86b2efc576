"""restarts: unplanned restarts, from Prometheus (uptime drops, process start changes),
cross-checked with the journal's service start lines and systemd's NRestarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from burnin.bands import Tiers
from burnin.coverage import Coverage
from burnin.criteria.connection import measure_samples, require_coverage
from burnin.criteria.host import journal_command, parse_journal_json
from burnin.criteria.reading import Reading, read
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict, no_data


@dataclass(frozen=True)
class RestartMeasurement:
    uptime_resets: Reading
    start_changes: Reading | None  # None: the target exports no process metrics
    journal: CommandResult
    n_restarts: CommandResult
    journal_starts: list[datetime]
    coverage: Coverage  # of bot_uptime_seconds: what proves "no restart" in Prometheus


def restart_commands(unit: str, window: Window) -> list[list[str]]:
    """What the host says of restarts (privileged): systemd's start lines and its count."""
    return [
        journal_command(
            unit, window, None, "-o", "json", "--output-fields=MESSAGE,__REALTIME_TIMESTAMP"
        ),
        ["systemctl", "show", "-p", "NRestarts", "--value", unit],
    ]


def measure_restarts(
    prometheus: PrometheusProbe,
    ssh: SshProbe,
    metrics: Metrics,
    unit: str,
    window: Window,
    process_metrics: bool = True,
) -> RestartMeasurement:
    uptime = read(
        prometheus,
        metrics.total_over("resets", metrics.series("bot_uptime_seconds"), window.seconds),
        window.end,
    )
    starts = None
    if process_metrics:
        starts = read(
            prometheus,
            metrics.total_over(
                "changes", metrics.series("process_start_time_seconds"), window.seconds
            ),
            window.end,
        )
    journal, n_restarts = ssh.run_all(restart_commands(unit, window), privileged=True)
    restart_lines = []
    if journal.ok:
        restart_lines = [
            e.time
            for e in parse_journal_json(journal.stdout)
            if e.message.startswith("Scheduled restart job")
        ]
    coverage = measure_samples(prometheus, metrics, "bot_uptime_seconds", window).coverage
    return RestartMeasurement(uptime, starts, journal, n_restarts, restart_lines, coverage)


def judge_restarts(
    measurement: RestartMeasurement,
    planned: list[datetime],
    tiers: Tiers,
    window: Window,
    min_percent: float,
) -> Verdict:
    m = measurement
    evidence = (
        m.uptime_resets.evidence(),
        *((m.start_changes.evidence(),) if m.start_changes is not None else ()),
        Evidence(
            "ssh", m.journal.command, {"restart_lines": [t.isoformat() for t in m.journal_starts]}
        ),
        Evidence("ssh", m.n_restarts.command, {"NRestarts": m.n_restarts.stdout.strip()}),
    )
    planned_here = [p for p in planned if window.start <= p <= window.end]
    if m.uptime_resets.value is None and len(m.journal_starts) <= len(planned_here):
        # The journal alone can prove a restart, not the absence of one.
        return no_data(
            "restarts",
            f"no bot_uptime_seconds samples in the window ({m.coverage.describe()})",
            window,
            evidence,
        )
    start_changes = m.start_changes.value if m.start_changes is not None else None
    seen_by_metrics = max(m.uptime_resets.value or 0.0, start_changes or 0.0)
    seen = max(seen_by_metrics, float(len(m.journal_starts)))
    unplanned = max(0.0, seen - len(planned_here))
    cause = (
        f"Prometheus saw {seen_by_metrics:g}, the journal {len(m.journal_starts)} systemd restart(s); "
        f"{len(planned_here)} planned"
    )
    verdict = Verdict.from_tiers("restarts", unplanned, tiers, window, evidence, cause)
    return require_coverage(verdict, m.coverage, min_percent)
