"""The configuration of a run, checked before the first test: thresholds.toml (the spec's tables),
targets.toml (where production is, resolved from the command line, the environment and the file)
and how each source is reached. Every mistake is one ConfigError naming file, key and expectation.

- toml.py        checked TOML: every reading helper names the file and key it read
- thresholds.py  thresholds.toml: tiers per metric, phases, traffic hours, coverage, sampling
- settings.py    every target setting: key, option, environment variable, type, default
- targets.py     one target resolved (command line > environment > file > default), checked
- fleet.py       a fleet's instances and `{instance}`
- access.py      how each HTTP source is reached (TLS trust, client certificate, credentials)
"""

from burnin.config.access import HttpAccess
from burnin.config.settings import (
    HEALTH_FIELDS,
    OPTIONAL_HEALTH_FIELDS,
    SETTINGS,
    SETTINGS_BY_KEY,
    Setting,
)
from burnin.config.targets import (
    METRIC_NAME,
    TARGET_TABLES,
    ExpectedAlert,
    Target,
    load_target,
)
from burnin.config.thresholds import (
    DEFAULT_CHANNEL_EVENTS,
    DEFAULT_COVERAGE_PERCENT,
    ChannelEvents,
    DailyHours,
    Thresholds,
    load_thresholds,
)
from burnin.errors import ConfigError

__all__ = [
    "DEFAULT_CHANNEL_EVENTS",
    "DEFAULT_COVERAGE_PERCENT",
    "HEALTH_FIELDS",
    "METRIC_NAME",
    "OPTIONAL_HEALTH_FIELDS",
    "SETTINGS",
    "SETTINGS_BY_KEY",
    "TARGET_TABLES",
    "ChannelEvents",
    "ConfigError",
    "DailyHours",
    "ExpectedAlert",
    "HttpAccess",
    "Setting",
    "Target",
    "Thresholds",
    "load_target",
    "load_thresholds",
]
