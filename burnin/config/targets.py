"""targets.toml: one target resolved from the command line, the environment, the file (with
`extends`) and the defaults, checked value by value before the first test."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from burnin.config import toml
from burnin.config.access import HTTP_SOURCES, HttpAccess, access_of, access_problem
from burnin.config.fleet import check_instances, with_instance
from burnin.config.settings import (
    HEALTH_FIELDS,
    OPTIONAL_HEALTH_FIELDS,
    SETTINGS,
    SETTINGS_BY_KEY,
    TargetSettings,
    coerce,
)
from burnin.errors import ConfigError
from burnin.hostfiles import split_glob
from burnin.promql import CONTRACT_METRICS, parse_selector
from burnin.schedule import parse_baseline, parse_time

PLACEHOLDER = "PROD_IP"


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

    @cached_property
    def settings(self) -> TargetSettings:
        """Every setting, typed: `target.settings.timeout_s`."""
        return TargetSettings.of(self.values)

    def __getitem__(self, key: str) -> Any:
        """A setting named at run time (a measurement's `shared_by`, doctor's per-source URL);
        code that names the setting reads `settings`."""
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

    def access(self, source: str) -> HttpAccess:
        """How the observer reaches the HTTP source `source` (health, prometheus, ...): its own
        settings (`prometheus_ca_file`), else those for every source (`ca_file`)."""
        return access_of(self.values, self.base_dir, source)

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, value, where it came from) rows for the report header."""
        return [(k, _shown(self.values[k]), self.sources[k]) for k in self.values]


def _shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


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
    document = toml.read_toml(path)
    toml.check_keys(path, "", document, {"default", "targets"})
    targets = toml.table(path, "targets", document.get("targets", {}))
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
        where = toml.setting_where(path, key, setting.key, sources)
        values[setting.key] = coerce(setting, raw, where)
        sources[setting.key] = source
        if isinstance(values[setting.key], str) and PLACEHOLDER in values[setting.key]:
            raise ConfigError(
                f"{where}: still the placeholder {values[setting.key]!r}; point it at production "
                f"({setting.option} / {setting.env} or edit {path.name}) or choose another target "
                "with --target"
            )

    fields = toml.table(path, f"{key}.health_fields", table.get("health_fields", {}))
    toml.check_keys(path, f"{key}.health_fields", fields, set(HEALTH_FIELDS))
    health_fields = {
        f: toml.string(path, f"{key}.health_fields.{f}", fields.get(f, f)) for f in HEALTH_FIELDS
    }
    check_instances(path, key, values, sources)
    checked: dict[tuple[HttpAccess, bool], str] = {}  # each access's files read once for every bot
    for instance in values["instances"] or ("",):
        try:
            _check_values(
                path, key, with_instance(values, instance), sources, health_fields, checked
            )
        except ConfigError as exc:
            raise ConfigError(f"{exc} (for instance {instance})" if instance else exc) from None

    parse_baseline(values["baseline"], toml.setting_where(path, key, "baseline", sources))
    deployed_at = None
    if values["deployed_at"]:
        deployed_at = parse_time(
            values["deployed_at"], toml.setting_where(path, key, "deployed_at", sources)
        )
    planned = tuple(
        parse_time(text, toml.setting_where(path, key, "planned_restarts", sources))
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


def _check_values(
    path: Path,
    key: str,
    values: Mapping[str, Any],
    sources: Mapping[str, str],
    health_fields: Mapping[str, str],
    checked: dict[tuple[HttpAccess, bool], str] | None = None,
) -> None:
    """One bot's settings, each checked before the first test (`checked`: the accesses whose
    files the bots before it checked)."""
    try:
        parse_selector(values["selector"])
    except ValueError as exc:
        raise ConfigError(f"{toml.setting_where(path, key, 'selector', sources)}: {exc}") from None
    if not UNIT_NAME.fullmatch(values["unit"]):
        raise ConfigError(
            f"{toml.setting_where(path, key, 'unit', sources)}: {values['unit']!r} is not a systemd "
            "unit name (letters, digits and :_.@- only, e.g. rosey-bot or rosey-bot.service)"
        )
    if values["log_file"].startswith("-") or "\n" in values["log_file"]:
        raise ConfigError(
            f"{toml.setting_where(path, key, 'log_file', sources)}: {values['log_file']!r} would "
            "read as an option or break a command; expected a path such as /var/log/bot/bot.log"
        )
    if values["backup_glob"].strip():
        try:
            split_glob(values["backup_glob"])
        except ValueError as exc:
            raise ConfigError(
                f"{toml.setting_where(path, key, 'backup_glob', sources)}: {exc}"
            ) from None
    if values["metric_prefix"] and not METRIC_NAME.fullmatch(values["metric_prefix"]):
        raise ConfigError(
            f"{toml.setting_where(path, key, 'metric_prefix', sources)}: "
            f"{values['metric_prefix']!r} cannot start a Prometheus metric name (letters, "
            "digits, _ and :, not starting with a digit)"
        )
    for setting_key in ("alert_rules", "healthy_status", "degraded_status"):
        for word in values[setting_key]:
            if not word.isprintable() or any(c in word for c in "\"'`$\\"):
                raise ConfigError(
                    f"{toml.setting_where(path, key, setting_key, sources)}: {word!r} has quotes, "
                    "backslashes or control characters; expected a plain name"
                )
    if values["channel"] and health_fields["channel"] == "":
        raise ConfigError(
            f"{toml.setting_where(path, key, 'channel', sources)}: a channel is expected, but "
            f'{key}.health_fields.channel = "" says the health JSON carries none; map the '
            "field or leave the channel empty"
        )
    for name, mapped in health_fields.items():
        if not mapped and name not in OPTIONAL_HEALTH_FIELDS:
            raise ConfigError(
                f"{toml.where(path, f'{key}.health_fields.{name}')}: every health JSON must carry "
                f'{name}; only {", ".join(OPTIONAL_HEALTH_FIELDS)} may be "" (absent)'
            )
    for setting_key in ("healthy_status",):
        if not values[setting_key]:
            raise ConfigError(
                f"{toml.setting_where(path, key, setting_key, sources)}: expected at least one word"
            )
    for source in HTTP_SOURCES:
        url = values.get(f"{source}_url", "")
        if url:
            problem = access_problem(access_of(values, path.parent, source), url, checked)
            if problem:
                raise ConfigError(f"{toml.where(path, key)}: {problem}")
    try:
        ZoneInfo(values["log_timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{toml.setting_where(path, key, 'log_timezone', sources)}: unknown timezone "
            f'{values["log_timezone"]!r}; expected an IANA name such as "Europe/Berlin" or "UTC"'
        ) from None


DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h)")


def _expected_alerts(path: Path, key: str, raw: Any) -> tuple[ExpectedAlert, ...]:
    """[targets.NAME.expected_alerts]: alert name -> "10m" (after a deployment or planned
    restart) or "always"."""
    found = []
    for name, value in toml.table(path, key, raw).items():
        text = toml.string(path, f"{key}.{name}", value).strip()
        if text == "always":
            found.append(ExpectedAlert(name, None))
            continue
        match = DURATION.fullmatch(text)
        if not match:
            raise ConfigError(
                f'{toml.where(path, f"{key}.{name}")}: expected a duration such as "10m", "90s" '
                f'or "1h" (after the deployment start or a planned restart), or "always"; '
                f"got {text!r}"
            )
        number, unit = float(match.group(1)), match.group(2)
        found.append(ExpectedAlert(name, number * {"s": 1, "m": 60, "h": 3600}[unit]))
    return tuple(found)


METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
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
    table = dict(toml.table(path, key, targets[name]))
    toml.check_keys(path, key, table, {*SETTINGS_BY_KEY, *TARGET_TABLES, "extends"})
    base_name = table.pop("extends", None)
    if base_name is None:
        return table
    base_name = toml.string(path, f"{key}.extends", base_name)
    if base_name not in targets:
        raise ConfigError(
            f"{toml.where(path, f'{key}.extends')}: unknown target {base_name!r}; expected one of "
            f"{', '.join(t for t in targets if t != name)}"
        )
    if base_name in (*seen, name):
        loop = " -> ".join((*seen, name, base_name))
        raise ConfigError(
            f"{toml.where(path, f'{key}.extends')}: targets extend each other in a loop: {loop}"
        )
    merged = _resolved_table(path, targets, base_name, (*seen, name))
    for sub in TARGET_TABLES:
        if sub in table and sub in merged:
            table[sub] = {
                **toml.table(path, f"{key}.{sub}", merged[sub]),
                **toml.table(path, f"{key}.{sub}", table[sub]),
            }
    return {**merged, **table}


def _metric_names(path: Path, key: str, raw: Any) -> dict[str, str]:
    """[targets.NAME.metrics]: the contract's metric name -> this deployment's."""
    table = toml.table(path, key, raw)
    toml.check_keys(path, key, table, set(CONTRACT_METRICS))
    names = {}
    for contract_name, value in table.items():
        name = toml.string(path, f"{key}.{contract_name}", value)
        if not METRIC_NAME.fullmatch(name):
            raise ConfigError(
                f"{toml.where(path, f'{key}.{contract_name}')}: {name!r} is not a Prometheus metric "
                "name (letters, digits, _ and :, not starting with a digit)"
            )
        names[contract_name] = name
    return names
