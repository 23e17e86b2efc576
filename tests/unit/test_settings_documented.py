"""Every key a run reads is documented where a user looks for it: targets.toml's key table (the
comment block at its top) and README's table, each with its option and environment variable.
A Setting added to burnin/config.py without both fails here, naming what to add."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from burnin.config import SETTINGS, TARGET_TABLES, Setting
from burnin.config.access import ACCESS_KEYS, HTTP_SOURCES

ROOT = Path(__file__).resolve().parents[2]
# The access keys exist per HTTP source (prometheus_ca_file) and for every source (ca_file):
# the tables hold the unprefixed row and say the prefix rule once.
PER_SOURCE = {f"{source}_{key}": key for source in HTTP_SOURCES for key in ACCESS_KEYS}
PREFIX_RULE = "health_, prometheus_, alertmanager_, dashboard_"


def documented_row(
    rows: dict[str, tuple[str, str]], text: str, setting: Setting
) -> tuple[str, str] | None:
    """The row documenting `setting`: its own, or for a per-source access key the unprefixed
    row with the prefix rule stated in the same document."""
    if setting.key in PER_SOURCE and PREFIX_RULE in text:
        base = rows.get(PER_SOURCE[setting.key])
        if base is None:
            return None
        source = setting.key.removesuffix(PER_SOURCE[setting.key])
        return (
            base[0].replace("--", f"--{source.replace('_', '-')}", 1),
            base[1].replace("BURNIN_", f"BURNIN_{source.upper()}", 1),
        )
    return rows.get(setting.key)


def key_table(text: str) -> dict[str, tuple[str, str]]:
    """targets.toml's comment rows `#   key   --option   BURNIN_ENV   what`: key -> (option, env)."""
    rows = {}
    for line in text.splitlines():
        found = re.match(r"#\s+([a-z_]+)\s+(--[a-z-]+)\s+(BURNIN_[A-Z_]+)\b", line)
        if found:
            rows[found.group(1)] = (found.group(2), found.group(3))
    return rows


def readme_table(text: str) -> dict[str, tuple[str, str]]:
    """README's rows | `key` | `--option` | `BURNIN_ENV` | what |: key -> (option, env)."""
    rows = {}
    for found in re.finditer(
        r"^\| `([a-z_]+)` \| `(--[a-z-]+)` \| `(BURNIN_[A-Z_]+)` \|", text, re.M
    ):
        rows[found.group(1)] = (found.group(2), found.group(3))
    return rows


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_is_in_the_targets_file_key_table(setting: Setting):
    text = (ROOT / "targets.toml").read_text(encoding="utf-8")
    assert documented_row(key_table(text), text, setting) == (setting.option, setting.env), (
        f"targets.toml's key table lacks {setting.key}; add the row "
        f"'#   {setting.key}  {setting.option}  {setting.env}  {setting.help}'"
    )


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_is_in_the_readme_table(setting: Setting):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert documented_row(readme_table(text), text, setting) == (setting.option, setting.env), (
        f"README.md's table of settings lacks {setting.key}; add the row "
        f"'| `{setting.key}` | `{setting.option}` | `{setting.env}` | {setting.help} |'"
    )


@pytest.mark.parametrize("table", TARGET_TABLES)
@pytest.mark.parametrize("document", ["targets.toml", "README.md"])
def test_every_target_table_is_described(table: str, document: str):
    assert f"[targets.NAME.{table}]" in (ROOT / document).read_text(encoding="utf-8")


def test_the_tables_list_no_key_that_is_not_a_setting():
    keys = {s.key for s in SETTINGS}
    assert set(key_table((ROOT / "targets.toml").read_text(encoding="utf-8"))) <= keys
    assert set(readme_table((ROOT / "README.md").read_text(encoding="utf-8"))) <= keys
