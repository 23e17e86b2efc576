"""Reading a TOML file so that every mistake is one ConfigError naming the file, the key and
what was expected: the helpers both configuration files are checked with."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from burnin.errors import ConfigError


def where(path: Path, key: str) -> str:
    return f"{path.name}: {key}"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def check_keys(path: Path, key: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{where(path, f'{key}.{unknown[0]}' if key else unknown[0])}: unknown key; "
            f"expected one of {', '.join(sorted(allowed))}"
        )


def table(path: Path, key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where(path, key)}: expected a table, got {value!r}")
    return value


def number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{where(path, key)}: expected a number, got {value!r}")
    return float(value)


def string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where(path, key)}: expected a string, got {value!r}")
    return value


def setting_where(path: Path, key: str, name: str, sources: Mapping[str, str]) -> str:
    """Where a setting's value came from, as an error names it: the table key in the targets
    file (the target it was inherited from, when `extends` brought it), else the option or
    environment variable."""
    source = sources[name]
    if source.startswith(path.name):
        table_key = source.rsplit("[", 1)[-1].rstrip("]") if "[" in source else key
        inherited = f" (inherited by {key})" if table_key != key else ""
        return where(path, f"{table_key}.{name}") + inherited
    return source
