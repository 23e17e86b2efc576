"""thresholds.toml: the spec's Target / Acceptable / Critical table per metric, the phases and
their criteria, the traffic hours, sampling, channel events and the coverage line."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from burnin.bands import Better, Tiers
from burnin.config import toml
from burnin.errors import ConfigError
from burnin.schedule import Phase

TIER_KEYS = ("target", "acceptable", "critical")
# Lines only some metrics have, beside their tiers (and in their phase overrides).
EXTRA_KEYS: dict[str, tuple[str, ...]] = {"memory_growth": ("stable_within",)}


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
class Comparison:
    """vs-previous-release: a metric is worse than the previous release's only when the change
    is both significant (p under `p_value`) and at least `worse_ratio` times the baseline, so
    noise never flags (thresholds.toml [comparison])."""

    worse_ratio: float = 1.5
    p_value: float = 0.01


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
    comparison: Comparison = field(default_factory=Comparison)

    def tiers(self, metric: str, phase: str) -> Tiers:
        return self.metrics[metric].tiers(phase)


def _check_order(path: Path, key: str, better: Better, tiers: Mapping[str, float | None]) -> None:
    target, acceptable, critical = (tiers[k] for k in TIER_KEYS)
    sign = 1.0 if better is Better.LOWER else -1.0
    word = "above" if better is Better.LOWER else "below"
    opposite = "below" if better is Better.LOWER else "above"
    if target is not None and sign * target > sign * acceptable:  # type: ignore[operator]
        raise ConfigError(
            f"{toml.where(path, key)}: target {target:g} must not be {word} acceptable "
            f"{acceptable:g} when {better.value} is better"
        )
    if sign * acceptable > sign * critical:  # type: ignore[operator]
        raise ConfigError(
            f"{toml.where(path, key)}: critical {critical:g} is on the wrong side of acceptable "
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
        f"{toml.where(path, f'{where}.stable_within')}: expected a number from 0 to acceptable "
        f"{acceptable:g}{phase}, got {stable:g}"
    )


def _metric(path: Path, name: str, raw: Any, phase_names: set[str]) -> MetricSpec:
    key = f"metrics.{name}"
    table = toml.table(path, key, raw)
    extra = EXTRA_KEYS.get(name, ())
    toml.check_keys(path, key, table, {"unit", "better", *TIER_KEYS, *extra, "phase"})
    for required in ("unit", "better", "acceptable", "critical"):
        if required not in table:
            raise ConfigError(f"{toml.where(path, f'{key}.{required}')}: missing")
    unit = toml.string(path, f"{key}.unit", table["unit"])
    better_text = toml.string(path, f"{key}.better", table["better"])
    try:
        better = Better(better_text)
    except ValueError:
        raise ConfigError(
            f'{toml.where(path, f"{key}.better")}: expected "lower" or "higher", got {better_text!r}'
        ) from None
    base: dict[str, float | None] = {"target": None}
    for tier in (*TIER_KEYS, *extra):
        if tier in table:
            base[tier] = toml.number(path, f"{key}.{tier}", table[tier])
    _check_order(path, key, better, base)
    _check_stable_within(path, key, base)
    overrides: dict[str, dict[str, float]] = {}
    for phase, raw_override in toml.table(path, f"{key}.phase", table.get("phase", {})).items():
        okey = f"{key}.phase.{phase}"
        if phase not in phase_names:
            raise ConfigError(
                f"{toml.where(path, okey)}: unknown phase; expected one of {', '.join(sorted(phase_names))}"
            )
        override_table = toml.table(path, okey, raw_override)
        toml.check_keys(path, okey, override_table, {*TIER_KEYS, *extra})
        overrides[phase] = {
            t: toml.number(path, f"{okey}.{t}", v) for t, v in override_table.items()
        }
        _check_order(path, okey, better, {**base, **overrides[phase]})
        _check_stable_within(path, okey, {**base, **overrides[phase]}, overrides[phase])
    return MetricSpec(name, unit, better, base, overrides)


def _phase(path: Path, name: str, raw: Any, known: Collection[str]) -> Phase:
    key = f"phases.{name}"
    table = toml.table(path, key, raw)
    toml.check_keys(path, key, table, {"hours", "minutes", "marker", "criteria"})
    if ("hours" in table) == ("minutes" in table):
        raise ConfigError(f"{toml.where(path, key)}: expected exactly one of hours or minutes")
    unit = "hours" if "hours" in table else "minutes"
    length = toml.number(path, f"{key}.{unit}", table[unit])
    if length <= 0:
        raise ConfigError(
            f"{toml.where(path, f'{key}.{unit}')}: expected a positive number, got {length:g}"
        )
    duration = timedelta(hours=length) if unit == "hours" else timedelta(minutes=length)
    marker = toml.string(path, f"{key}.marker", table.get("marker", f"checkpoint_{name}"))
    criteria = table.get("criteria", [])
    if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
        raise ConfigError(
            f"{toml.where(path, f'{key}.criteria')}: expected a list of criterion ids"
        )
    for criterion in criteria:
        if criterion not in known:
            raise ConfigError(
                f"{toml.where(path, f'{key}.criteria')}: unknown criterion {criterion!r}; "
                f"expected one of {', '.join(known)}"
            )
    return Phase(name, duration, marker, tuple(criteria))


def _hours(path: Path, key: str, raw: Any) -> DailyHours:
    text = toml.string(path, key, raw)
    try:
        start_text, end_text = text.split("-")
        hours = DailyHours(
            time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        )
    except ValueError:
        raise ConfigError(
            f'{toml.where(path, key)}: expected "HH:MM-HH:MM", got {text!r}'
        ) from None
    if hours.start == hours.end:
        raise ConfigError(f"{toml.where(path, key)}: {text!r} is empty: start and end must differ")
    return hours


def _traffic(path: Path, raw: Any) -> Traffic:
    table = toml.table(path, "traffic", raw)
    toml.check_keys(path, "traffic", table, {"timezone", "peak", "off_peak"})
    zone_name = toml.string(path, "traffic.timezone", table.get("timezone", "UTC"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a zone folder, e.g. "Europe"
        raise ConfigError(
            f"{toml.where(path, 'traffic.timezone')}: unknown timezone {zone_name!r}; expected an IANA "
            'name such as "Europe/Berlin" or "UTC"'
        ) from None
    return Traffic(
        zone,
        _hours(path, "traffic.peak", table.get("peak", "18:00-23:00")),
        _hours(path, "traffic.off_peak", table.get("off_peak", "02:00-07:00")),
    )


def load_thresholds(path: Path, criteria: Collection[str]) -> Thresholds:
    """thresholds.toml, checked; `criteria`: the criterion ids its phases may name (the
    catalogue's, burnin.catalogue.CRITERIA)."""
    return thresholds_of(toml.read_toml(path), path, criteria)


def thresholds_of(document: dict[str, Any], path: Path, criteria: Collection[str]) -> Thresholds:
    """The thresholds of a TOML document already read (`path`: where it came from, for
    messages and the record)."""
    toml.check_keys(
        path,
        "",
        document,
        {"metrics", "phases", "traffic", "sampling", "channel_events", "coverage", "comparison"},
    )
    raw_phases = toml.table(path, "phases", document.get("phases", {}))
    if not raw_phases:
        raise ConfigError(f"{toml.where(path, 'phases')}: missing; expected at least one phase")
    phases = {name: _phase(path, name, raw, criteria) for name, raw in raw_phases.items()}
    metrics = {
        name: _metric(path, name, raw, set(phases))
        for name, raw in toml.table(path, "metrics", document.get("metrics", {})).items()
    }
    return Thresholds(
        path,
        metrics,
        phases,
        _traffic(path, document.get("traffic", {})),
        _sampling(path, document.get("sampling", {})),
        _channel_events(path, document.get("channel_events", {})),
        _coverage(path, document.get("coverage", {})),
        _comparison(path, document.get("comparison", {})),
    )


def _comparison(path: Path, raw: Any) -> Comparison:
    table = toml.table(path, "comparison", raw)
    toml.check_keys(path, "comparison", table, {"worse_ratio", "p_value"})
    default = Comparison()
    ratio = toml.number(
        path, "comparison.worse_ratio", table.get("worse_ratio", default.worse_ratio)
    )
    if not ratio > 1:
        raise ConfigError(
            f"{toml.where(path, 'comparison.worse_ratio')}: expected a number above 1 (1.5: worse "
            f"when 1.5 times the previous release's), got {ratio:g}"
        )
    p_value = toml.number(path, "comparison.p_value", table.get("p_value", default.p_value))
    if not 0 < p_value < 1:
        raise ConfigError(
            f"{toml.where(path, 'comparison.p_value')}: expected a probability above 0 and below "
            f"1 (0.01: significant at 1 %), got {p_value:g}"
        )
    return Comparison(ratio, p_value)


def _coverage(path: Path, raw: Any) -> float:
    table = toml.table(path, "coverage", raw)
    toml.check_keys(path, "coverage", table, {"min_percent"})
    percent = toml.number(
        path, "coverage.min_percent", table.get("min_percent", DEFAULT_COVERAGE_PERCENT)
    )
    if not 0 < percent <= 100:
        raise ConfigError(
            f"{toml.where(path, 'coverage.min_percent')}: expected a percentage above 0 and at most "
            f"100, got {percent:g}"
        )
    return percent


def _channel_events(path: Path, raw: Any) -> ChannelEvents:
    table = toml.table(path, "channel_events", raw)
    toml.check_keys(path, "channel_events", table, {"quiet_s", "patterns"})
    quiet_s = toml.number(path, "channel_events.quiet_s", table.get("quiet_s", 10.0))
    if quiet_s <= 0:
        raise ConfigError(
            f"{toml.where(path, 'channel_events.quiet_s')}: expected a positive number"
        )
    patterns = dict(DEFAULT_CHANNEL_EVENTS)
    for name, pattern in toml.table(
        path, "channel_events.patterns", table.get("patterns", {})
    ).items():
        key = f"channel_events.patterns.{name}"
        text = toml.string(path, key, pattern)
        try:
            re.compile(text)
        except re.error as exc:
            raise ConfigError(
                f"{toml.where(path, key)}: not a valid regular expression: {exc}"
            ) from None
        patterns[name] = text
    return ChannelEvents(patterns, quiet_s)


def _sampling(path: Path, raw: Any) -> Sampling:
    table = toml.table(path, "sampling", raw)
    toml.check_keys(path, "sampling", table, {"health_requests"})
    requests = toml.number(path, "sampling.health_requests", table.get("health_requests", 10))
    if requests < 1 or requests != int(requests):
        raise ConfigError(
            f"{toml.where(path, 'sampling.health_requests')}: expected a whole number >= 1"
        )
    return Sampling(int(requests))
