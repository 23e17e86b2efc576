"""Settings for real deployments in targets.toml: status words, a log file and its timezone,
optional health fields, metric names, expected alerts and targets that extend others. Every
mistake is one ConfigError naming the file, the key and what was expected."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from burnin.__main__ import add_target_options, target_options
from burnin.config import (
    HEALTH_FIELDS,
    METRIC_NAME,
    OPTIONAL_HEALTH_FIELDS,
    ExpectedAlert,
    Target,
    load_target,
)
from burnin.errors import ConfigError
from burnin.promql import BOT_METRICS, CONTRACT_METRICS

ROOT = Path(__file__).resolve().parents[2]
REAL_TARGETS = ROOT / "targets.toml"

LAB = """
default = "lab"

[targets.lab]
health_url = "http://10.0.0.5:8000/api/health"
ssh_host = "lab-bot"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def loaded(tmp_path: Path, text: str, **kwargs) -> Target:
    return load_target(write(tmp_path, text), kwargs.get("cli", {}), kwargs.get("env", {}))


def refused(tmp_path: Path, text: str, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        loaded(tmp_path, text, **kwargs)
    return str(caught.value)


# ---------------------------------------------------------------- status words


def test_status_words_default_to_the_contracts(tmp_path):
    target = loaded(tmp_path, LAB)
    assert target["healthy_status"] == ("healthy",)
    assert target["degraded_status"] == ("degraded",)
    assert target.sources["healthy_status"] == "default"


def test_status_words_from_toml_lists_are_stripped_and_empty_items_dropped(tmp_path):
    text = LAB + 'healthy_status = [" running ", "", "ok"]\ndegraded_status = ["starting"]\n'
    target = loaded(tmp_path, text)
    assert target["healthy_status"] == ("running", "ok")
    assert target["degraded_status"] == ("starting",)
    assert target.sources["healthy_status"] == "targets.toml [targets.lab]"


def test_degraded_status_may_be_an_empty_list(tmp_path):
    assert loaded(tmp_path, LAB + "degraded_status = []\n")["degraded_status"] == ()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"cli": {"healthy_status": "running, up"}}, ("running", "up")),
        ({"env": {"BURNIN_HEALTHY_STATUS": "running,up"}}, ("running", "up")),
    ],
)
def test_status_words_from_cli_or_env_are_comma_separated(tmp_path, kwargs, words):
    target = loaded(tmp_path, LAB + 'healthy_status = ["healthy"]\n', **kwargs)
    assert target["healthy_status"] == words


def test_status_words_are_read_from_env_vars_named_after_their_options(tmp_path):
    env = {"BURNIN_HEALTHY_STATUS": "running", "BURNIN_DEGRADED_STATUS": "starting,warming"}
    target = loaded(tmp_path, LAB, env=env)
    assert target["healthy_status"] == ("running",)
    assert target["degraded_status"] == ("starting", "warming")


@pytest.mark.parametrize("empty", ["healthy_status = []", 'healthy_status = ["", " "]'])
def test_empty_healthy_status_in_the_file_is_refused_naming_the_key(tmp_path, empty):
    message = refused(tmp_path, LAB + empty + "\n")
    assert message == "targets.toml: targets.lab.healthy_status: expected at least one word"


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"cli": {"healthy_status": " , "}}, "--healthy-status"),
        ({"env": {"BURNIN_HEALTHY_STATUS": ""}}, "BURNIN_HEALTHY_STATUS"),
    ],
)
def test_empty_healthy_status_from_cli_or_env_names_where_it_came_from(tmp_path, kwargs, where):
    assert refused(tmp_path, LAB, **kwargs) == f"{where}: expected at least one word"


def test_status_words_must_be_strings(tmp_path):
    message = refused(tmp_path, LAB + "degraded_status = [1, 2]\n")
    assert message == (
        "targets.toml: targets.lab.degraded_status: expected a list of names, got [1, 2]"
    )


# ---------------------------------------------------------------- log file and its timezone


def test_log_file_defaults_to_the_journal_and_log_timezone_to_utc(tmp_path):
    target = loaded(tmp_path, LAB)
    assert (target["log_file"], target["log_timezone"]) == ("", "UTC")


def test_log_file_and_timezone_come_from_the_file(tmp_path):
    text = LAB + 'log_file = "/var/log/cytube-bot/bot.log"\nlog_timezone = "Europe/Berlin"\n'
    target = loaded(tmp_path, text)
    assert target["log_file"] == "/var/log/cytube-bot/bot.log"
    assert target["log_timezone"] == "Europe/Berlin"


def test_log_settings_are_read_from_their_own_option_and_env_var(tmp_path):
    parser = argparse.ArgumentParser()
    add_target_options(parser)
    cli = target_options(parser.parse_args(["--bot-log-file", "/var/log/bot.log"]))
    target = loaded(tmp_path, LAB, cli=cli, env={"BURNIN_BOT_LOG_TIMEZONE": "Europe/Berlin"})
    assert (target["log_file"], target["log_timezone"]) == ("/var/log/bot.log", "Europe/Berlin")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe", "utc", "", "/etc/localtime"])
def test_unknown_log_timezone_in_the_file_is_refused_naming_file_and_key(tmp_path, zone):
    message = refused(tmp_path, LAB + f"log_timezone = {json.dumps(zone)}\n")
    assert message == (
        f"targets.toml: targets.lab.log_timezone: unknown timezone {zone!r}; expected an IANA "
        'name such as "Europe/Berlin" or "UTC"'
    )


def test_unknown_log_timezone_from_env_names_the_env_var(tmp_path):
    message = refused(tmp_path, LAB, env={"BURNIN_BOT_LOG_TIMEZONE": "Berlin"})
    assert message.startswith("BURNIN_BOT_LOG_TIMEZONE: unknown timezone 'Berlin'")


# ---------------------------------------------------------------- alert rules


def test_alert_rules_from_the_file_replace_the_contracts(tmp_path):
    target = loaded(tmp_path, LAB + 'alert_rules = ["RoseyBotDown", "RoseyBotRestarted"]\n')
    assert target["alert_rules"] == ("RoseyBotDown", "RoseyBotRestarted")


def test_alert_rules_are_described_comma_separated_for_the_report(tmp_path):
    target = loaded(tmp_path, LAB + 'alert_rules = ["A", "B"]\n')
    rows = {key: (shown, source) for key, shown, source in target.describe()}
    assert rows["alert_rules"] == ("A, B", "targets.toml [targets.lab]")


# ---------------------------------------------------------------- health fields


@pytest.mark.parametrize("field", OPTIONAL_HEALTH_FIELDS)
def test_an_optional_health_field_may_be_declared_absent(tmp_path, field):
    target = loaded(tmp_path, LAB + f'\n[targets.lab.health_fields]\n{field} = ""\n')
    assert target.health_fields[field] == ""
    assert all(target.health_fields[f] == f for f in HEALTH_FIELDS if f != field)


@pytest.mark.parametrize("field", sorted(set(HEALTH_FIELDS) - set(OPTIONAL_HEALTH_FIELDS)))
def test_a_required_health_field_declared_absent_is_refused_saying_which_may_be(tmp_path, field):
    message = refused(tmp_path, LAB + f'\n[targets.lab.health_fields]\n{field} = ""\n')
    assert message == (
        f"targets.toml: targets.lab.health_fields.{field}: every health JSON must carry {field}; "
        'only channel, uptime_seconds, version, requests_handled may be "" (absent)'
    )


def test_health_field_mapped_to_a_number_is_refused(tmp_path):
    message = refused(tmp_path, LAB + "\n[targets.lab.health_fields]\nerror_count = 3\n")
    assert (
        message == "targets.toml: targets.lab.health_fields.error_count: expected a string, got 3"
    )


# ---------------------------------------------------------------- metric names


def test_metric_names_accept_colons_and_map_process_metrics_too(tmp_path):
    text = (
        LAB + "\n[targets.lab.metrics]\nbot_users = 'rosey:bot_users:sum'\n"
        "process_cpu_seconds_total = 'bot_process_cpu_seconds_total'\n"
    )
    target = loaded(tmp_path, text)
    assert target.metric_names == {
        "bot_users": "rosey:bot_users:sum",
        "process_cpu_seconds_total": "bot_process_cpu_seconds_total",
    }


def test_a_deployment_name_on_the_left_of_the_metrics_table_is_refused(tmp_path):
    # The table maps contract -> deployment, not the other way round.
    message = refused(
        tmp_path, LAB + "\n[targets.lab.metrics]\nrosey_bot_channel_users = 'bot_users'\n"
    )
    assert message.startswith(
        "targets.toml: targets.lab.metrics.rosey_bot_channel_users: unknown key; expected one of "
    )
    assert "bot_users" in message and "process_resident_memory_bytes" in message


def test_metric_name_with_a_selector_in_it_is_refused(tmp_path):
    message = refused(
        tmp_path, LAB + "\n[targets.lab.metrics]\nbot_users = 'rosey_bot_users{env=\"prod\"}'\n"
    )
    assert message.startswith("targets.toml: targets.lab.metrics.bot_users: ")
    assert "is not a Prometheus metric name" in message


# ---------------------------------------------------------------- expected alerts


@pytest.mark.parametrize(
    ("text", "within_s"),
    [
        ("10m", 600.0),
        ("90s", 90.0),
        ("1h", 3600.0),
        ("1.5h", 5400.0),
        (" 10 m ", 600.0),
        ("always", None),
    ],
)
def test_expected_alert_allowances(tmp_path, text, within_s):
    target = loaded(tmp_path, LAB + f'\n[targets.lab.expected_alerts]\nBotRestarted = "{text}"\n')
    assert target.expected_alerts == (ExpectedAlert("BotRestarted", within_s),)


def test_expected_alerts_keep_the_files_order(tmp_path):
    text = LAB + '\n[targets.lab.expected_alerts]\nB = "always"\nA = "5m"\n'
    assert [e.alertname for e in loaded(tmp_path, text).expected_alerts] == ["B", "A"]


def test_no_expected_alerts_by_default(tmp_path):
    assert loaded(tmp_path, LAB).expected_alerts == ()


@pytest.mark.parametrize("text", ["10", "10min", "10M", "Always", "-5m", "1d", "", "10m 5s"])
def test_an_expectation_that_is_not_a_duration_or_always_is_refused(tmp_path, text):
    message = refused(tmp_path, LAB + f'\n[targets.lab.expected_alerts]\nBotRestarted = "{text}"\n')
    assert message == (
        'targets.toml: targets.lab.expected_alerts.BotRestarted: expected a duration such as "10m", '
        '"90s" or "1h" (after the deployment start or a planned restart), or "always"; '
        f"got {text.strip()!r}"
    )


def test_an_expectation_given_as_a_number_is_refused(tmp_path):
    message = refused(tmp_path, LAB + "\n[targets.lab.expected_alerts]\nBotRestarted = 600\n")
    assert message == (
        "targets.toml: targets.lab.expected_alerts.BotRestarted: expected a string, got 600"
    )


def test_expected_alerts_must_be_a_table(tmp_path):
    message = refused(tmp_path, LAB + 'expected_alerts = "BotRestarted"\n')
    assert message.startswith("targets.toml: targets.lab.expected_alerts: expected a table")


def test_expected_alert_describes_its_allowance():
    assert ExpectedAlert("X", 600.0).describe() == (
        "X (within 10 min of a deployment or planned restart)"
    )
    assert ExpectedAlert("X", 90.0).describe() == (
        "X (within 1.5 min of a deployment or planned restart)"
    )
    assert ExpectedAlert("X", None).describe() == "X (any time)"


# ---------------------------------------------------------------- extends

BASE = """
default = "child"

[targets.base]
health_url = "http://PROD_IP:8000/api/health"
ssh_host = "PROD_IP"
unit = "cytube-bot"
selector = 'env="prod"'
healthy_status = ["running"]

[targets.base.health_fields]
uptime_seconds = "uptime"
version = ""

[targets.base.metrics]
bot_users = "rosey_bot_channel_users"
bot_connected = "rosey_bot_connected"

[targets.base.expected_alerts]
RoseyBotRestarted = "10m"
"""

CHILD = """
[targets.child]
extends = "base"
health_url = "http://10.0.0.5:8000/api/health"
ssh_host = "10.0.0.5"
"""


def test_an_extending_target_takes_the_bases_keys_and_its_own_on_top(tmp_path):
    target = loaded(tmp_path, BASE + CHILD + 'unit = "bot-v2"\n')
    assert target.name == "child"
    assert target["health_url"] == "http://10.0.0.5:8000/api/health"
    assert target["unit"] == "bot-v2"
    assert target["selector"] == 'env="prod"'
    assert target["healthy_status"] == ("running",)
    assert target.health_fields["uptime_seconds"] == "uptime"
    assert target.health_fields["version"] == ""
    assert target.metric_names["bot_users"] == "rosey_bot_channel_users"
    assert target.expected_alerts == (ExpectedAlert("RoseyBotRestarted", 600.0),)


def test_an_extending_targets_sub_tables_are_merged_key_by_key(tmp_path):
    text = (
        BASE
        + CHILD
        + "\n[targets.child.health_fields]\nversion = 'build'\n"
        + "\n[targets.child.metrics]\nbot_users = 'users_total'\n"
        + "\n[targets.child.expected_alerts]\nRoseyBotStale = 'always'\n"
    )
    target = loaded(tmp_path, text)
    assert target.health_fields["uptime_seconds"] == "uptime"  # from the base
    assert target.health_fields["version"] == "build"  # its own
    assert target.metric_names == {
        "bot_users": "users_total",
        "bot_connected": "rosey_bot_connected",
    }
    assert set(target.expected_alerts) == {
        ExpectedAlert("RoseyBotRestarted", 600.0),
        ExpectedAlert("RoseyBotStale", None),
    }


def test_an_extending_target_replaces_a_list_setting_whole(tmp_path):
    target = loaded(tmp_path, BASE + CHILD + 'healthy_status = ["ok"]\n')
    assert target["healthy_status"] == ("ok",)


def test_extends_chains_through_several_targets(tmp_path):
    text = BASE + CHILD + '\n[targets.grandchild]\nextends = "child"\nunit = "bot-v3"\n'
    target = load_target(write(tmp_path, text), {}, {}, "grandchild")
    assert (target["unit"], target["ssh_host"]) == ("bot-v3", "10.0.0.5")
    assert target.metric_names["bot_users"] == "rosey_bot_channel_users"


def test_a_placeholder_the_extending_target_does_not_override_is_refused(tmp_path):
    text = BASE + '\n[targets.child]\nextends = "base"\nssh_host = "10.0.0.5"\n'
    message = refused(tmp_path, text)
    assert message.startswith(
        "targets.toml: targets.base.health_url (inherited by targets.child): still the placeholder"
    )


def test_extending_an_unknown_target_is_refused_listing_the_others(tmp_path):
    text = BASE + CHILD.replace('extends = "base"', 'extends = "bsae"')
    message = refused(tmp_path, text)
    assert message == (
        "targets.toml: targets.child.extends: unknown target 'bsae'; expected one of base"
    )


def test_a_target_extending_itself_is_refused(tmp_path):
    text = LAB + 'extends = "lab"\n'
    assert refused(tmp_path, text) == (
        "targets.toml: targets.lab.extends: targets extend each other in a loop: lab -> lab"
    )


def test_a_cycle_of_extends_is_refused_naming_an_extends_key(tmp_path):
    text = """
    default = "a"
    [targets.a]
    extends = "b"
    [targets.b]
    extends = "c"
    [targets.c]
    extends = "a"
    """
    message = refused(tmp_path, text)
    assert message.startswith("targets.toml: targets.")
    assert message.endswith(".extends: targets extend each other in a loop: a -> b -> c -> a")


def test_extends_must_be_a_target_name(tmp_path):
    message = refused(tmp_path, LAB + "extends = 3\n")
    assert message == "targets.toml: targets.lab.extends: expected a string, got 3"


def test_an_unknown_key_in_the_extended_target_is_refused_naming_it(tmp_path):
    text = BASE.replace('unit = "cytube-bot"', 'unti = "cytube-bot"') + CHILD
    message = refused(tmp_path, text)
    assert message.startswith("targets.toml: targets.base.unti: unknown key; expected one of ")


# ---------------------------------------------------------------- the real targets.toml


def test_real_exporter_layout_is_refused_until_its_placeholders_are_filled():
    with pytest.raises(ConfigError) as caught:
        load_target(REAL_TARGETS, {}, {}, "exporter-layout")
    message = str(caught.value)
    assert message.startswith("targets.toml: targets.exporter-layout.health_url: still the")
    assert "PROD_IP" in message


def test_real_exporter_layout_loads_with_its_addresses_given_per_run():
    addresses = {
        "health_url": "http://10.0.0.5:8000/api/health",
        "prometheus_url": "http://10.0.0.5:9090",
        "alertmanager_url": "http://10.0.0.5:9093",
        "dashboard_url": "http://10.0.0.5:5000",
        "ssh_host": "10.0.0.5",
    }
    target = load_target(REAL_TARGETS, addresses, {}, "exporter-layout")
    assert target.sources["health_url"] == "--health-url"
    assert target["unit"] == "cytube-bot"


def test_real_sandbox_exporter_resolves_the_exporter_names_with_sandbox_addresses():
    target = load_target(REAL_TARGETS, {}, {}, "sandbox-exporter")
    assert target["health_url"] == "http://127.0.0.1:18000/api/health"
    assert target["ssh_port"] == 12222
    assert target["unit"] == "cytube-bot"
    assert target["selector"] == 'env="prod"'
    assert target["log_file"] == "/var/log/cytube-bot/bot.log"
    assert target["process_metrics"] is False
    assert target["healthy_status"] == ("running",)
    assert target["degraded_status"] == ()
    assert "RoseyBotRestarted" in target["alert_rules"]
    assert len(target["alert_rules"]) == 7
    assert target.metric_names == {name: f"rosey_{name}" for name in BOT_METRICS} | {
        "bot_users": "rosey_bot_channel_users"
    }
    assert target.health_fields == {
        "status": "status",
        "connected": "connected",
        "channel": "channel",
        "uptime_seconds": "uptime",
        "version": "",
        "user_count": "user_count",
        "requests_handled": "requests",
        "error_count": "errors",
    }
    assert target.expected_alerts == (ExpectedAlert("RoseyBotRestarted", 600.0),)


# ---------------------------------------------------------------- any table: accepted or refused

# Printable text without control characters or surrogates: json.dumps writes it as a valid
# TOML basic string.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12)
ANY_VALUE = st.one_of(TEXT, st.integers(-5, 5), st.booleans(), st.lists(TEXT, max_size=2))
# Keys and values each table accepts: a table of only these is drawn as often as a mixed one.
GOOD = {
    "health_fields": (st.sampled_from(HEALTH_FIELDS), st.sampled_from(["", "uptime", "errors"])),
    "metrics": (
        st.sampled_from(CONTRACT_METRICS),
        st.from_regex(METRIC_NAME, fullmatch=True).filter(lambda n: n.isascii()),
    ),
    "expected_alerts": (
        TEXT.filter(bool),
        st.sampled_from(["10m", "90s", "1h", " 2.5h", "always"]),
    ),
}


def entries_of(table: str) -> st.SearchStrategy[dict[str, object]]:
    good_key, good_value = GOOD[table]
    keys = st.one_of(good_key, TEXT.filter(bool))
    values = st.one_of(good_value, ANY_VALUE)
    return st.one_of(
        st.dictionaries(good_key, good_value, min_size=1, max_size=4),
        st.dictionaries(keys, values, min_size=1, max_size=4),
    )


@st.composite
def sub_tables(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    table = draw(st.sampled_from(sorted(GOOD)))
    return table, draw(entries_of(table))


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sub_tables())
def test_any_sub_table_is_accepted_or_refused_naming_file_and_key(tmp_path, drawn):
    table, entries = drawn
    lines = [
        f"{json.dumps(key, ensure_ascii=False)} = {json.dumps(value, ensure_ascii=False)}"
        for key, value in entries.items()
    ]
    path = write(tmp_path, LAB + f"\n[targets.lab.{table}]\n" + "\n".join(lines) + "\n")
    try:
        target = load_target(path, {}, {})
    except ConfigError as exc:
        message = str(exc)
        assert any(message.startswith(f"targets.toml: targets.lab.{table}.{k}: ") for k in entries)
        event(f"{table} refused")
        return
    event(f"{table} accepted")
    if table == "health_fields":
        assert target.health_fields == {f: entries.get(f, f) for f in HEALTH_FIELDS}
        assert all(isinstance(key, str) for key in target.health_fields.values())
        assert all(
            target.health_fields[f] for f in HEALTH_FIELDS if f not in OPTIONAL_HEALTH_FIELDS
        )
    elif table == "metrics":
        assert target.metric_names == entries
        assert all(METRIC_NAME.fullmatch(name) for name in target.metric_names.values())
    else:
        assert [e.alertname for e in target.expected_alerts] == list(entries)
        for expected in target.expected_alerts:
            text = entries[expected.alertname]
            assert isinstance(text, str)
            assert (expected.within_s is None) == (text.strip() == "always")


# ---------------------------------------------------------------- names that cross a boundary


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("unit", "x; touch /tmp/pwned", "is not a systemd unit name"),
        ("unit", "$(id)", "is not a systemd unit name"),
        ("unit", "--help", "is not a systemd unit name"),
        ("log_file", "-rf", "would read as an option"),
        ("metric_prefix", "rosey_}or{", "cannot start a Prometheus metric name"),
        ("metric_prefix", "1x_", "cannot start a Prometheus metric name"),
    ],
)
def test_hostile_names_are_refused_before_any_command(tmp_path, key, value, expected):
    path = tmp_path / "targets.toml"
    path.write_text(f"[targets.lab]\n{key} = {json.dumps(value)}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_target(path, {}, {}, "lab")
    assert str(caught.value).startswith(f"targets.toml: targets.lab.{key}: ")
    assert expected in str(caught.value)


@pytest.mark.parametrize("word", ['Bot"Down', "Bot\\Down", "Bot`id`", "Bot$(id)", "Bot\nDown"])
def test_rule_names_and_status_words_with_quotes_or_control_characters_are_refused(tmp_path, word):
    path = tmp_path / "targets.toml"
    path.write_text(f"[targets.lab]\nalert_rules = [{json.dumps(word)}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^targets\.toml: targets\.lab\.alert_rules: "):
        load_target(path, {}, {}, "lab")
