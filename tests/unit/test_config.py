"""load_thresholds and load_target: the real files load, and every mistake is one ConfigError
that names the file, the key and what was expected."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.bands import Band, Better
from burnin.catalogue import CRITERIA
from burnin.config import (
    DEFAULT_COVERAGE_PERCENT,
    SETTINGS,
    SETTINGS_BY_KEY,
    load_target,
    load_thresholds,
)
from burnin.errors import ConfigError
from burnin.promql import CONTRACT_METRICS
from burnin.schedule import parse_time

ROOT = Path(__file__).resolve().parents[2]

# A minimal valid thresholds.toml; each test spoils one part of it.
PHASES = """
[phases.smoke]
minutes = 15
criteria = ["health-up"]

[phases.6h]
hours = 6
criteria = ["uptime"]
"""

UPTIME = """
[metrics.uptime]
unit = "%"
better = "higher"
target = 100.0
acceptable = 99.9
critical = 99.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def thresholds_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, "thresholds.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_thresholds(path, CRITERIA)
    return str(caught.value)


def target_error(tmp_path: Path, text: str, **kwargs) -> str:
    path = write(tmp_path, "targets.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_target(path, kwargs.pop("cli", {}), kwargs.pop("env", {}), **kwargs)
    return str(caught.value)


# ---------------------------------------------------------------- the real files


def test_real_thresholds_file_loads_with_the_spec_phases_and_metrics():
    thresholds = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
    assert {"smoke", "6h", "12h", "24h"} <= set(thresholds.phases)
    assert thresholds.phases["6h"].duration == timedelta(hours=6)
    assert thresholds.phases["smoke"].duration == timedelta(minutes=15)
    assert thresholds.phases["24h"].marker == "checkpoint_24h"
    assert str(thresholds.traffic.peak) == "18:00-23:00"
    uptime = thresholds.tiers("uptime", "24h")
    assert (uptime.better, uptime.target, uptime.acceptable, uptime.critical) == (
        Better.HIGHER,
        100.0,
        99.9,
        99.0,
    )


def test_real_thresholds_phase_override_applies_only_to_its_phase():
    thresholds = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
    assert thresholds.tiers("uptime", "6h").acceptable == 100.0
    assert thresholds.tiers("uptime", "12h").acceptable == 99.9
    assert thresholds.tiers("uptime", "6h").band(99.95) is Band.DEGRADED
    assert thresholds.tiers("uptime", "12h").band(99.95) is Band.ACCEPTABLE


def test_real_thresholds_cpu_has_no_target_line():
    assert load_thresholds(ROOT / "thresholds.toml", CRITERIA).tiers("cpu", "24h").target is None


def test_real_targets_file_loads_the_sandbox_target():
    target = load_target(ROOT / "targets.toml", {}, {}, "sandbox")
    assert target.name == "sandbox"
    assert target["ssh_port"] == 12222
    assert target["ssh_sudo"] is False
    assert target["health_url"] == "http://127.0.0.1:18000/api/health"
    assert target.sources["ssh_port"] == "targets.toml [targets.sandbox]"
    assert target.sources["timeout_s"] == "default"
    assert target.path("ssh_key") == ROOT / ".sandbox/ssh/id_ed25519"
    assert target.health_fields["uptime_seconds"] == "uptime_seconds"


def test_real_targets_file_production_is_still_a_placeholder():
    with pytest.raises(ConfigError) as caught:
        load_target(ROOT / "targets.toml", {}, {}, "production")
    message = str(caught.value)
    assert "targets.toml" in message
    assert "targets.production.health_url" in message
    assert "placeholder" in message
    assert "--health-url" in message and "BURNIN_HEALTH_URL" in message


def test_real_targets_file_default_target_is_production_placeholder():
    with pytest.raises(ConfigError, match="placeholder"):
        load_target(ROOT / "targets.toml", {}, {})


def test_placeholder_overridden_on_the_command_line_moves_on_to_the_next_setting():
    with pytest.raises(ConfigError, match=r"targets\.production\.prometheus_url: still the"):
        load_target(
            ROOT / "targets.toml",
            {"health_url": "http://10.0.0.1:8000/api/health"},
            {},
            "production",
        )


# ---------------------------------------------------------------- thresholds.toml mistakes


def test_missing_thresholds_file_names_the_path(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_thresholds(tmp_path / "nope.toml", CRITERIA)


def test_invalid_toml_names_the_file_and_says_not_valid_toml(tmp_path):
    message = thresholds_error(tmp_path, "[metrics.uptime\nunit = '%'\n")
    assert "thresholds.toml" in message
    assert "not valid TOML" in message
    assert "line 1" in message


def test_unknown_top_level_key_is_named_with_the_allowed_ones(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME + "\n[alerts]\nx = 1\n")
    assert message.startswith("thresholds.toml: alerts: unknown key; expected one of ")
    assert "metrics, phases" in message and "traffic" in message


def test_unknown_metric_key_is_named_with_the_allowed_ones(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME + "warning = 99.5\n")
    assert message.startswith("thresholds.toml: metrics.uptime.warning: unknown key")
    assert "expected one of acceptable, better, critical, phase, target, unit" in message


def test_missing_required_metric_key_is_named(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME.replace("critical = 99.0\n", ""))
    assert message == "thresholds.toml: metrics.uptime.critical: missing"


def test_string_where_a_number_belongs_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME.replace("99.9", '"99.9 %"'))
    assert message == "thresholds.toml: metrics.uptime.acceptable: expected a number, got '99.9 %'"


def test_boolean_where_a_number_belongs_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME.replace("target = 100.0", "target = true"))
    assert "metrics.uptime.target: expected a number, got True" in message


def test_better_must_be_lower_or_higher(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME.replace('"higher"', '"up"'))
    assert message == (
        'thresholds.toml: metrics.uptime.better: expected "lower" or "higher", got \'up\''
    )


def test_critical_above_acceptable_when_higher_is_better_is_rejected(tmp_path):
    message = thresholds_error(
        tmp_path, PHASES + UPTIME.replace("critical = 99.0", "critical = 99.95")
    )
    assert "thresholds.toml: metrics.uptime:" in message
    assert "critical 99.95 is on the wrong side of acceptable 99.9" in message
    assert "critical must not be above acceptable" in message


def test_critical_below_acceptable_when_lower_is_better_is_rejected(tmp_path):
    metric = """
    [metrics.error_rate]
    unit = "errors/min"
    better = "lower"
    acceptable = 0.1
    critical = 0.05
    """
    message = thresholds_error(tmp_path, PHASES + metric)
    assert "thresholds.toml: metrics.error_rate:" in message
    assert "critical 0.05 is on the wrong side of acceptable 0.1" in message
    assert "critical must not be below acceptable" in message


def test_target_below_acceptable_when_higher_is_better_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME.replace("target = 100.0", "target = 99.5"))
    assert message == (
        "thresholds.toml: metrics.uptime: target 99.5 must not be below acceptable 99.9 "
        "when higher is better"
    )


def test_target_above_acceptable_when_lower_is_better_is_rejected(tmp_path):
    metric = """
    [metrics.error_rate]
    unit = "errors/min"
    better = "lower"
    target = 0.5
    acceptable = 0.1
    critical = 1.0
    """
    message = thresholds_error(tmp_path, PHASES + metric)
    assert "metrics.error_rate: target 0.5 must not be above acceptable 0.1" in message


def test_phase_override_that_breaks_the_order_is_rejected(tmp_path):
    override = "\n[metrics.uptime.phase.6h]\ncritical = 100.0\n"
    message = thresholds_error(tmp_path, PHASES + UPTIME + override)
    assert "thresholds.toml: metrics.uptime.phase.6h:" in message
    assert "wrong side of acceptable" in message


def test_phase_override_for_an_unknown_phase_is_rejected(tmp_path):
    override = "\n[metrics.uptime.phase.48h]\nacceptable = 100.0\n"
    message = thresholds_error(tmp_path, PHASES + UPTIME + override)
    assert message == (
        "thresholds.toml: metrics.uptime.phase.48h: unknown phase; expected one of 6h, smoke"
    )


def test_phase_override_with_an_unknown_key_is_rejected(tmp_path):
    override = "\n[metrics.uptime.phase.6h]\nunit = 'ms'\n"
    message = thresholds_error(tmp_path, PHASES + UPTIME + override)
    assert (
        "metrics.uptime.phase.6h.unit: unknown key; expected one of acceptable, critical, target"
        in message
    )


MEMORY_GROWTH = """
[metrics.memory_growth]
unit = "MB/hr"
better = "lower"
target = 0.0
stable_within = 1.0
acceptable = 10.0
critical = 50.0
"""


def test_real_thresholds_memory_growth_has_its_stable_line():
    tiers = load_thresholds(ROOT / "thresholds.toml", CRITERIA).tiers("memory_growth", "6h")
    assert (tiers.target, tiers.stable_within, tiers.acceptable) == (0.0, 1.0, 10.0)


def test_stable_line_loads_and_a_phase_may_override_it(tmp_path):
    override = "\n[metrics.memory_growth.phase.6h]\nstable_within = 0.5\n"
    path = write(tmp_path, "thresholds.toml", PHASES + MEMORY_GROWTH + override)
    thresholds = load_thresholds(path, CRITERIA)
    assert thresholds.tiers("memory_growth", "smoke").stable_within == 1.0
    assert thresholds.tiers("memory_growth", "6h").stable_within == 0.5


@pytest.mark.parametrize(
    ("value", "got"), [("12.0", "12"), ("-0.5", "-0.5")], ids=["over-acceptable", "negative"]
)
def test_stable_line_outside_zero_to_acceptable_is_rejected(tmp_path, value, got):
    text = MEMORY_GROWTH.replace("stable_within = 1.0", f"stable_within = {value}")
    assert thresholds_error(tmp_path, PHASES + text) == (
        "thresholds.toml: metrics.memory_growth.stable_within: expected a number from 0 to "
        f"acceptable 10, got {got}"
    )


def test_phase_acceptable_under_the_stable_line_names_both_keys(tmp_path):
    override = "\n[metrics.memory_growth.phase.6h]\nacceptable = 0.5\ntarget = 0.0\n"
    assert thresholds_error(tmp_path, PHASES + MEMORY_GROWTH + override) == (
        "thresholds.toml: metrics.memory_growth.stable_within: expected a number from 0 to "
        "acceptable 0.5 (metrics.memory_growth.phase.6h.acceptable), got 1"
    )


def test_stable_line_must_be_a_number(tmp_path):
    text = MEMORY_GROWTH.replace("stable_within = 1.0", 'stable_within = "1 MB"')
    assert thresholds_error(tmp_path, PHASES + text) == (
        "thresholds.toml: metrics.memory_growth.stable_within: expected a number, got '1 MB'"
    )


def test_stable_line_on_another_metric_is_an_unknown_key(tmp_path):
    message = thresholds_error(tmp_path, PHASES + UPTIME + "stable_within = 1.0\n")
    assert message.startswith("thresholds.toml: metrics.uptime.stable_within: unknown key")


def test_phase_with_both_hours_and_minutes_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, "[phases.6h]\nhours = 6\nminutes = 360\n")
    assert message == "thresholds.toml: phases.6h: expected exactly one of hours or minutes"


def test_phase_with_neither_hours_nor_minutes_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, "[phases.6h]\nmarker = 'checkpoint_6h'\n")
    assert message == "thresholds.toml: phases.6h: expected exactly one of hours or minutes"


@pytest.mark.parametrize("length", ["0", "-6"])
def test_phase_with_a_non_positive_length_is_rejected(tmp_path, length):
    message = thresholds_error(tmp_path, f"[phases.6h]\nhours = {length}\n")
    assert message == (
        f"thresholds.toml: phases.6h.hours: expected a positive number, got {int(length)}"
    )


def test_phase_naming_an_unknown_criterion_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, "[phases.6h]\nhours = 6\ncriteria = ['uptime', 'vibes']\n")
    assert "thresholds.toml: phases.6h.criteria: unknown criterion 'vibes'" in message
    assert "expected one of health-up" in message and "uptime" in message


def test_phase_criteria_must_be_a_list_of_strings(tmp_path):
    message = thresholds_error(tmp_path, "[phases.6h]\nhours = 6\ncriteria = 'uptime'\n")
    assert message == "thresholds.toml: phases.6h.criteria: expected a list of criterion ids"


def test_thresholds_without_phases_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, UPTIME)
    assert message == "thresholds.toml: phases: missing; expected at least one phase"


def test_unknown_traffic_timezone_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[traffic]\ntimezone = 'Mars/Olympus'\n")
    assert "thresholds.toml: traffic.timezone: unknown timezone 'Mars/Olympus'" in message
    assert "expected an IANA name" in message


def test_traffic_timezone_naming_a_zone_folder_is_a_config_error(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[traffic]\ntimezone = 'Europe'\n")
    assert "traffic.timezone: unknown timezone 'Europe'" in message


@pytest.mark.parametrize("hours", ["6pm-11pm", "18:00", "18:00-25:00", "18:00-20:00-23:00"])
def test_bad_peak_hours_text_is_rejected(tmp_path, hours):
    message = thresholds_error(tmp_path, PHASES + f"[traffic]\npeak = '{hours}'\n")
    assert message == (f'thresholds.toml: traffic.peak: expected "HH:MM-HH:MM", got {hours!r}')


def test_unknown_traffic_key_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[traffic]\nlunch = '12:00-13:00'\n")
    assert "traffic.lunch: unknown key; expected one of off_peak, peak, timezone" in message


def test_traffic_defaults_apply_when_the_table_is_absent(tmp_path):
    thresholds = load_thresholds(write(tmp_path, "thresholds.toml", PHASES), CRITERIA)
    assert str(thresholds.traffic.peak) == "18:00-23:00"
    assert str(thresholds.traffic.off_peak) == "02:00-07:00"
    assert thresholds.phases["6h"].marker == "checkpoint_6h"


# ---------------------------------------------------------------- [coverage]


def test_real_thresholds_coverage_line_is_99_percent():
    assert load_thresholds(ROOT / "thresholds.toml", CRITERIA).coverage_min_percent == 99.0


def test_coverage_line_defaults_when_the_table_is_absent(tmp_path):
    thresholds = load_thresholds(write(tmp_path, "thresholds.toml", PHASES), CRITERIA)
    assert thresholds.coverage_min_percent == DEFAULT_COVERAGE_PERCENT


@pytest.mark.parametrize("percent", [0.5, 95, 100])
def test_coverage_line_is_read_from_the_file(tmp_path, percent):
    path = write(tmp_path, "thresholds.toml", PHASES + f"[coverage]\nmin_percent = {percent}\n")
    assert load_thresholds(path, CRITERIA).coverage_min_percent == percent


@pytest.mark.parametrize("percent", ["0", "-5", "100.5", "nan"])
def test_coverage_line_outside_0_to_100_is_rejected(tmp_path, percent):
    message = thresholds_error(tmp_path, PHASES + f"[coverage]\nmin_percent = {percent}\n")
    assert message.startswith("thresholds.toml: coverage.min_percent: expected ")


def test_coverage_line_above_100_says_what_is_expected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[coverage]\nmin_percent = 101\n")
    assert message == (
        "thresholds.toml: coverage.min_percent: expected a percentage above 0 and at most 100, "
        "got 101"
    )


def test_coverage_line_must_be_a_number(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[coverage]\nmin_percent = '99 %'\n")
    assert message == "thresholds.toml: coverage.min_percent: expected a number, got '99 %'"


def test_unknown_coverage_key_is_rejected(tmp_path):
    message = thresholds_error(tmp_path, PHASES + "[coverage]\npercent = 99\n")
    assert message == "thresholds.toml: coverage.percent: unknown key; expected one of min_percent"


def test_coverage_must_be_a_table(tmp_path):
    message = thresholds_error(tmp_path, "coverage = 99\n" + PHASES)
    assert message == "thresholds.toml: coverage: expected a table, got 99"


def test_no_critical_alerts_is_no_longer_a_phase_setting(tmp_path):
    # Critical alerts fail the alerts criterion at every phase now.
    message = thresholds_error(tmp_path, "[phases.12h]\nhours = 12\nno_critical_alerts = true\n")
    assert message == (
        "thresholds.toml: phases.12h.no_critical_alerts: unknown key; expected one of criteria, "
        "hours, marker, minutes"
    )


# ---------------------------------------------------------------- targets.toml mistakes

TARGETS = """
default = "lab"

[targets.lab]
health_url = "http://10.0.0.5:8000/api/health"
ssh_host = "lab-bot"
ssh_port = 2222
"""


def test_unknown_target_name_lists_the_known_ones(tmp_path):
    message = target_error(tmp_path, TARGETS, name="staging")
    assert message == "targets.toml: unknown target 'staging'; expected one of lab"


def test_target_from_env_when_no_name_given(tmp_path):
    message = target_error(tmp_path, TARGETS, env={"BURNIN_TARGET": "qa"})
    assert "unknown target 'qa'" in message


def test_no_target_chosen_says_how_to_choose_one(tmp_path):
    message = target_error(tmp_path, TARGETS.replace('default = "lab"', ""))
    assert message == "targets.toml: no target chosen; pass --target NAME or set `default`"


def test_unknown_top_level_key_in_targets_is_rejected(tmp_path):
    message = target_error(tmp_path, "defaults = 'lab'\n" + TARGETS)
    assert message == "targets.toml: defaults: unknown key; expected one of default, targets"


def test_unknown_key_in_a_target_is_named(tmp_path):
    message = target_error(tmp_path, TARGETS + "ssh_password = 'hunter2'\n")
    assert message.startswith(
        "targets.toml: targets.lab.ssh_password: unknown key; expected one of"
    )
    assert "ssh_port" in message and "health_fields" in message


def test_non_integer_ssh_port_in_the_file_is_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS.replace("2222", '"twenty-two"'))
    assert message == "targets.toml: targets.lab.ssh_port: expected an integer, got 'twenty-two'"


def test_boolean_ssh_port_is_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS.replace("2222", "true"))
    assert message == "targets.toml: targets.lab.ssh_port: expected an integer, got True"


def test_fractional_ssh_port_is_rejected_not_truncated(tmp_path):
    message = target_error(tmp_path, TARGETS.replace("2222", "2222.7"))
    assert "targets.lab.ssh_port: expected an integer" in message


def test_non_integer_ssh_port_from_env_names_the_env_var(tmp_path):
    message = target_error(tmp_path, TARGETS, env={"BURNIN_SSH_PORT": "22a"})
    assert message == "BURNIN_SSH_PORT: expected an integer, got '22a'"


def test_non_integer_ssh_port_from_cli_names_the_option(tmp_path):
    message = target_error(tmp_path, TARGETS, cli={"ssh_port": "x"})
    assert message == "--ssh-port: expected an integer, got 'x'"


@pytest.mark.parametrize("raw", ['"maybe"', "1"])
def test_bad_bool_in_the_file_is_rejected(tmp_path, raw):
    message = target_error(tmp_path, TARGETS + f"ssh_sudo = {raw}\n")
    assert message.startswith("targets.toml: targets.lab.ssh_sudo: expected true or false, got ")


@pytest.mark.parametrize(
    ("text", "expected"), [("yes", True), ("ON", True), ("1", True), ("off", False), ("0", False)]
)
def test_bool_words_from_env_are_understood(tmp_path, text, expected):
    path = write(tmp_path, "targets.toml", TARGETS)
    assert load_target(path, {}, {"BURNIN_SSH_SUDO": text})["ssh_sudo"] is expected


def test_bad_bool_from_env_names_the_env_var(tmp_path):
    message = target_error(tmp_path, TARGETS, env={"BURNIN_ACCEPT_NEW_HOST_KEY": "sure"})
    assert message == "BURNIN_ACCEPT_NEW_HOST_KEY: expected true or false, got 'sure'"


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "soon"])
def test_source_timeout_must_be_a_positive_number(tmp_path, raw):
    message = target_error(tmp_path, TARGETS, env={"BURNIN_SOURCE_TIMEOUT": raw})
    assert message.startswith("BURNIN_SOURCE_TIMEOUT: expected a")
    assert repr(raw) in message


def test_number_where_a_string_belongs_is_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS + "unit = 7\n")
    assert message == "targets.toml: targets.lab.unit: expected a string, got 7"


@pytest.mark.parametrize("selector", ["env=production", 'env="a" job="b"', '1env="x"', "{{}}"])
def test_bad_selector_in_the_file_is_rejected(tmp_path, selector):
    message = target_error(tmp_path, TARGETS + f"selector = '{selector}'\n")
    assert message.startswith("targets.toml: targets.lab.selector: expected label matchers like")


def test_bad_selector_from_cli_names_the_option(tmp_path):
    message = target_error(tmp_path, TARGETS, cli={"selector": "prod"})
    assert message.startswith('--selector: expected label matchers like env="production"')


def test_deployed_at_without_utc_offset_is_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS + "deployed_at = '2026-11-28T09:00:00'\n")
    assert message.startswith(
        "targets.toml: targets.lab.deployed_at: '2026-11-28T09:00:00' has no UTC offset"
    )
    assert "2026-11-28T09:00:00+00:00" in message


def test_deployed_at_garbage_is_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS + "deployed_at = 'last tuesday'\n")
    assert message == (
        "targets.toml: targets.lab.deployed_at: expected an ISO 8601 time such as "
        "2026-11-28T09:00:00+00:00, got 'last tuesday'"
    )


def test_deployed_at_from_env_error_names_the_env_var(tmp_path):
    message = target_error(tmp_path, TARGETS, env={"BURNIN_DEPLOYED_AT": "2026-11-28 09:00"})
    assert message.startswith("BURNIN_DEPLOYED_AT: '2026-11-28 09:00' has no UTC offset")


def test_deployed_at_with_offset_is_parsed(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS + "deployed_at = '2026-11-28T10:00:00+01:00'\n")
    target = load_target(path, {}, {})
    assert target.deployed_at == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_unknown_health_field_is_rejected(tmp_path):
    text = TARGETS + "\n[targets.lab.health_fields]\nuptime = 'up'\n"
    message = target_error(tmp_path, text)
    assert message.startswith("targets.toml: targets.lab.health_fields.uptime: unknown key")
    assert "uptime_seconds" in message


def test_health_field_mapping_replaces_only_the_named_fields(tmp_path):
    text = (
        TARGETS
        + "\n[targets.lab.health_fields]\nuptime_seconds = 'uptime'\nerror_count = 'errors'\n"
    )
    target = load_target(write(tmp_path, "targets.toml", text), {}, {})
    assert target.health_fields["uptime_seconds"] == "uptime"
    assert target.health_fields["error_count"] == "errors"
    assert target.health_fields["status"] == "status"


# ---------------------------------------------------------------- process metrics, alert rules


def test_process_metrics_are_declared_by_default(tmp_path):
    target = load_target(write(tmp_path, "targets.toml", TARGETS), {}, {})
    assert (target["process_metrics"], target.sources["process_metrics"]) == (True, "default")


def test_a_target_can_declare_it_exports_no_process_metrics(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS + "process_metrics = false\n")
    assert load_target(path, {}, {})["process_metrics"] is False
    assert load_target(path, {}, {"BURNIN_PROCESS_METRICS": "yes"})["process_metrics"] is True


def test_process_metrics_must_be_true_or_false(tmp_path):
    message = target_error(tmp_path, TARGETS + "process_metrics = 'sometimes'\n")
    assert message == (
        "targets.toml: targets.lab.process_metrics: expected true or false, got 'sometimes'"
    )


def test_alert_rules_default_to_the_contracts(tmp_path):
    target = load_target(write(tmp_path, "targets.toml", TARGETS), {}, {})
    assert target["alert_rules"] == (
        "BotDown",
        "BotRestarting",
        "HighErrorRate",
        "CriticalErrorRate",
        "ChannelEmpty",
    )


def test_alert_rules_from_a_toml_list(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS + "alert_rules = ['BotDown', ' Lag ']\n")
    assert load_target(path, {}, {})["alert_rules"] == ("BotDown", "Lag")


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("cli", "BotDown, HighErrorRate,"),
        ("env", " BotDown ,HighErrorRate"),
        ("file", "BotDown,HighErrorRate"),
    ],
)
def test_alert_rules_from_a_comma_separated_string(tmp_path, where, text):
    file_text = TARGETS + (f"alert_rules = '{text}'\n" if where == "file" else "")
    path = write(tmp_path, "targets.toml", file_text)
    cli = {"alert_rules": text} if where == "cli" else {}
    env = {"BURNIN_ALERT_RULES": text} if where == "env" else {}
    assert load_target(path, cli, env)["alert_rules"] == ("BotDown", "HighErrorRate")


def test_alert_rules_of_other_types_are_rejected(tmp_path):
    message = target_error(tmp_path, TARGETS + "alert_rules = [1, 2]\n")
    assert message == "targets.toml: targets.lab.alert_rules: expected a list of names, got [1, 2]"
    message = target_error(tmp_path, TARGETS + "alert_rules = 3\n")
    assert message == "targets.toml: targets.lab.alert_rules: expected a list of names, got 3"


# ---------------------------------------------------------------- [targets.NAME.metrics]


def test_metric_names_map_contract_names_to_the_deployments(tmp_path):
    text = TARGETS + "\n[targets.lab.metrics]\nbot_connected = 'irc:connected'\n"
    target = load_target(write(tmp_path, "targets.toml", text), {}, {})
    assert target.metric_names == {"bot_connected": "irc:connected"}


def test_without_a_metrics_table_no_name_is_mapped(tmp_path):
    assert load_target(write(tmp_path, "targets.toml", TARGETS), {}, {}).metric_names == {}


def test_metrics_table_names_only_contract_metrics(tmp_path):
    message = target_error(tmp_path, TARGETS + "\n[targets.lab.metrics]\nbot_conected = 'x'\n")
    assert message == (
        "targets.toml: targets.lab.metrics.bot_conected: unknown key; expected one of "
        + ", ".join(sorted(CONTRACT_METRICS))
    )


@pytest.mark.parametrize("name", ["rosey-bot_connected", "1connected", "", "bot connected"])
def test_metric_name_must_be_a_prometheus_metric_name(tmp_path, name):
    message = target_error(tmp_path, TARGETS + f"\n[targets.lab.metrics]\nbot_users = '{name}'\n")
    assert message == (
        f"targets.toml: targets.lab.metrics.bot_users: {name!r} is not a Prometheus metric name "
        "(letters, digits, _ and :, not starting with a digit)"
    )


def test_metric_name_must_be_a_string(tmp_path):
    message = target_error(tmp_path, TARGETS + "\n[targets.lab.metrics]\nbot_users = 5\n")
    assert message == "targets.toml: targets.lab.metrics.bot_users: expected a string, got 5"


def test_metrics_must_be_a_table(tmp_path):
    message = target_error(tmp_path, TARGETS + "metrics = 'bot_connected=x'\n")
    assert message == "targets.toml: targets.lab.metrics: expected a table, got 'bot_connected=x'"


def test_parse_time_names_where_the_value_came_from():
    with pytest.raises(ConfigError, match=r"^--deployed-at: expected an ISO 8601"):
        parse_time("yesterday", "--deployed-at")
    assert parse_time(" 2026-01-02T03:04:05Z ", "x") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


# ---------------------------------------------------------------- precedence


def test_cli_beats_env_beats_file_beats_default_and_sources_say_which(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS + "unit = 'file-unit'\nchannel = '#file'\n")
    target = load_target(
        path,
        cli={"unit": "cli-unit", "ssh_host": None},  # None: the option was not given
        env={"BURNIN_UNIT": "env-unit", "BURNIN_CHANNEL": "#env", "BURNIN_SSH_HOST": "env-host"},
    )
    assert (target["unit"], target.sources["unit"]) == ("cli-unit", "--unit")
    assert (target["channel"], target.sources["channel"]) == ("#env", "BURNIN_CHANNEL")
    assert (target["ssh_host"], target.sources["ssh_host"]) == ("env-host", "BURNIN_SSH_HOST")
    assert (target["ssh_port"], target.sources["ssh_port"]) == (2222, "targets.toml [targets.lab]")
    assert (target["known_hosts"], target.sources["known_hosts"]) == (
        "~/.ssh/known_hosts",
        "default",
    )


def test_cli_values_are_coerced_like_file_values(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS)
    target = load_target(path, {"ssh_port": "2200", "ssh_sudo": "true"}, {"BURNIN_SSH_PORT": "1"})
    assert target["ssh_port"] == 2200
    assert target["ssh_sudo"] is True
    assert target.sources["ssh_port"] == "--ssh-port"


def test_expected_version_option_and_env_names_differ_from_the_file_key(tmp_path):
    setting = SETTINGS_BY_KEY["version"]
    assert (setting.option, setting.env) == ("--expected-version", "BURNIN_EXPECTED_VERSION")
    path = write(tmp_path, "targets.toml", TARGETS + "version = 'v1'\n")
    target = load_target(path, {}, {"BURNIN_EXPECTED_VERSION": "v2"})
    assert (target["version"], target.sources["version"]) == ("v2", "BURNIN_EXPECTED_VERSION")


def test_every_setting_has_an_env_var_derived_from_its_option():
    for setting in SETTINGS:
        assert setting.option.startswith("--")
        assert setting.env == "BURNIN_" + setting.option[2:].replace("-", "_").upper()
    assert SETTINGS_BY_KEY["timeout_s"].env == "BURNIN_SOURCE_TIMEOUT"


def test_every_setting_is_described_with_its_source(tmp_path):
    target = load_target(write(tmp_path, "targets.toml", TARGETS), {}, {})
    rows = {key: (value, source) for key, value, source in target.describe()}
    assert set(rows) == {s.key for s in SETTINGS}
    assert rows["ssh_port"] == ("2222", "targets.toml [targets.lab]")
    assert rows["timeout_s"] == ("10.0", "default")


def test_target_path_is_relative_to_the_targets_file_and_none_when_unset(tmp_path):
    path = write(tmp_path, "targets.toml", TARGETS + "ssh_key = 'keys/id'\n")
    target = load_target(path, {}, {})
    assert target.path("ssh_key") == tmp_path / "keys/id"
    assert target.path("dashboard_url") is None


def test_typed_settings_hold_every_setting_but_the_access_ones_with_its_kind():
    import dataclasses
    import typing

    from burnin.config.access import ACCESS_KEYS, HTTP_SOURCES
    from burnin.config.settings import TargetSettings

    access = set(ACCESS_KEYS) | {f"{s}_{k}" for s in HTTP_SOURCES for k in ACCESS_KEYS}
    hints = typing.get_type_hints(TargetSettings)
    fields = {f.name for f in dataclasses.fields(TargetSettings)}
    assert fields == {s.key for s in SETTINGS if s.key not in access}
    for setting in SETTINGS:
        if setting.key in fields:
            kind = typing.get_origin(hints[setting.key]) or hints[setting.key]
            assert kind is setting.kind, setting.key


def test_a_target_reads_its_settings_typed(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text('default = "p"\n[targets.p]\nssh_port = 2222\nalert_rules = ["A"]\n')
    settings = load_target(path, {"timeout_s": "3"}, {}).settings
    assert (settings.ssh_port, settings.alert_rules, settings.timeout_s) == (2222, ("A",), 3.0)
