"""`python -m burnin doctor --target NAME`: does everything a run will use exist and answer?
Each source (Prometheus, Alertmanager, the dashboard, the host over SSH, the health endpoint),
each name the configuration uses (the selector, every metric, rule, unit, log, backup glob,
health field and status word), one line each; for a missing one, the closest names that do
exist and the configuration line to write. A check a source could not answer is "not checked",
with the reason, never left out. Run it before the first checkpoint: a misnamed metric would
otherwise surface as NO_DATA rows hours later, a wrong backup glob as a CRITICAL verdict.

This module asks the sources in turn (`diagnose`) and checks a fleet's selector
(`check_fleet`); each check lives in its own module:
- checks: the `Check` line, "not checked", the summary (`report`)
- names: the closest existing names to a missing one
- explain: why a source did not answer, and the setting to change
- metrics: the selector and each metric in Prometheus; selector: the selector to propose
- rules: the alerting rules; stack: the Alertmanager and the dashboard
- host: the unit and its logs over SSH; backups: the backups over SSH
- health: the health endpoint's fields, status word, version and channel
"""

from __future__ import annotations

from collections.abc import Callable

from burnin.config import Target
from burnin.doctor.backups import backup_what, check_backup, guess_glob, near_backups
from burnin.doctor.checks import Check, not_checked, not_set, report
from burnin.doctor.explain import explain, unanswered
from burnin.doctor.health import check_health, planned_health
from burnin.doctor.host import SUDO_FIX, check_logs, check_unit, logs_what
from burnin.doctor.metrics import check_metrics, planned_metrics
from burnin.doctor.names import closest
from burnin.doctor.rules import check_rules, planned_rules
from burnin.doctor.selector import adjusted, selector_text, shared
from burnin.doctor.stack import ALERTMANAGERS, check_stack
from burnin.errors import SourceError
from burnin.partial import PartialAnswer, collected, describe
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import SshProbe
from burnin.promql import Metrics, selects
from burnin.run import metrics_of

__all__ = [
    "SUDO_FIX",
    "Check",
    "adjusted",
    "check_backup",
    "check_fleet",
    "check_health",
    "check_host",
    "check_logs",
    "check_metrics",
    "check_prometheus",
    "check_rules",
    "check_stack",
    "check_unit",
    "closest",
    "diagnose",
    "explain",
    "guess_glob",
    "near_backups",
    "not_checked",
    "partial_check",
    "report",
    "selector_text",
    "selects",
    "shared",
]


def check_prometheus(
    target: Target, metrics: Metrics
) -> tuple[list[Check], PrometheusProbe | None]:
    planned = planned_metrics(target, metrics) + planned_rules(target) + [ALERTMANAGERS]
    url = target.settings.prometheus_url
    if not url:
        fix = 'prometheus_url = "http://prometheus-host:9090"'
        return not_set("prometheus", "prometheus_url", fix, planned), None
    prometheus = PrometheusProbe(url, target.settings.timeout_s, access=target.access("prometheus"))
    try:
        prometheus.ready()
    except SourceError as exc:
        return unanswered(f"prometheus {prometheus.where}", exc, "prometheus", planned), None
    checks = [Check(True, f"prometheus {prometheus.where}", "ready")]
    found, partial = collected(
        lambda: _attempt(
            planned_metrics(target, metrics), lambda: check_metrics(prometheus, target, metrics)
        )
    )
    checks += found
    if partial:
        checks.append(partial_check(partial))
    checks += _attempt(planned_rules(target), lambda: check_rules(prometheus, target))
    return checks, prometheus


def partial_check(partial: tuple[PartialAnswer, ...]) -> Check:
    """Prometheus said its answers may be partial: while it does, no Prometheus criterion can
    pass (burnin.partial)."""
    return Check(
        False,
        "prometheus answers",
        f"{describe(partial)}; while it says so, every Prometheus criterion is NO_DATA",
        fix="make every store Prometheus reads from answer (its remote_read, Thanos stores), or "
        "point prometheus_url at one that answers whole",
    )


def _attempt(planned: list[str], make: Callable[[], list[Check]]) -> list[Check]:
    """The checks `make` makes; each planned one "not checked" when its source fails midway."""
    try:
        return make()
    except SourceError as exc:
        cause, _ = explain(exc, exc.source)
        return not_checked(planned, f"{exc.source} at {exc.where}: {cause}")


def planned_host(target: Target) -> list[str]:
    return [f"unit {target['unit']}", logs_what(target), backup_what(target)]


def check_host(target: Target, ssh: SshProbe | None) -> list[Check]:
    planned = planned_host(target)
    if ssh is None:
        fix = 'ssh_host = "the bot\'s host"  (an ~/.ssh/config alias works)'
        return not_set("ssh", "ssh_host", fix, planned)
    try:
        ssh.connect()
    except SourceError as exc:
        return unanswered(f"ssh {ssh.settings.where}", exc, "ssh", planned)
    try:
        return [
            Check(True, f"ssh {ssh.settings.where}", "connected"),
            *check_unit(ssh, target),
            check_backup(ssh, target),
        ]
    finally:
        ssh.close()


def diagnose(target: Target, metrics: Metrics, ssh: SshProbe | None) -> list[Check]:
    checks, prometheus = check_prometheus(target, metrics)
    checks += check_stack(prometheus, target)
    checks += check_host(target, ssh)
    if target.settings.health_url:
        checks += check_health(target)
    else:
        fix = 'health_url = "http://bot-host:8000/api/health"'
        checks += not_set("health", "health_url", fix, planned_health(target))
    return checks


def check_fleet(target: Target) -> list[Check]:
    """A fleet whose selector tells its bots apart by one matcher `label="{instance}"` is asked
    about together and each bot judged on its own series; without one, every bot's Prometheus
    criteria judge the same series (all of the fleet's: never a wrong pass, but no bot's own)."""
    bots = target.bots()
    if not target.values.get("instances"):
        return []
    apart = all(metrics_of(bot).member is not None for bot in bots)
    if apart:
        return [Check(True, "fleet", f"{len(bots)} bots, told apart by the selector")]
    return [
        Check(
            False,
            "fleet",
            f"the selector {target['selector']!r} does not tell the {len(bots)} bots apart: each "
            "bot's Prometheus criteria would judge the same series",
            'selector = \'env="prod", instance="{instance}"\'  (the label that names a bot)',
        )
    ]
