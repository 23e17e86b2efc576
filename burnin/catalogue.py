"""The one registry: every measurement the suite takes and every criterion it judges, each
declared once. The session-start gathering reads the measurements (how, from which source,
shared or timed), the production suite's parametrisation reads the criteria (id, fleet-wide),
each test judges through its criterion's `judge`, and the report and the decision read the
titles, metrics and whether a failure calls for a rollback.

A measurement asks its sources and returns evidence (`burnin.criteria.*.measure_*`); a
criterion's judge turns the measurements it `needs` into a Verdict (`judge_*`), never asking a
source itself. thresholds.toml's phases say which criteria each checkpoint judges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from burnin.bands import Tiers
from burnin.hostfiles import backup_command, split_glob
from burnin.lazy import lazy_module
from burnin.partial import PartialAnswer, judged_on
from burnin.probes.ssh_batch import HostCommand
from burnin.run import RunSettings, now
from burnin.schedule import Window, parse_baseline
from burnin.verdict import Verdict, no_data

# A new criteria module is named in both lists: here for the type checker, below for run time.
if TYPE_CHECKING:
    from burnin.criteria import (
        alert_path,
        alerts,
        backup,
        channel,
        connection,
        consistency,
        errors,
        health,
        host,
        logfile,
        monitoring,
        releases,
        resources,
        restarts,
        signoff,
        traffic,
        uptime,
    )
    from burnin.sources import Sources
else:  # each imported by its first measurement or judge (burnin.lazy): a listing needs none
    alert_path = lazy_module("burnin.criteria.alert_path")
    alerts = lazy_module("burnin.criteria.alerts")
    backup = lazy_module("burnin.criteria.backup")
    channel = lazy_module("burnin.criteria.channel")
    connection = lazy_module("burnin.criteria.connection")
    consistency = lazy_module("burnin.criteria.consistency")
    errors = lazy_module("burnin.criteria.errors")
    health = lazy_module("burnin.criteria.health")
    host = lazy_module("burnin.criteria.host")
    logfile = lazy_module("burnin.criteria.logfile")
    monitoring = lazy_module("burnin.criteria.monitoring")
    releases = lazy_module("burnin.criteria.releases")
    resources = lazy_module("burnin.criteria.resources")
    restarts = lazy_module("burnin.criteria.restarts")
    signoff = lazy_module("burnin.criteria.signoff")
    traffic = lazy_module("burnin.criteria.traffic")
    uptime = lazy_module("burnin.criteria.uptime")

Measure = Callable[["Sources", RunSettings, str], Any]  # (sources, the bot's run, phase)
# The commands a measurement will ask the bot's host (the bot's run, phase): known up front, so
# that the run sends all of them in one SSH session (SshProbe.plan).
HostCommands = Callable[[RunSettings, str], list[HostCommand]]


@dataclass(frozen=True)
class Measurement:
    """One question to the sources, asked once per bot and phase (or once for the bots that
    share `shared_by`'s settings), its answer kept as evidence."""

    name: str
    measure: Measure
    shared_by: tuple[str, ...] = ()  # settings that alone decide it (a shared health endpoint)
    alone: bool = False  # timed: taken once nothing else of the run is under way
    first: bool = False  # started first: the host's commands are a run's slowest round trips
    # What it asks the host, as far as known before asking (a log file's reads depend on its
    # listing: they are asked after it, in a session of their own).
    host_commands: HostCommands | None = None


@dataclass(frozen=True)
class Judging:
    """What a criterion's judge reads: its measurements, the bot's run and the phase."""

    criterion: Criterion
    run: RunSettings
    phase: str
    take: Callable[[str], Any]  # a measurement by name, this bot and phase
    # The answers a taken measurement read that their source said may be partial.
    partial_of: Callable[[str], tuple[PartialAnswer, ...]] = lambda _name: ()
    _taken: list[str] = field(default_factory=list, compare=False, repr=False)

    def measured(self, name: str) -> Any:
        """A measurement by name (its partial answers count against this verdict's pass)."""
        self._taken.append(name)
        return self.take(name)

    @cached_property
    def window(self) -> Window:
        return self.run.window(self.phase)

    @property
    def tiers(self) -> Tiers:
        """The tiers of the criterion's metric at this phase (thresholds.toml)."""
        if self.criterion.metric is None:
            raise ValueError(f"{self.criterion.id} is judged by no metric's tiers")
        return self.run.thresholds.tiers(self.criterion.metric, self.phase)

    @property
    def line(self) -> float:
        """The coverage line: the share of its window a criterion's data must cover to pass."""
        return self.run.thresholds.coverage_min_percent

    def verdict(self) -> Verdict:
        """The criterion's verdict; one that read partial answers cannot pass (burnin.partial)."""
        verdict = self.criterion.judge(self)
        return judged_on(
            verdict, (p for n in dict.fromkeys(self._taken) for p in self.partial_of(n))
        )


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str  # the spec's checklist wording
    source: str  # health, prometheus, ssh, alertmanager, file; "health+prometheus" for both
    judge: Callable[[Judging], Verdict]
    needs: tuple[str, ...] = ()  # the measurements its judge reads
    metric: str | None = None  # the thresholds.toml metric whose tiers judge it
    fleet_wide: bool = False  # judged once for a fleet, not once per bot
    # A setting that, left empty, declares the criterion's source absent (no backup glob: the
    # criterion is skipped with its reason, even where SSH is not configured).
    only_if_set: str = ""
    # Its failure is the deployment's, which a rollback may cure. False: a failure of something
    # around the bot (no backup made, monitoring down or blind, the alert path) that a rollback
    # would not mend: it recommends fixing that thing, never a rollback.
    rollback: bool = True
    # A person answers it (the team's sign-off), not a probe: while it is PENDING and everything
    # else passed, the run is healthy so far and waits for it (burnin.decision).
    manual: bool = False

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.source.split("+"))


# ---------------------------------------------------------------- measurements


def _zone(run: RunSettings) -> ZoneInfo:
    return ZoneInfo(run.target.settings.log_timezone)


def _backup(s: Sources, run: RunSettings, _phase: str) -> backup.BackupMeasurement:
    glob = run.target.settings.backup_glob
    if not glob.strip():  # skipped with its reason, even where SSH is not configured
        return backup.BackupMeasurement(glob, now(), None, None)
    return backup.measure_backups(s.ssh, glob, run.at)  # --at: the backups of that moment


def _backup_commands(run: RunSettings, _phase: str) -> list[HostCommand]:
    glob = run.target.settings.backup_glob
    if not glob.strip():
        return []
    return HostCommand.of([backup_command(*split_glob(glob))], privileged=True)


def _log_commands(channel_events: bool) -> HostCommands:
    """logs-clean's or channel-events' questions: the journal's, or a log file's listing."""

    def commands(run: RunSettings, phase: str) -> list[HostCommand]:
        settings = run.target.settings
        if settings.log_file:
            argvs = [logfile.listing_command(settings.log_file)]
        elif channel_events:
            window = run.window(phase)
            argvs = [
                channel.channel_events_command(settings.unit, window),
                host.retention_command(window),
                host.suppressed_command(window),
            ]
        else:
            argvs = host.journal_commands(settings.unit, run.window(phase))
        return HostCommand.of(argvs, privileged=True)

    return commands


def _periods(kind: str) -> Measure:
    def measure(s: Sources, run: RunSettings, phase: str) -> Any:
        # The users over the window as well (one raw query over the run's span, shared by both
        # kinds and every phase): the periods read them per period, the report draws them.
        s.prometheus.samples(run.metrics.series("bot_users"), run.window(phase))
        hours = run.thresholds.traffic.peak if kind == "peak" else run.thresholds.traffic.off_peak
        spans = traffic.periods(hours, run.thresholds.traffic.timezone, run.window(phase))
        return traffic.measure_periods(
            s.prometheus, run.metrics, spans, run.target.settings.process_metrics
        )

    return measure


def _alert_path(
    _s: Sources, run: RunSettings, _phase: str
) -> alert_path.AlertPathMeasurement | None:
    """Sends a test alert through production's Alertmanager: only when opted in (None else)."""
    target = run.target
    if not target.settings.send_test_alert or not target.settings.alertmanager_url:
        return None
    return alert_path.measure_alert_path(
        target.settings.alertmanager_url,
        target.settings.timeout_s,
        access=target.access("alertmanager"),
    )


def _signoff(_s: Sources, run: RunSettings, _phase: str) -> tuple[Any, str, Any]:
    path = run.target.path("signoff_file")
    records, problem = signoff.read_signoff(path)
    return records, problem, path


MEASUREMENTS: dict[str, Measurement] = {
    m.name: m
    for m in (
        Measurement(
            "connection",
            lambda s, run, p: connection.measure_connection(
                s.prometheus, run.metrics, run.window(p)
            ),
        ),
        Measurement(
            "errors-total",
            lambda s, run, p: errors.measure_errors_total(s.prometheus, run.metrics, run.window(p)),
        ),
        Measurement(
            "error-rate",
            lambda s, run, p: errors.measure_error_rate(s.prometheus, run.metrics, run.window(p)),
        ),
        Measurement(
            "health", lambda s, _run, _p: s.health.read(), shared_by=("health_url", "timeout_s")
        ),
        Measurement(
            "health-latency",
            lambda s, run, _p: health.measure_health_latency(
                s.health, run.thresholds.sampling.health_requests
            ),
            shared_by=("health_url", "timeout_s"),
            alone=True,
        ),
        Measurement(
            "consistency",
            lambda s, run, _p: consistency.measure_consistency(
                s.health, s.prometheus, run.metrics, run.started if s.member else None
            ),
        ),
        Measurement(
            "restarts",
            lambda s, run, p: restarts.measure_restarts(
                s.prometheus,
                s.ssh,
                run.metrics,
                run.target.settings.unit,
                run.window(p),
                run.target.settings.process_metrics,
            ),
            first=True,
            host_commands=lambda run, p: HostCommand.of(
                restarts.restart_commands(run.target.settings.unit, run.window(p)),
                privileged=True,
            ),
        ),  # fmt: skip
        Measurement(
            "alerts",
            lambda s, run, p: alerts.measure_alerts(
                s.prometheus, run.metrics, run.window(p), run.target.settings.alert_rules
            ),
        ),
        Measurement(
            "memory-growth",
            lambda s, run, p: resources.measure_memory_growth(
                s.prometheus, run.metrics, run.window(p), run.target.settings.process_metrics
            ),
        ),
        Measurement(
            "memory-peak",
            lambda s, run, p: resources.measure_memory_peak(
                s.prometheus, run.metrics, run.window(p), run.target.settings.process_metrics
            ),
        ),
        Measurement(
            "cpu",
            lambda s, run, p: resources.measure_cpu(
                s.prometheus, run.metrics, run.window(p), run.target.settings.process_metrics
            ),
        ),
        Measurement(
            "logs",
            lambda s, run, p: logfile.measure_logs(
                s.ssh,
                run.target.settings.unit,
                run.window(p),
                run.target.settings.log_file,
                _zone(run),
            ),
            first=True,
            host_commands=_log_commands(channel_events=False),
        ),
        Measurement(
            "service",
            lambda s, run, _p: host.measure_service(s.ssh, run.target.settings.unit),
            first=True,
            host_commands=lambda run, _p: HostCommand.of(
                host.service_commands(run.target.settings.unit), privileged=True
            ),
        ),  # fmt: skip
        Measurement(
            "channel-events",
            lambda s, run, p: logfile.measure_channel_logs(
                s.ssh,
                run.target.settings.unit,
                run.window(p),
                run.target.settings.log_file,
                _zone(run),
            ),
            first=True,
            host_commands=_log_commands(channel_events=True),
        ),
        Measurement("backup", _backup, first=True, host_commands=_backup_commands),
        Measurement(
            "monitoring",
            lambda s, run, p: monitoring.measure_monitoring(
                s.prometheus,
                run.metrics,
                run.window(p),
                run.target.settings.alertmanager_url,
                run.target.settings.dashboard_url,
                run.target.settings.timeout_s,
                run.target.settings.alert_rules,
                run.target.access("alertmanager"),
                run.target.access("dashboard"),
            ),
        ),  # fmt: skip
        Measurement(
            "vs-previous-release",
            lambda s, run, p: releases.measure_comparison(
                s.prometheus,
                run.metrics,
                run.window(p),
                parse_baseline(run.target.settings.baseline, "baseline"),
                run.target.settings.process_metrics,
                run.history_db,
                run.target.name,
                run.target.deployed_at,
            ),
        ),
        Measurement("peak-periods", _periods("peak")),
        Measurement("offpeak-periods", _periods("off-peak")),
        Measurement("alert-path", _alert_path),
        Measurement("sign-off", _signoff),
    )
}


# ---------------------------------------------------------------- criteria


def _handled(j: Judging, peak: bool) -> Verdict:
    hours = j.run.thresholds.traffic.peak if peak else j.run.thresholds.traffic.off_peak
    return traffic.judge_handled(
        j.criterion.id,
        j.measured("peak-periods" if peak else "offpeak-periods"),
        j.measured("connection"),
        hours,
        j.run.thresholds.tiers("uptime", j.phase),
        j.run.thresholds.tiers("error_rate", j.phase),
        j.window,
        j.line,
        zero_errors=not peak,  # off-peak: no errors at all
    )


def _offpeak(j: Judging) -> Verdict:
    return traffic.with_cpu_check(
        _handled(j, peak=False), j.measured("offpeak-periods"), j.measured("peak-periods")
    )


def _alerts(j: Judging) -> Verdict:
    target = j.run.target
    anchors = [*([target.deployed_at] if target.deployed_at else []), *target.planned_restarts]
    return alerts.judge_alerts(
        j.measured("alerts"), j.tiers, j.window, j.line, target.expected_alerts, anchors
    )


def _alerts_functional(j: Judging) -> Verdict:
    target = j.run.target
    if not target.settings.send_test_alert:
        return alert_path.not_opted_in()
    measured = j.measured("alert-path")
    if measured is None:
        return no_data("alerts-functional", "no alertmanager_url configured", None, ())
    return alert_path.judge_alert_path(measured)


def _pair(measured: tuple[Any, Any]) -> tuple[Any, Any]:
    return measured


def _triple(measured: tuple[Any, Any, Any]) -> tuple[Any, Any, Any]:
    return measured


def _vs_previous_release(j: Judging) -> Verdict:
    """The comparison, with memory-growth's stable line as the least memory slope rise that
    counts (growth the samples cannot tell from none is no worse)."""
    stable = 1.0
    if "memory_growth" in j.run.thresholds.metrics:
        line = j.run.thresholds.tiers("memory_growth", j.phase).stable_within
        stable = stable if line is None else line
    return releases.judge_comparison(
        j.measured("vs-previous-release"), j.run.thresholds.comparison, stable, j.window, j.line
    )


def _health_up(j: Judging) -> Verdict:
    target = j.run.target
    return health.judge_health_up(
        j.measured("health"),
        target.settings.channel,
        target.settings.healthy_status,
        target.settings.degraded_status,
    )


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion(
            "health-up", "Health endpoint healthy and connected", "health", _health_up,
            needs=("health",),
        ),
        Criterion(
            "health-version", "Deployed version is the expected one", "health",
            lambda j: health.judge_health_version(j.measured("health"), j.run.target.settings.version),
            needs=("health",),
        ),
        Criterion(
            "health-latency", "Health endpoint response time acceptable", "health",
            lambda j: health.judge_health_latency(j.measured("health-latency"), j.tiers),
            needs=("health-latency",), metric="health_latency",
        ),
        Criterion(
            "uptime", "Uptime target met", "prometheus",
            lambda j: uptime.judge_uptime(j.measured("connection"), j.tiers, j.line),
            needs=("connection",), metric="uptime",
        ),
        Criterion(
            "longest-disconnect", "No disconnection longer than 1 minute", "prometheus",
            lambda j: connection.judge_longest_disconnect(j.measured("connection"), j.tiers, j.line),
            needs=("connection",), metric="longest_disconnect",
        ),
        Criterion(
            "errors-total", "Error count within limits", "prometheus",
            lambda j: errors.judge_errors_total(
                *_pair(j.measured("errors-total")), j.tiers, j.window, j.line
            ),
            needs=("errors-total",), metric="errors_total",
        ),
        Criterion(
            "error-rate", "Error rate acceptable", "prometheus",
            lambda j: errors.judge_error_rate(
                *_triple(j.measured("error-rate")), j.tiers, j.window, j.line
            ),
            needs=("error-rate",), metric="error_rate",
        ),
        Criterion(
            "restarts", "Zero unplanned restarts", "prometheus",
            lambda j: restarts.judge_restarts(
                j.measured("restarts"), list(j.run.target.planned_restarts), j.tiers, j.window,
                j.line,
            ),
            needs=("restarts",), metric="unplanned_restarts",
        ),
        Criterion(
            "alerts", "No alerts (or only expected ones)", "prometheus", _alerts,
            needs=("alerts",), metric="alert_count",
        ),
        Criterion(
            "memory-growth", "Memory stable (no leak)", "prometheus",
            lambda j: resources.judge_memory_growth(
                j.measured("memory-growth"), j.run.metrics, j.tiers, j.window, j.line
            ),
            needs=("memory-growth",), metric="memory_growth",
        ),
        Criterion(
            "memory-peak", "Memory usage below the limit", "prometheus",
            lambda j: resources.judge_memory_peak(
                j.measured("memory-peak"), j.run.metrics, j.tiers, j.window, j.line
            ),
            needs=("memory-peak",), metric="memory_peak",
        ),
        Criterion(
            "cpu", "CPU usage low", "prometheus",
            lambda j: resources.judge_cpu(j.measured("cpu"), j.run.metrics, j.tiers, j.window, j.line),
            needs=("cpu",), metric="cpu",
        ),
        Criterion(
            "coverage", "Monitoring covered the whole window", "prometheus",
            lambda j: connection.judge_coverage(j.measured("connection"), j.line),
            needs=("connection",), rollback=False,
        ),
        Criterion(
            "consistency", "Health endpoint and Prometheus agree", "health+prometheus",
            lambda j: consistency.judge_consistency(j.measured("consistency")),
            needs=("consistency",),
        ),
        Criterion(
            "peak-observed", "One peak period observed", "prometheus",
            lambda j: traffic.judge_peak_observed(
                j.measured("peak-periods"), j.measured("connection"),
                j.run.thresholds.traffic.peak, j.window,
            ),
            needs=("peak-periods", "connection"), rollback=False,
        ),
        Criterion(
            "peak-handled", "Passed peak hours", "prometheus", lambda j: _handled(j, peak=True),
            needs=("peak-periods", "connection"),
        ),
        Criterion(
            "offpeak-handled", "Passed off-peak hours", "prometheus", _offpeak,
            needs=("offpeak-periods", "connection", "peak-periods"),
        ),
        Criterion(
            "channel-events", "No errors after channel events", "ssh",
            lambda j: channel.judge_channel_events(
                j.measured("channel-events"), j.run.thresholds.channel_events, j.window
            ),
            needs=("channel-events",),
        ),
        Criterion(
            "monitoring-operational", "All monitoring systems operational", "prometheus",
            lambda j: monitoring.judge_monitoring(j.measured("monitoring"), j.window),
            needs=("monitoring",), rollback=False,
        ),
        Criterion(
            "alerts-functional", "All alerts functional (tested)", "alertmanager",
            _alerts_functional, needs=("alert-path",), fleet_wide=True, rollback=False,
        ),
        Criterion(
            "backup", "Backup creation success", "ssh",
            lambda j: backup.judge_backup(j.measured("backup")),
            needs=("backup",), only_if_set="backup_glob", rollback=False,
        ),
        Criterion(
            "sign-off", "Team confident / user feedback positive (manual)", "file",
            lambda j: signoff.judge_signoff(*j.measured("sign-off")),
            needs=("sign-off",), fleet_wide=True, manual=True,
        ),
        Criterion(
            "vs-previous-release", "Not worse than the previous release (like for like)",
            "prometheus", _vs_previous_release, needs=("vs-previous-release",), rollback=False,
        ),
        Criterion(
            "logs-clean", "Logs clean (no error-priority journal lines)", "ssh",
            lambda j: host.judge_logs_clean(j.measured("logs"), j.window),
            needs=("logs",),
        ),
        Criterion(
            "service-active", "Service active", "ssh",
            lambda j: host.judge_service_active(*j.measured("service")),
            needs=("service",),
        ),
    )
}  # fmt: skip


def test_name_to_id(function_name: str) -> str:
    """`test_longest_disconnect` -> `longest-disconnect`."""
    return function_name.removeprefix("test_").replace("_", "-")
