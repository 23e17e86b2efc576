"""Every setting of a target: its key in targets.toml, its command-line option and its
environment variable (derived), its type and default; and how a raw value becomes a typed one.
Precedence (command line > environment > targets file > default) is applied in targets.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from burnin.config.access import ACCESS_KEYS, HTTP_SOURCES, setting_key
from burnin.errors import ConfigError


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
        "baseline",
        "--baseline",
        str,
        "previous-day",
        "vs-previous-release compares each window with: previous-day (the same hours a day "
        "earlier), previous-deployment (the same checkpoint of the deployment recorded before "
        "this one), an ISO 8601 interval START/END, or none (a first deployment: skipped)",
    ),
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
    """How each HTTP source is reached (burnin.config.access): per source and for every source."""
    made = []
    for source in ("", *HTTP_SOURCES):
        for key, text in ACCESS_KEYS.items():
            name = setting_key(source, key)
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


def coerce(setting: Setting, raw: Any, where: str) -> Any:
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
            number = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {raw!r}") from None
        if not number > 0:
            raise ConfigError(f"{where}: expected a positive number, got {raw!r}")
        return number
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


@dataclass(frozen=True)
class TargetSettings:
    """A target's settings, typed (every Setting but the HTTP access ones, which
    Target.access(source) hands out as an HttpAccess). Made from the checked values, so each
    field has its Setting's kind; tests/unit/test_config.py holds the two lists together."""

    health_url: str
    prometheus_url: str
    alertmanager_url: str
    dashboard_url: str
    ssh_host: str
    ssh_user: str
    ssh_port: int
    ssh_key: str
    ssh_config: str
    ssh_sudo: bool
    known_hosts: str
    accept_new_host_key: bool
    unit: str
    selector: str
    metric_prefix: str
    process_metrics: bool
    alert_rules: tuple[str, ...]
    healthy_status: tuple[str, ...]
    degraded_status: tuple[str, ...]
    log_file: str
    log_timezone: str
    channel: str
    version: str
    deployed_at: str
    baseline: str
    planned_restarts: str
    backup_glob: str
    send_test_alert: bool
    signoff_file: str
    timeout_s: float
    instances: tuple[str, ...]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> TargetSettings:
        return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls)})
