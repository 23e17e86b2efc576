"""`python -m burnin doctor --target NAME`: does every name the configuration uses exist in
production? One line per check; for a missing name, the closest names that do exist and the
configuration line to write. Run it before the first checkpoint: a misnamed metric would
otherwise surface as NO_DATA rows hours later.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from burnin.config import Target
from burnin.probes.health import MAX_BODY_BYTES, timed_get
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import SshProbe
from burnin.promql import BOT_METRICS, PROCESS_METRICS, Metrics
from burnin.run import metrics_of
from burnin.verdict import SourceError

RECENT = "1h"


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str  # "metric bot_users"
    detail: str  # what was found, or what is missing and the closest names
    fix: str = ""  # the configuration line to write

    def line(self) -> str:
        head = f"{'ok' if self.ok else 'MISSING':<8} {self.what}: {self.detail}"
        return head + (f"\n         fix: {self.fix}" if self.fix else "")


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates most like `name`: close spellings, and names holding its words
    (bot_users -> rosey_bot_channel_users, rosey-bot -> cytube-bot)."""
    # Words: split at _ - . : and at camelCase humps (BotRestarting -> bot, restarting).
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", name)]
    scored = []
    for candidate in set(candidates):
        ratio = difflib.SequenceMatcher(None, name.lower(), candidate.lower()).ratio()
        # A word counts when the candidate holds it or its stem (restarting ~ restarted).
        share = sum(w[:6] in candidate.lower() for w in words) / max(1, len(words))
        score = ratio + 0.5 * share
        # Half its words, or a close spelling: one shared word ("seconds") is no likeness.
        if score >= 0.6 and (share >= 0.5 or ratio >= 0.75):
            scored.append((score, candidate))
    return [c for _, c in sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]]


def _table_line(target: Target, table: str, key: str, value: str) -> str:
    return f'[targets.{target.name}.{table}] {key} = "{value}"'


def check_metrics(prometheus: PrometheusProbe, target: Target, metrics: Metrics) -> list[Check]:
    now = datetime.now(UTC)
    names = list(BOT_METRICS) + (list(PROCESS_METRICS) if target["process_metrics"] else [])
    try:
        known = prometheus.metric_names()
    except SourceError:
        known = []
    checks = []
    selector = ",".join(str(m) for m in metrics.selector)
    for contract_name in names:
        name = metrics.name(contract_name)
        series = metrics.series(contract_name)
        count = prometheus.scalar(f"count(last_over_time({series}[{RECENT}]))", now)
        if count:
            checks.append(Check(True, f"metric {contract_name}", f"{series}: {count:g} series"))
            continue
        anywhere = prometheus.instant(f"last_over_time({name}[{RECENT}])", now)
        if anywhere:
            labels = {k: v for k, v in anywhere[0].labels.items() if k != "__name__"}
            shown = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            if contract_name in PROCESS_METRICS:
                # Another job's (often Prometheus' own): the bot does not export it.
                fix = "process_metrics = false  (if the bot exports no process metrics)"
            else:
                label = "env" if "env" in labels else "job"
                fix = f"selector = '{label}=\"{labels.get(label, '')}\"'"
            checks.append(
                Check(
                    False,
                    f"metric {contract_name}",
                    f"{name} exists, but no series under {{{selector}}} in the last {RECENT}; "
                    f"its series carry {{{shown}}}",
                    fix,
                )
            )
            continue
        near = closest(name, known)
        fix = _table_line(target, "metrics", contract_name, near[0]) if near else ""
        if contract_name in PROCESS_METRICS and not near:
            fix = "process_metrics = false  (if the bot exports no process metrics)"
        checks.append(
            Check(
                False,
                f"metric {contract_name}",
                f"{name}: no series under {{{selector}}} in the last {RECENT}; closest: "
                f"{', '.join(near) or 'none'}",
                fix,
            )
        )
    return checks


def check_rules(prometheus: PrometheusProbe, target: Target) -> list[Check]:
    rules = prometheus.alerting_rules()
    by_name = {r.name: r for r in rules}
    # The line to write: each expected rule, or the loaded rule closest to it.
    mapped = []
    for name in target["alert_rules"]:
        near = [name] if name in by_name else closest(name, by_name, 1)
        mapped.extend(n for n in near if n not in mapped)
    fix = "alert_rules = [" + ", ".join(f'"{n}"' for n in mapped) + "]"
    checks = []
    for name in target["alert_rules"]:
        rule = by_name.get(name)
        if rule is None:
            near = closest(name, by_name)
            loaded = ", ".join(sorted(by_name)) or "none"
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"not loaded in Prometheus; closest: {', '.join(near) or 'none'} "
                    f"(loaded: {loaded})",
                    fix,
                )
            )
        elif not rule.healthy:
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"loaded but not evaluating cleanly: {rule.health} {rule.last_error}",
                )
            )
        else:
            severity = rule.severity or "no severity label"
            checks.append(Check(True, f"alert rule {name}", f"loaded, evaluating ({severity})"))
    return checks


def check_unit(ssh: SshProbe, target: Target) -> list[Check]:
    unit = target["unit"]
    show = ssh.run(
        ["systemctl", "show", "-p", "LoadState", "-p", "StandardOutput", unit], privileged=True
    )
    properties = dict(line.split("=", 1) for line in show.stdout.splitlines() if "=" in line)
    if not show.ok or properties.get("LoadState") != "loaded":
        listing = ssh.run(
            ["systemctl", "list-units", "--all", "--type=service", "--no-legend", "--plain"],
            privileged=True,
        )
        units = [
            line.split()[0].removesuffix(".service")
            for line in listing.stdout.splitlines()
            if line.split()
        ]
        near = closest(unit, units)
        return [
            Check(
                False,
                f"unit {unit}",
                f"no such unit on the host ({show.describe() if not show.ok else 'not-found'}); "
                f"closest: {', '.join(near) or 'none'}",
                f'unit = "{near[0]}"' if near else "",
            )
        ]
    checks = [Check(True, f"unit {unit}", "loaded")]
    output = properties.get("StandardOutput", "")
    checks.append(check_logs(ssh, target, output))
    return checks


def check_logs(ssh: SshProbe, target: Target, standard_output: str) -> Check:
    log_file = target["log_file"]
    unit = target["unit"]
    if log_file:
        stat = ssh.run(["stat", "-c", "%Y %s", log_file], privileged=True)
        readable = ssh.run(["test", "-r", log_file], privileged=True)
        if not stat.ok or not readable.ok:
            return Check(False, f"log file {log_file}", f"not readable: {stat.describe()}")
        mtime, size = (float(x) for x in stat.stdout.split()[:2])
        age_s = datetime.now(UTC).timestamp() - mtime
        recent = age_s <= 3600
        return Check(
            recent,
            f"log file {log_file}",
            f"{size:g} bytes, last written {age_s / 60:.0f} min ago"
            + ("" if recent else ": not written in the last hour (the bot logs elsewhere?)"),
        )
    journal = ssh.run(
        [
            "journalctl",
            "--no-pager",
            "-q",
            "-u",
            unit,
            "--since",
            f"-{RECENT}",
            "-n",
            "1",
            "-o",
            "cat",
        ],
        privileged=True,
    )
    if journal.ok and journal.stdout.strip():
        return Check(True, f"journal of {unit}", f"entries in the last {RECENT}")
    fix = ""
    if standard_output.startswith(("append:", "file:")):
        fix = f'log_file = "{standard_output.split(":", 1)[1]}"  (the unit writes there)'
    return Check(
        False,
        f"journal of {unit}",
        f"no journal entries from the unit in the last {RECENT}"
        + (f"; its StandardOutput is {standard_output}" if standard_output else ""),
        fix,
    )


def check_health(target: Target) -> list[Check]:
    url = target["health_url"]
    answer = timed_get(url, target["timeout_s"], MAX_BODY_BYTES)
    if answer.problem or answer.status != 200:
        return [Check(False, f"health {url}", answer.problem or f"HTTP {answer.status}")]
    try:
        document = json.loads(answer.body.decode("utf-8", errors="replace"))
    except ValueError as exc:
        return [Check(False, f"health {url}", f"not JSON: {exc}")]
    if not isinstance(document, dict):
        return [Check(False, f"health {url}", f"not a JSON object: {type(document).__name__}")]
    checks = []
    taken = set(target.health_fields.values())
    for contract_name, key in target.health_fields.items():
        if key == "":
            checks.append(Check(True, f"health field {contract_name}", "declared absent"))
        elif key in document:
            checks.append(Check(True, f"health field {contract_name}", f"{key!r} present"))
        else:
            near = closest(key, [k for k in document if k not in taken])
            checks.append(
                Check(
                    False,
                    f"health field {contract_name}",
                    f"{key!r} missing; the JSON has {', '.join(sorted(document))}; closest: "
                    f"{', '.join(near) or 'none'}",
                    _table_line(target, "health_fields", contract_name, near[0] if near else ""),
                )
            )
    status_key = target.health_fields.get("status", "status")
    status = document.get(status_key)
    words = target["healthy_status"]
    if isinstance(status, str) and status in words:
        checks.append(Check(True, "health status word", f"{status!r} is a healthy word"))
    elif isinstance(status, str) and status in target["degraded_status"]:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, one of the degraded words: the bot says it is degraded "
                "right now (the words are right; the bot is not healthy)",
            )
        )
    else:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, not one of {', '.join(repr(w) for w in words)} (is the "
                "bot healthy right now, or does it say so in other words?)",
                f'healthy_status = ["{status}"]' if isinstance(status, str) else "",
            )
        )
    return checks


def diagnose(target: Target, metrics: Metrics, ssh: SshProbe | None) -> list[Check]:
    checks: list[Check] = []
    if target["prometheus_url"]:
        prometheus = PrometheusProbe(target["prometheus_url"], target["timeout_s"])
        try:
            prometheus.ready()
            checks.append(Check(True, "prometheus", f"{prometheus.url} ready"))
            checks += check_metrics(prometheus, target, metrics)
            checks += check_rules(prometheus, target)
        except SourceError as exc:
            checks.append(Check(False, "prometheus", str(exc)))
    else:
        checks.append(Check(False, "prometheus", "prometheus_url is not set for this target"))
    if ssh is not None:
        try:
            ssh.connect()
            checks += check_unit(ssh, target)
        except SourceError as exc:
            checks.append(Check(False, "ssh", str(exc)))
        finally:
            ssh.close()
    else:
        checks.append(Check(False, "ssh", "ssh_host is not set for this target"))
    if target["health_url"]:
        checks += check_health(target)
    else:
        checks.append(Check(False, "health", "health_url is not set for this target"))
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


def report(checks: Sequence[Check]) -> str:
    missing = sum(not c.ok for c in checks)
    lines = [c.line() for c in checks]
    lines.append(
        f"doctor: {len(checks) - missing} ok, {missing} missing"
        + ("" if missing else ": every name the configuration uses exists")
    )
    return "\n".join(lines)
