"""A fleet: a target's instances, `{instance}` filled in per bot, and where it may not be."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from burnin.config import toml
from burnin.errors import ConfigError

INSTANCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]*")
INSTANCE_FIELD = "{instance}"
# Settings that hold for a whole fleet: one deployment, one clock of planned restarts.
FLEET_WIDE = ("instances", "deployed_at", "planned_restarts", "signoff_file", "baseline")


def with_instance(values: Mapping[str, Any], instance: str) -> dict[str, Any]:
    """The settings of one bot of a fleet: `{instance}` in every text replaced by its name."""
    if not instance:
        return dict(values)
    return {
        k: v.replace(INSTANCE_FIELD, instance) if isinstance(v, str) else v
        for k, v in values.items()
    }


def check_instances(
    path: Path, key: str, values: Mapping[str, Any], sources: Mapping[str, str]
) -> None:
    """A fleet's instance names, and `{instance}` only where a fleet can fill it in."""
    instances = values["instances"]
    where = toml.setting_where(path, key, "instances", sources)
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
                f"{toml.setting_where(path, key, name, sources)}: {INSTANCE_FIELD} cannot be used "
                f"in {name}: it holds for the whole fleet"
            )
        if not instances:
            raise ConfigError(
                f"{toml.setting_where(path, key, name, sources)}: {value!r} uses {INSTANCE_FIELD} but "
                f'the target lists no instances; add instances = ["bot-1", "bot-2"] (or '
                "--instances) or write the value out"
            )
