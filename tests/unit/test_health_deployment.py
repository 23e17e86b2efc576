"""The health JSON of a real deployment: optional fields declared absent parse as None, the
target's own status words are compared exactly, and a version the JSON does not carry cannot
pass or fail health-version."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from burnin.bands import Band
from burnin.config import HEALTH_FIELDS, load_target
from burnin.criteria.health import judge_health_up, judge_health_version
from burnin.errors import ConfigError
from burnin.probes.health import HealthPayload, HealthReading, PayloadError, parse_health

SAME_NAMES = {name: name for name in HEALTH_FIELDS}
# The exporter stack's health JSON and its mapping (targets.toml [targets.exporter-layout]).
EXPORTER_JSON = {
    "status": "running",
    "connected": True,
    "channel": "#production-channel",
    "uptime": 3600,
    "requests": 120,
    "errors": 2,
    "user_count": 7,
}
EXPORTER_FIELDS = SAME_NAMES | {
    "uptime_seconds": "uptime",
    "requests_handled": "requests",
    "error_count": "errors",
    "version": "",
}


def reading(**changes: object) -> HealthReading:
    payload = HealthPayload(
        status="healthy",
        connected=True,
        channel="#production-channel",
        uptime_seconds=30,
        version="v1.0.0",
        user_count=3,
        requests_handled=10,
        error_count=0,
    )
    return HealthReading(
        "http://bot.example/api/health", 12.0, 200, replace(payload, **changes), "", ""
    )


# ---------------------------------------------------------------- parse_health


def test_exporter_json_parses_with_the_exporter_mapping_and_no_version():
    payload = parse_health(json.dumps(EXPORTER_JSON), EXPORTER_FIELDS)
    assert payload == HealthPayload(
        status="running",
        connected=True,
        channel="#production-channel",
        uptime_seconds=3600,
        version=None,
        user_count=7,
        requests_handled=120,
        error_count=2,
    )


@pytest.mark.parametrize("field", ["channel", "uptime_seconds", "version", "requests_handled"])
def test_a_field_mapped_to_empty_is_none_even_when_the_json_has_it(field):
    document = {
        "status": "healthy",
        "connected": True,
        "channel": "#c",
        "uptime_seconds": 5,
        "version": "v1",
        "user_count": 1,
        "requests_handled": 2,
        "error_count": 0,
    }
    payload = parse_health(json.dumps(document), SAME_NAMES | {field: ""})
    assert getattr(payload, field) is None
    assert payload.status == "healthy" and payload.error_count == 0


def test_a_field_mapped_to_empty_need_not_be_in_the_json():
    document = dict(EXPORTER_JSON)
    del document["channel"]
    payload = parse_health(json.dumps(document), EXPORTER_FIELDS | {"channel": ""})
    assert payload.channel is None


def test_the_contract_names_do_not_read_the_exporter_json():
    with pytest.raises(PayloadError, match=r"field 'uptime_seconds' missing \(have: channel, "):
        parse_health(json.dumps(EXPORTER_JSON), SAME_NAMES)


# ---------------------------------------------------------------- health-up with status words


def test_a_healthy_word_of_the_target_passes():
    verdict = judge_health_up(reading(status="running"), "", ("running",), ())
    assert verdict.band is Band.TARGET
    assert verdict.threshold == 'status in "running", connected == true'


def test_several_healthy_words_are_all_shown_in_the_threshold():
    verdict = judge_health_up(reading(status="ok"), "", ("running", "ok"), ())
    assert verdict.band is Band.TARGET
    assert verdict.threshold == 'status in "running" or "ok", connected == true'


@pytest.mark.parametrize("status", ["unhealthy", "healthy ", "Healthy", "not healthy", "health"])
def test_status_words_are_compared_exactly(status):
    verdict = judge_health_up(reading(status=status), "", ("healthy",), ("degraded",))
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == f"status is {status!r}"


def test_the_contracts_word_is_not_healthy_for_a_target_with_other_words():
    verdict = judge_health_up(reading(status="healthy"), "", ("running",), ())
    assert verdict.band is Band.CRITICAL


def test_a_degraded_word_alone_is_degraded():
    verdict = judge_health_up(reading(status="starting"), "", ("running",), ("starting", "slow"))
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "status is 'starting'"


def test_a_degraded_word_with_another_problem_is_critical():
    verdict = judge_health_up(
        reading(status="starting", connected=False), "", ("running",), ("starting",)
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "status is 'starting'; connected is false"


def test_without_degraded_words_the_contracts_degraded_is_critical():
    verdict = judge_health_up(reading(status="degraded"), "", ("healthy",), ())
    assert verdict.band is Band.CRITICAL


def test_a_degraded_word_is_compared_exactly_too():
    verdict = judge_health_up(reading(status="degraded!"), "", ("healthy",), ("degraded",))
    assert verdict.band is Band.CRITICAL


def test_an_expected_channel_the_health_json_cannot_show_is_not_blamed_on_the_bot(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(
        textwrap.dedent(
            """
            [targets.lab]
            channel = "#production-channel"
            [targets.lab.health_fields]
            channel = ""
            """
        ),
        encoding="utf-8",
    )
    try:
        target = load_target(path, {}, {}, "lab")
    except ConfigError:
        return  # refusing the combination up front would do as well
    document = {
        "status": "healthy",
        "connected": True,
        "uptime_seconds": 5,
        "version": "v1",
        "user_count": 1,
        "requests_handled": 2,
        "error_count": 0,
    }
    payload = parse_health(json.dumps(document), target.health_fields)
    healthy = HealthReading("http://bot.example/api/health", 12.0, 200, payload, "", "")
    verdict = judge_health_up(
        healthy, target["channel"], target["healthy_status"], target["degraded_status"]
    )
    assert verdict.band is not Band.CRITICAL


# ---------------------------------------------------------------- health-version


def test_version_not_carried_by_the_json_is_no_data_saying_why():
    verdict = judge_health_version(reading(version=None), "v1.0.0")
    assert verdict.band is Band.NO_DATA
    assert verdict.observed is None
    assert 'health_fields.version = ""' in verdict.cause
    assert verdict.threshold == "version == 'v1.0.0'"


def test_version_not_carried_and_not_expected_is_skipped():
    assert judge_health_version(reading(version=None), "").band is Band.SKIPPED


def test_exporter_json_version_is_no_data_end_to_end():
    payload = parse_health(json.dumps(EXPORTER_JSON), EXPORTER_FIELDS)
    healthy = HealthReading("http://bot.example/api/health", 12.0, 200, payload, "", "")
    assert judge_health_version(healthy, "v2.3.0").band is Band.NO_DATA


def test_real_sandbox_exporter_fields_parse_its_health_json():
    root = Path(__file__).resolve().parents[2]
    target = load_target(root / "targets.toml", {}, {}, "sandbox-exporter")
    payload = parse_health(json.dumps(EXPORTER_JSON), target.health_fields)
    verdict = judge_health_up(
        HealthReading("http://127.0.0.1:18000/api/health", 5.0, 200, payload, "", ""),
        target["channel"],
        target["healthy_status"],
        target["degraded_status"],
    )
    assert verdict.band is Band.TARGET
