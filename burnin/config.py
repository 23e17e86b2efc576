"""Load and check thresholds.toml and targets.toml before any test runs.

Every problem becomes one ConfigError whose text names the file, the key and what was expected.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from burnin.bands import Better, Tiers
from burnin.catalogue import CRITERIA
from burnin.probes import access as http_access
from burnin.promql import CONTRACT_METRICS, parse_selector


class ConfigError(Exception):
    """A configuration mistake, worded for the person who made it."""


# ---------------------------------------------------------------- thresholds.toml

TIER_KEYS = ("target", "acceptable", "critical")
# Lines only some metrics have, beside their tiers (and in their phase overrides).
EXTRA_KEYS: dict[str, tuple[str, ...]] = {"memory_growth": ("stable_within",)}
PLACEHOLDER = "PROD_IP"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: str
    better: Better
    base: Mapping[str, float | None]
    phase_overrides: Mapping[str, Mapping[str, float]]

    def tiers(self, phase: str) -> Tiers:
        merged = {**self.base, **self.phase_overrides.get(phase, {})}
        return Tiers(
            metric=self.name,
            unit=self.unit,
            better=self.better,
            target=merged["target"],
            acceptable=float(merged["acceptable"] or 0.0),
            critical=float(merged["critical"] or 0.0),
            stable_within=merged.get("stable_within"),
        )


@dataclass(frozen=True)
class Phase:
    name: str  # "6h"
    duration: timedelta
    marker: str  # "checkpoint_6h"
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class DailyHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Traffic:
    timezone: ZoneInfo
    peak: DailyHours
    off_peak: DailyHours


@dataclass(frozen=True)
class ChannelEvents:
    """Journal lines that mark channel events, and how long after one an error counts as caused."""

    patterns: Mapping[str, str]  # event type -> regular expression on the journal MESSAGE
    quiet_s: float = 10.0


DEFAULT_CHANNEL_EVENTS = {
    "topic-change": r"(?i)topic (changed|set)",
    "kick-ban": r"(?i)\b(kicked|banned)\b",
    "media-change": r"(?i)media (added|changed|queued|removed)",
    "user-join-leave": r"(?i)\b(joined|left) the channel\b",
}


@dataclass(frozen=True)
class Sampling:
    health_requests: int = 10  # requests behind health-latency's average and p95


# Partial data can prove a failure, never a pass: below this share of its window covered by
# samples, a window criterion that would pass is NO_DATA (thresholds.toml [coverage]).
DEFAULT_COVERAGE_PERCENT = 99.0


@dataclass(frozen=True)
class Thresholds:
    path: Path
    metrics: Mapping[str, MetricSpec]
    phases: Mapping[str, Phase]
    traffic: Traffic
    sampling: Sampling = field(default_factory=Sampling)
    channel_events: ChannelEvents = field(
        default_factory=lambda: ChannelEvents(DEFAULT_CHANNEL_EVENTS)
    )
    coverage_min_percent: float = DEFAULT_COVERAGE_PERCENT

    def tiers(self, metric: str, phase: str) -> Tiers:
        return self.metrics[metric].tiers(phase)


def _where(path: Path, key: str) -> str:
    return f"{path.name}: {key}"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _check_keys(path: Path, key: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{_where(path, f'{key}.{unknown[0]}' if key else unknown[0])}: unknown key; "
            f"expected one of {', '.join(sorted(allowed))}"
        )


def _table(path: Path, key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_where(path, key)}: expected a table, got {value!r}")
    return value


def _number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{_where(path, key)}: expected a number, got {value!r}")
    return float(value)


def _string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{_where(path, key)}: expected a string, got {value!r}")
    return value


def _check_order(path: Path, key: str, better: Better, tiers: Mapping[str, float | None]) -> None:
    target, acceptable, critical = (tiers[k] for k in TIER_KEYS)
    sign = 1.0 if better is Better.LOWER else -1.0
    word = "above" if better is Better.LOWER else "below"
    opposite = "below" if better is Better.LOWER else "above"
    if target is not None and sign * target > sign * acceptable:  # type: ignore[operator]
        raise ConfigError(
            f"{_where(path, key)}: target {target:g} must not be {word} acceptable "
            f"{acceptable:g} when {better.value} is better"
        )
    if sign * acceptable > sign * critical:  # type: ignore[operator]
        raise ConfigError(
            f"{_where(path, key)}: critical {critical:g} is on the wrong side of acceptable "
            f"{acceptable:g} ({better.value} is better, so critical must not be {opposite} acceptable)"
        )


def _check_stable_within(
    path: Path,
    key: str,
    lines: Mapping[str, float | None],
    override: Mapping[str, float] | None = None,
) -> None:
    """memory-growth's stable line: a growth rate from 0 up to the acceptable line (a phase's
    acceptable when it overrides it)."""
    stable, acceptable = lines.get("stable_within"), lines["acceptable"]
    if stable is None or acceptable is None or 0 <= stable <= acceptable:
        return
    override = override or {}
    where = key if "stable_within" in override else key.split(".phase.")[0]
    phase = f" ({key}.acceptable)" if "acceptable" in override else ""
    raise ConfigError(
        f"{_where(path, f'{where}.stable_within')}: expected a number from 0 to acceptable "
        f"{acceptable:g}{phase}, got {stable:g}"
    )


def _metric(path: Path, name: str, raw: Any, phase_names: set[str]) -> MetricSpec:
    key = f"metrics.{name}"
    table = _table(path, key, raw)
    extra = EXTRA_KEYS.get(name, ())
    _check_keys(path, key, table, {"unit", "better", *TIER_KEYS, *extra, "phase"})
    for required in ("unit", "better", "acceptable", "critical"):
        if required not in table:
            raise ConfigError(f"{_where(path, f'{key}.{required}')}: missing")
    unit = _string(path, f"{key}.unit", table["unit"])
    better_text = _string(path, f"{key}.better", table["better"])
    try:
        better = Better(better_text)
    except ValueError:
        raise ConfigError(
            f'{_where(path, f"{key}.better")}: expected "lower" or "higher", got {better_text!r}'
        ) from None
    base: dict[str, float | None] = {"target": None}
    for tier in (*TIER_KEYS, *extra):
        if tier in table:
            base[tier] = _number(path, f"{key}.{tier}", table[tier])
    _check_order(path, key, better, base)
    _check_stable_within(path, key, base)
    overrides: dict[str, dict[str, float]] = {}
    for phase, raw_override in _table(path, f"{key}.phase", table.get("phase", {})).items():
        okey = f"{key}.phase.{phase}"
        if phase not in phase_names:
            raise ConfigError(
                f"{_where(path, okey)}: unknown phase; expected one of {', '.join(sorted(phase_names))}"
            )
        override_table = _table(path, okey, raw_override)
        _check_keys(path, okey, override_table, {*TIER_KEYS, *extra})
        overrides[phase] = {t: _number(path, f"{okey}.{t}", v) for t, v in override_table.items()}
        _check_order(path, okey, better, {**base, **overrides[phase]})
        _check_stable_within(path, okey, {**base, **overrides[phase]}, overrides[phase])
    return MetricSpec(name, unit, better, base, overrides)


def _phase(path: Path, name: str, raw: Any) -> Phase:
    key = f"phases.{name}"
    table = _table(path, key, raw)
    _check_keys(path, key, table, {"hours", "minutes", "marker", "criteria"})
    if ("hours" in table) == ("minutes" in table):
        raise ConfigError(f"{_where(path, key)}: expected exactly one of hours or minutes")
    unit = "hours" if "hours" in table else "minutes"
    length = _number(path, f"{key}.{unit}", table[unit])
    if length <= 0:
        raise ConfigError(
            f"{_where(path, f'{key}.{unit}')}: expected a positive number, got {length:g}"
        )
    duration = timedelta(hours=length) if unit == "hours" else timedelta(minutes=length)
    marker = _string(path, f"{key}.marker", table.get("marker", f"checkpoint_{name}"))
    criteria = table.get("criteria", [])
    if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
        raise ConfigError(f"{_where(path, f'{key}.criteria')}: expected a list of criterion ids")
    for criterion in criteria:
        if criterion not in CRITERIA:
            raise ConfigError(
                f"{_where(path, f'{key}.criteria')}: unknown criterion {criterion!r}; "
                f"expected one of {', '.join(CRITERIA)}"
            )
    return Phase(name, duration, marker, tuple(criteria))


def _hours(path: Path, key: str, raw: Any) -> DailyHours:
    text = _string(path, key, raw)
    try:
        start_text, end_text = text.split("-")
        hours = DailyHours(
            time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        )
    except ValueError:
        raise ConfigError(f'{_where(path, key)}: expected "HH:MM-HH:MM", got {text!r}') from None
    if hours.start == hours.end:
        raise ConfigError(f"{_where(path, key)}: {text!r} is empty: start and end must differ")
    return hours


def _traffic(path: Path, raw: Any) -> Traffic:
    table = _table(path, "traffic", raw)
    _check_keys(path, "traffic", table, {"timezone", "peak", "off_peak"})
    zone_name = _string(path, "traffic.timezone", table.get("timezone", "UTC"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a zone folder, e.g. "Europe"
        raise ConfigError(
            f"{_where(path, 'traffic.timezone')}: unknown timezone {zone_name!r}; expected an IANA "
            'name such as "Europe/Berlin" or "UTC"'
        ) from None
    return Traffic(
        zone,
        _hours(path, "traffic.peak", table.get("peak", "18:00-23:00")),
        _hours(path, "traffic.off_peak", table.get("off_peak", "02:00-07:00")),
    )


def load_thresholds(path: Path) -> Thresholds:
    document = _read_toml(path)
    _check_keys(
        path,
        "",
        document,
        {"metrics", "phases", "traffic", "sampling", "channel_events", "coverage"},
    )
    raw_phases = _table(path, "phases", document.get("phases", {}))
    if not raw_phases:
        raise ConfigError(f"{_where(path, 'phases')}: missing; expected at least one phase")
    phases = {name: _phase(path, name, raw) for name, raw in raw_phases.items()}
    metrics = {
        name: _metric(path, name, raw, set(phases))
        for name, raw in _table(path, "metrics", document.get("metrics", {})).items()
    }
    return Thresholds(
        path,
        metrics,
        phases,
        _traffic(path, document.get("traffic", {})),
        _sampling(path, document.get("sampling", {})),
        _channel_events(path, document.get("channel_events", {})),
        _coverage(path, document.get("coverage", {})),
    )


def _coverage(path: Path, raw: Any) -> float:
    table = _table(path, "coverage", raw)
    _check_keys(path, "coverage", table, {"min_percent"})
    percent = _number(
        path, "coverage.min_percent", table.get("min_percent", DEFAULT_COVERAGE_PERCENT)
    )
    if not 0 < percent <= 100:
        raise ConfigError(
            f"{_where(path, 'coverage.min_percent')}: expected a percentage above 0 and at most "
            f"100, got {percent:g}"
        )
    return percent


def _channel_events(path: Path, raw: Any) -> ChannelEvents:
    table = _table(path, "channel_events", raw)
    _check_keys(path, "channel_events", table, {"quiet_s", "patterns"})
    quiet_s = _number(path, "channel_events.quiet_s", table.get("quiet_s", 10.0))
    if quiet_s <= 0:
        raise ConfigError(f"{_where(path, 'channel_events.quiet_s')}: expected a positive number")
    patterns = dict(DEFAULT_CHANNEL_EVENTS)
    for name, pattern in _table(path, "channel_events.patterns", table.get("patterns", {})).items():
        key = f"channel_events.patterns.{name}"
        text = _string(path, key, pattern)
        try:
            re.compile(text)
        except re.error as exc:
            raise ConfigError(
                f"{_where(path, key)}: not a valid regular expression: {exc}"
            ) from None
        patterns[name] = text
    return ChannelEvents(patterns, quiet_s)


def _sampling(path: Path, raw: Any) -> Sampling:
    table = _table(path, "sampling", raw)
    _check_keys(path, "sampling", table, {"health_requests"})
    requests = _number(path, "sampling.health_requests", table.get("health_requests", 10))
    if requests < 1 or requests != int(requests):
        raise ConfigError(
            f"{_where(path, 'sampling.health_requests')}: expected a whole number >= 1"
        )
    return Sampling(int(requests))


# ---------------------------------------------------------------- targets.toml + options + env


@dataclass(frozen=True)
class Setting:
    key: str  # in targets.toml
    option: str  # on the command line
    kind: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "BURNIN_" + self.option.removeprefix("--").replace("-", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("health_url", "--health-url", str, "", "URL of the bot's health endpoint"),
    Setting("prometheus_url", "--prometheus-url", str, "", "Prometheus base URL"),
    Setting("alertmanager_url", "--alertmanager-url", str, "", "Alertmanager base URL"),
    Setting("dashboard_url", "--dashboard-url", str, "", "dashboard URL"),
    Setting("ssh_host", "--ssh-host", str, "", "SSH host (a Host alias from ~/.ssh/config works)"),
    Setting("ssh_user", "--ssh-user", str, "", "SSH user (empty: from ssh_config)"),
    Setting("ssh_port", "--ssh-port", int, 0, "SSH port (0: from ssh_config, else 22)"),
    Setting("ssh_key", "--ssh-key", str, "", "SSH private key file (empty: ssh_config/agent)"),
    Setting(
        "ssh_config",
        "--ssh-config",
        str,
        "",
        "ssh_config file read instead of ~/.ssh/config (Host aliases, ProxyJump bastions)",
    ),
    Setting("ssh_sudo", "--ssh-sudo", bool, False, "run systemctl/journalctl with `sudo -n`"),
    Setting("known_hosts", "--known-hosts", str, "~/.ssh/known_hosts", "known_hosts to verify"),
    Setting(
        "accept_new_host_key",
        "--accept-new-host-key",
        bool,
        False,
        "trust an SSH host key that is not in known_hosts (explicit opt-in)",
    ),
    Setting("unit", "--unit", str, "rosey-bot", "systemd unit of the bot"),
    Setting("selector", "--selector", str, 'env="production"', "PromQL label matchers"),
    Setting(
        "metric_prefix", "--metric-prefix", str, "", "prefix on the bot's own bot_* metric names"
    ),
    Setting(
        "process_metrics",
        "--process-metrics",
        bool,
        True,
        "the bot exports the standard process_* metrics (false: memory and CPU are skipped)",
    ),
    Setting(
        "alert_rules",
        "--alert-rules",
        tuple,
        ("BotDown", "BotRestarting", "HighErrorRate", "CriticalErrorRate", "ChannelEmpty"),
        "alerting rules production must run (comma-separated; the contract's by default)",
    ),
    Setting(
        "healthy_status",
        "--healthy-status",
        tuple,
        ("healthy",),
        "health JSON status word(s) that mean healthy (exact compare; comma-separated)",
    ),
    Setting(
        "degraded_status",
        "--degraded-status",
        tuple,
        ("degraded",),
        "health JSON status word(s) that mean degraded: a yellow flag, not a red one",
    ),
    Setting(
        "log_file",
        "--bot-log-file",
        str,
        "",
        "the bot's log file on the host (rotated .1/.gz beside it); empty: the journal",
    ),
    Setting(
        "log_timezone",
        "--bot-log-timezone",
        str,
        "UTC",
        "timezone of the log file's [YYYY-mm-dd HH:MM:SS] stamps (an IANA name)",
    ),
    Setting("channel", "--channel", str, "", "channel the bot must be in (empty: any)"),
    Setting("version", "--expected-version", str, "", "version that must be deployed"),
    Setting("deployed_at", "--deployed-at", str, "", "deployment start, ISO 8601 with offset"),
    Setting(
        "planned_restarts",
        "--planned-restarts",
        str,
        "",
        "comma-separated ISO 8601 times of planned restarts (not counted as unplanned)",
    ),
    Setting(
        "backup_glob",
        "--backup-glob",
        str,
        "/backups/rosey-*.db",
        "where the daily backups are on the host (a shell glob; empty: no backup check)",
    ),
    Setting(
        "send_test_alert",
        "--send-test-alert",
        bool,
        False,
        "alerts-functional: send a test alert through Alertmanager (writes to production)",
    ),
    Setting(
        "signoff_file",
        "--signoff-file",
        str,
        "signoff.toml",
        "the manual sign-off record (who, when, answer)",
    ),
    Setting("timeout_s", "--source-timeout", float, 10.0, "timeout of each network call, s"),
    Setting(
        "instances",
        "--instances",
        tuple,
        (),
        "a fleet: its bots' names (comma-separated); {instance} in any other setting is "
        "replaced by each, and every criterion runs once per bot",
    ),
)


def _access_settings() -> tuple[Setting, ...]:
    """How each HTTP source is reached (burnin.probes.access): per source and for every source."""
    made = []
    for source in ("", *http_access.HTTP_SOURCES):
        for key, text in http_access.ACCESS_KEYS.items():
            name = http_access.setting_key(source, key)
            scope = f"{source}: " if source else "every HTTP source: "
            made.append(Setting(name, "--" + name.replace("_", "-"), str, "", scope + text))
    return tuple(made)


SETTINGS += _access_settings()
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}

HEALTH_FIELDS = (
    "status",
    "connected",
    "channel",
    "uptime_seconds",
    "version",
    "user_count",
    "requests_handled",
    "error_count",
)
# Fields a deployment's health JSON may lack (mapped to "" in [targets.NAME.health_fields]).
OPTIONAL_HEALTH_FIELDS = ("channel", "uptime_seconds", "version", "requests_handled")


@dataclass(frozen=True)
class ExpectedAlert:
    """A firing that is expected, not counted: `within_s` after the deployment start or a
    planned restart (None: whenever it fires)."""

    alertname: str
    within_s: float | None

    def describe(self) -> str:
        if self.within_s is None:
            return f"{self.alertname} (any time)"
        return f"{self.alertname} (within {self.within_s / 60:g} min of a deployment or planned restart)"


@dataclass(frozen=True)
class Target:
    name: str
    values: Mapping[str, Any]
    sources: Mapping[
        str, str
    ]  # key -> "--health-url", "BURNIN_HEALTH_URL", "targets.toml", "default"
    health_fields: Mapping[str, str]
    deployed_at: datetime | None
    base_dir: Path = field(default=Path("."))
    planned_restarts: tuple[datetime, ...] = ()
    metric_names: Mapping[str, str] = field(default_factory=dict)  # contract name -> deployment's
    expected_alerts: tuple[ExpectedAlert, ...] = ()

    instance: str = ""  # one bot of a fleet: its name ("" for a target of one bot)
    fleet_selector: str = ""  # one bot of a fleet: the fleet's selector, `{instance}` unfilled

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def label(self) -> str:
        """The bot's name in test ids and report rows: its instance, else the target's."""
        return self.instance or self.name

    def bots(self) -> tuple[Target, ...]:
        """One target per bot: the fleet's instances with `{instance}` filled in, else itself."""
        instances = self.values.get("instances", ())
        if not instances:
            return (self,)
        return tuple(
            dataclasses.replace(
                self,
                values=with_instance(self.values, i),
                instance=i,
                fleet_selector=self.values["selector"],
            )
            for i in instances
        )

    def path(self, key: str) -> Path | None:
        """A file setting, relative to the targets file, '~' expanded; None when unset."""
        text = self.values[key]
        if not text:
            return None
        candidate = Path(os.path.expanduser(text))
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def access(self, source: str) -> http_access.HttpAccess:
        """How the observer reaches the HTTP source `source` (health, prometheus, ...): its own
        settings (`prometheus_ca_file`), else those for every source (`ca_file`)."""
        return http_access.access_of(self.values, self.base_dir, source)

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, value, where it came from) rows for the report header."""
        return [(k, _shown(self.values[k]), self.sources[k]) for k in self.values]


def _shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    if setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in (
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        ):
            return raw.lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"{where}: expected true or false, got {raw!r}")
    if setting.kind is int:
        try:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected an integer, got {raw!r}") from None
        if setting.key.endswith("port") and not 0 <= value <= 65535:
            raise ConfigError(
                f"{where}: expected a port number 1-65535 (0: from ssh_config), got {value}"
            )
        return value
    if setting.kind is float:
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {raw!r}") from None
        if not value > 0:
            raise ConfigError(f"{where}: expected a positive number, got {raw!r}")
        return value
    if setting.kind is tuple:  # a TOML list of strings, or "a, b" from the command line or env
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{where}: expected a list of names, got {raw!r}")
        return tuple(i.strip() for i in items if i.strip())
    if isinstance(raw, datetime):  # an unquoted TOML datetime
        return raw.isoformat()
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: expected a string, got {raw!r}")
    return raw


def _setting_where(path: Path, key: str, name: str, sources: Mapping[str, str]) -> str:
    """Where a setting's value came from, as an error names it: the table key in the targets
    file (the target it was inherited from, when `extends` brought it), else the option or
    environment variable."""
    source = sources[name]
    if source.startswith(path.name):
        table_key = source.rsplit("[", 1)[-1].rstrip("]") if "[" in source else key
        inherited = f" (inherited by {key})" if table_key != key else ""
        return _where(path, f"{table_key}.{name}") + inherited
    return source


def parse_time(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{where}: expected an ISO 8601 time such as 2026-11-28T09:00:00+00:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(f"{where}: {text!r} has no UTC offset; add one, e.g. {text}+00:00")
    return moment


def load_target(
    path: Path,
    cli: Mapping[str, Any],
    env: Mapping[str, str],
    name: str | None = None,
) -> Target:
    """Resolve one target: CLI option > environment variable > targets file > default.

    `cli` holds only the options given on the command line (key -> raw value); `name` is the
    --target value, else BURNIN_TARGET, else the file's `default`.
    """
    document = _read_toml(path)
    _check_keys(path, "", document, {"default", "targets"})
    targets = _table(path, "targets", document.get("targets", {}))
    chosen = name or env.get("BURNIN_TARGET") or document.get("default")
    if not chosen:
        raise ConfigError(f"{path.name}: no target chosen; pass --target NAME or set `default`")
    if chosen not in targets:
        raise ConfigError(
            f"{path.name}: unknown target {chosen!r}; expected one of {', '.join(targets) or '(none)'}"
        )
    key = f"targets.{chosen}"
    table = _resolved_table(path, targets, chosen, ())

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        if setting.key in cli and cli[setting.key] is not None:
            raw, source = cli[setting.key], setting.option
        elif setting.env in env:
            raw, source = env[setting.env], setting.env
        elif setting.key in table:
            origin = _origin(targets, chosen, setting.key)
            raw, source = table[setting.key], f"{path.name} [targets.{origin}]"
        else:
            raw, source = setting.default, "default"
        sources[setting.key] = source
        where = _setting_where(path, key, setting.key, sources)
        values[setting.key] = _coerce(setting, raw, where)
        sources[setting.key] = source
        if isinstance(values[setting.key], str) and PLACEHOLDER in values[setting.key]:
            raise ConfigError(
                f"{where}: still the placeholder {values[setting.key]!r}; point it at production "
                f"({setting.option} / {setting.env} or edit {path.name}) or choose another target "
                "with --target"
            )

    fields = _table(path, f"{key}.health_fields", table.get("health_fields", {}))
    _check_keys(path, f"{key}.health_fields", fields, set(HEALTH_FIELDS))
    health_fields = {
        f: _string(path, f"{key}.health_fields.{f}", fields.get(f, f)) for f in HEALTH_FIELDS
    }
    _check_instances(path, key, values, sources)
    for instance in values["instances"] or ("",):
        try:
            _check_values(path, key, with_instance(values, instance), sources, health_fields)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (for instance {instance})" if instance else exc) from None

    deployed_at = None
    if values["deployed_at"]:
        deployed_at = parse_time(
            values["deployed_at"], _setting_where(path, key, "deployed_at", sources)
        )
    planned = tuple(
        parse_time(text, _setting_where(path, key, "planned_restarts", sources))
        for text in values["planned_restarts"].split(",")
        if text.strip()
    )
    return Target(
        chosen,
        values,
        sources,
        health_fields,
        deployed_at,
        path.parent,
        planned,
        _metric_names(path, f"{key}.metrics", table.get("metrics", {})),
        _expected_alerts(path, f"{key}.expected_alerts", table.get("expected_alerts", {})),
    )


def with_instance(values: Mapping[str, Any], instance: str) -> dict[str, Any]:
    """The settings of one bot of a fleet: `{instance}` in every text replaced by its name."""
    if not instance:
        return dict(values)
    return {
        k: v.replace(INSTANCE_FIELD, instance) if isinstance(v, str) else v
        for k, v in values.items()
    }


def _check_instances(
    path: Path, key: str, values: Mapping[str, Any], sources: Mapping[str, str]
) -> None:
    """A fleet's instance names, and `{instance}` only where a fleet can fill it in."""
    instances = values["instances"]
    where = _setting_where(path, key, "instances", sources)
    for instance in instances:
        if not INSTANCE_NAME.fullmatch(instance):
            raise ConfigError(
                f"{where}: {instance!r} is not an instance name (letters, digits and _.:- only, "
                "e.g. bot-3 or 10.0.0.5:8000): it goes into URLs, unit names and PromQL"
            )
    target_name = key.removeprefix("targets.")
    if target_name in instances:
        raise ConfigError(
            f"{where}: {target_name!r} is the target's own name (it stands for the whole fleet "
            "in test ids: sign-off[NAME-24h]); name the bot otherwise"
        )
    if len(set(instances)) != len(instances):
        twice = sorted({i for i in instances if instances.count(i) > 1})
        raise ConfigError(f"{where}: {', '.join(twice)} listed twice")
    for name, value in values.items():
        if not (isinstance(value, str) and INSTANCE_FIELD in value):
            continue
        if name in FLEET_WIDE:
            raise ConfigError(
                f"{_setting_where(path, key, name, sources)}: {INSTANCE_FIELD} cannot be used "
                f"in {name}: it holds for the whole fleet"
            )
        if not instances:
            raise ConfigError(
                f"{_setting_where(path, key, name, sources)}: {value!r} uses {INSTANCE_FIELD} but "
                f'the target lists no instances; add instances = ["bot-1", "bot-2"] (or '
                "--instances) or write the value out"
            )


def _check_values(
    path: Path,
    key: str,
    values: Mapping[str, Any],
    sources: Mapping[str, str],
    health_fields: Mapping[str, str],
) -> None:
    """One bot's settings, each checked before the first test."""
    try:
        parse_selector(values["selector"])
    except ValueError as exc:
        raise ConfigError(f"{_setting_where(path, key, 'selector', sources)}: {exc}") from None
    if not UNIT_NAME.fullmatch(values["unit"]):
        raise ConfigError(
            f"{_setting_where(path, key, 'unit', sources)}: {values['unit']!r} is not a systemd "
            "unit name (letters, digits and :_.@- only, e.g. rosey-bot or rosey-bot.service)"
        )
    if values["log_file"].startswith("-") or "\n" in values["log_file"]:
        raise ConfigError(
            f"{_setting_where(path, key, 'log_file', sources)}: {values['log_file']!r} would "
            "read as an option or break a command; expected a path such as /var/log/bot/bot.log"
        )
    if values["backup_glob"].strip():
        from burnin.criteria.backup import split_glob  # the one rule for what find can take

        try:
            split_glob(values["backup_glob"])
        except ValueError as exc:
            raise ConfigError(
                f"{_setting_where(path, key, 'backup_glob', sources)}: {exc}"
            ) from None
    if values["metric_prefix"] and not METRIC_NAME.fullmatch(values["metric_prefix"]):
        raise ConfigError(
            f"{_setting_where(path, key, 'metric_prefix', sources)}: "
            f"{values['metric_prefix']!r} cannot start a Prometheus metric name (letters, "
            "digits, _ and :, not starting with a digit)"
        )
    for setting_key in ("alert_rules", "healthy_status", "degraded_status"):
        for word in values[setting_key]:
            if not word.isprintable() or any(c in word for c in "\"'`$\\"):
                raise ConfigError(
                    f"{_setting_where(path, key, setting_key, sources)}: {word!r} has quotes, "
                    "backslashes or control characters; expected a plain name"
                )
    if values["channel"] and health_fields["channel"] == "":
        raise ConfigError(
            f"{_setting_where(path, key, 'channel', sources)}: a channel is expected, but "
            f'{key}.health_fields.channel = "" says the health JSON carries none; map the '
            "field or leave the channel empty"
        )
    for name, mapped in health_fields.items():
        if not mapped and name not in OPTIONAL_HEALTH_FIELDS:
            raise ConfigError(
                f"{_where(path, f'{key}.health_fields.{name}')}: every health JSON must carry "
                f'{name}; only {", ".join(OPTIONAL_HEALTH_FIELDS)} may be "" (absent)'
            )
    for setting_key in ("healthy_status",):
        if not values[setting_key]:
            raise ConfigError(
                f"{_setting_where(path, key, setting_key, sources)}: expected at least one word"
            )
    for source in http_access.HTTP_SOURCES:
        url = values.get(f"{source}_url", "")
        if url:
            problem = http_access.access_problem(
                http_access.access_of(values, path.parent, source), url
            )
            if problem:
                raise ConfigError(f"{_where(path, key)}: {problem}")
    try:
        ZoneInfo(values["log_timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{_setting_where(path, key, 'log_timezone', sources)}: unknown timezone "
            f'{values["log_timezone"]!r}; expected an IANA name such as "Europe/Berlin" or "UTC"'
        ) from None


DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h)")


def _expected_alerts(path: Path, key: str, raw: Any) -> tuple[ExpectedAlert, ...]:
    """[targets.NAME.expected_alerts]: alert name -> "10m" (after a deployment or planned
    restart) or "always"."""
    found = []
    for name, value in _table(path, key, raw).items():
        text = _string(path, f"{key}.{name}", value).strip()
        if text == "always":
            found.append(ExpectedAlert(name, None))
            continue
        match = DURATION.fullmatch(text)
        if not match:
            raise ConfigError(
                f'{_where(path, f"{key}.{name}")}: expected a duration such as "10m", "90s" '
                f'or "1h" (after the deployment start or a planned restart), or "always"; '
                f"got {text!r}"
            )
        number, unit = float(match.group(1)), match.group(2)
        found.append(ExpectedAlert(name, number * {"s": 1, "m": 60, "h": 3600}[unit]))
    return tuple(found)


METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
INSTANCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]*")
INSTANCE_FIELD = "{instance}"
# Settings that hold for a whole fleet: one deployment, one clock of planned restarts.
FLEET_WIDE = ("instances", "deployed_at", "planned_restarts", "signoff_file")
UNIT_NAME = re.compile(r"[A-Za-z0-9:_.@][A-Za-z0-9:_.@\-]*")


TARGET_TABLES = ("health_fields", "metrics", "expected_alerts")


def _origin(targets: Mapping[str, Any], name: str, setting_key: str) -> str:
    """The target along the `extends` chain whose own table sets `setting_key`."""
    seen = set()
    while name not in seen:
        seen.add(name)
        table = targets.get(name)
        if not isinstance(table, Mapping):
            break
        if setting_key in table:
            return name
        base = table.get("extends")
        if not isinstance(base, str):
            break
        name = base
    return name


def _resolved_table(
    path: Path, targets: Mapping[str, Any], name: str, seen: tuple[str, ...]
) -> dict[str, Any]:
    """A target's table with what it `extends` filled in: the named target's keys first, its
    own on top (tables such as [metrics] merged key by key)."""
    key = f"targets.{name}"
    table = dict(_table(path, key, targets[name]))
    _check_keys(path, key, table, {*SETTINGS_BY_KEY, *TARGET_TABLES, "extends"})
    base_name = table.pop("extends", None)
    if base_name is None:
        return table
    base_name = _string(path, f"{key}.extends", base_name)
    if base_name not in targets:
        raise ConfigError(
            f"{_where(path, f'{key}.extends')}: unknown target {base_name!r}; expected one of "
            f"{', '.join(t for t in targets if t != name)}"
        )
    if base_name in (*seen, name):
        loop = " -> ".join((*seen, name, base_name))
        raise ConfigError(
            f"{_where(path, f'{key}.extends')}: targets extend each other in a loop: {loop}"
        )
    merged = _resolved_table(path, targets, base_name, (*seen, name))
    for sub in TARGET_TABLES:
        if sub in table and sub in merged:
            table[sub] = {
                **_table(path, f"{key}.{sub}", merged[sub]),
                **_table(path, f"{key}.{sub}", table[sub]),
            }
    return {**merged, **table}


def _metric_names(path: Path, key: str, raw: Any) -> dict[str, str]:
    """[targets.NAME.metrics]: the contract's metric name -> this deployment's."""
    table = _table(path, key, raw)
    _check_keys(path, key, table, set(CONTRACT_METRICS))
    names = {}
    for contract_name, value in table.items():
        name = _string(path, f"{key}.{contract_name}", value)
        if not METRIC_NAME.fullmatch(name):
            raise ConfigError(
                f"{_where(path, f'{key}.{contract_name}')}: {name!r} is not a Prometheus metric "
                "name (letters, digits, _ and :, not starting with a digit)"
            )
        names[contract_name] = name
    return names
