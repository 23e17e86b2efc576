"""The pure judge_* steps with hand-made evidence, overall(), and Verdict.message()."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.bands import Band, Better, Tiers
from burnin.config import load_thresholds
from burnin.criteria.host import (
    JournalMeasurement,
    journal_command,
    judge_logs_clean,
    judge_service_active,
    parse_journal_json,
)
from burnin.criteria.uptime import MIN_SAMPLES, UptimeMeasurement, judge_uptime
from burnin.probes.ssh import CommandResult
from burnin.verdict import Evidence, Overall, Verdict, no_data, overall
from burnin.window import Window

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
QUERY = 'sum(count_over_time(bot_connected{env="production"}[43200s]))'


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml")


def uptime(samples: float | None, connected: float | None) -> UptimeMeasurement:
    return UptimeMeasurement(
        samples, connected, (Evidence("prometheus", QUERY, {"value": samples}),)
    )


# ---------------------------------------------------------------- uptime


@pytest.mark.parametrize("samples", [None, 0.0])
def test_uptime_without_samples_is_no_data(thresholds, samples):
    verdict = judge_uptime(uptime(samples, None), thresholds.tiers("uptime", "12h"), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert "no bot_connected samples" in verdict.cause
    assert not verdict.band.passes


def test_uptime_with_too_few_samples_is_no_data(thresholds):
    measurement = uptime(MIN_SAMPLES - 1, MIN_SAMPLES - 1)
    verdict = judge_uptime(measurement, thresholds.tiers("uptime", "12h"), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert f"only {MIN_SAMPLES - 1} bot_connected samples" in verdict.cause
    assert f"need at least {MIN_SAMPLES}" in verdict.cause


def test_uptime_with_exactly_the_minimum_samples_is_judged(thresholds):
    verdict = judge_uptime(
        uptime(MIN_SAMPLES, MIN_SAMPLES), thresholds.tiers("uptime", "12h"), WINDOW
    )
    assert verdict.band is Band.TARGET


def test_uptime_of_99_95_percent_is_acceptable_at_12h(thresholds):
    verdict = judge_uptime(uptime(2000, 1999), thresholds.tiers("uptime", "12h"), WINDOW)
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == pytest.approx(99.95)
    assert verdict.cause == "1999 of 2000 samples connected"


def test_uptime_of_99_95_percent_fails_at_6h_where_100_percent_is_required(thresholds):
    verdict = judge_uptime(uptime(2000, 1999), thresholds.tiers("uptime", "6h"), WINDOW)
    assert not verdict.band.passes
    assert verdict.band is Band.DEGRADED


def test_uptime_all_connected_is_target_and_98_percent_is_critical(thresholds):
    tiers = thresholds.tiers("uptime", "24h")
    assert judge_uptime(uptime(1000, 1000), tiers, WINDOW).band is Band.TARGET
    assert judge_uptime(uptime(1000, 980), tiers, WINDOW).band is Band.CRITICAL


def test_uptime_with_samples_but_no_connected_sum_is_no_data(thresholds):
    verdict = judge_uptime(uptime(100, None), thresholds.tiers("uptime", "12h"), WINDOW)
    assert verdict.band is Band.NO_DATA


# ---------------------------------------------------------------- journal


def journal_line(message: str | list[int], priority: int, at: datetime) -> str:
    return json.dumps(
        {
            "__REALTIME_TIMESTAMP": str(int(at.timestamp() * 1_000_000)),
            "PRIORITY": str(priority),
            "MESSAGE": message,
            "_SYSTEMD_UNIT": "rosey-bot.service",
        }
    )


ERROR_TEXT = "[2026-11-29 11:00:00] [lib.bot] [ERROR] lost connection"
ERROR_STDOUT = "\n".join(
    [
        journal_line(ERROR_TEXT, 3, NOW - timedelta(hours=1)),
        "",
        journal_line(list("[ERROR] caf\u00e9 \u2603".encode()), 3, NOW - timedelta(minutes=30)),
    ]
)
WARNING_STDOUT = journal_line("Reconnecting to irc.example", 4, NOW - timedelta(hours=2)) + "\n"


def command(
    argv: list[str], exit_code: int | None, stdout: str = "", stderr: str = "", problem: str = ""
) -> CommandResult:
    return CommandResult(" ".join(argv), exit_code, stdout, stderr, problem)


def journal(
    errors_stdout: str, warnings_stdout: str = "", presence: str = "started\n"
) -> JournalMeasurement:
    results = (
        command(journal_command("rosey-bot", WINDOW, None, "-n", "1", "-o", "cat"), 0, presence),
        command(journal_command("rosey-bot", WINDOW, "err", "-o", "json"), 0, errors_stdout),
        command(
            journal_command("rosey-bot", WINDOW, "warning..warning", "-o", "json"),
            0,
            warnings_stdout,
        ),
    )
    return JournalMeasurement(
        parse_journal_json(errors_stdout),
        parse_journal_json(warnings_stdout),
        bool(presence.strip()),
        results,
    )


def test_parse_journal_json_reads_text_and_byte_array_messages():
    entries = parse_journal_json(ERROR_STDOUT)
    assert [e.message for e in entries] == [ERROR_TEXT, "[ERROR] caf\u00e9 \u2603"]
    assert [e.priority for e in entries] == [3, 3]
    assert entries[0].time == NOW - timedelta(hours=1)
    assert entries[0].line() == f"2026-11-29T11:00:00+00:00 p3 {ERROR_TEXT}"


def test_parse_journal_json_replaces_invalid_utf8_in_byte_messages():
    [entry] = parse_journal_json(journal_line([0x6F, 0x6B, 0xFF], 3, NOW))
    assert entry.message == "ok\ufffd"


def test_parse_journal_json_of_empty_output_is_no_entries():
    assert parse_journal_json("") == []
    assert parse_journal_json("\n\n") == []


def test_journal_command_bounds_the_query_by_the_window():
    argv = journal_command("rosey-bot", WINDOW, "err", "-o", "json")
    assert argv[:5] == ["journalctl", "--no-pager", "-q", "-u", "rosey-bot"]
    assert f"--since=@{int(WINDOW.start.timestamp())}" in argv
    assert f"--until=@{int(WINDOW.end.timestamp())}" in argv
    assert argv[-3:] == ["--priority=err", "-o", "json"]


def test_logs_with_a_failed_command_are_a_source_error():
    measurement = journal("")
    failed = command(["sudo", "-n", "journalctl"], 1, "", "sudo: a password is required")
    broken = JournalMeasurement(
        None, None, False, (measurement.results[0], failed, measurement.results[2])
    )
    verdict = judge_logs_clean(broken, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "journal query failed" in verdict.cause
    assert "sudo: a password is required" in verdict.cause


def test_logs_with_a_command_that_never_finished_are_a_source_error():
    measurement = journal("")
    lost = command(["journalctl"], None, problem="timed out after 10 s")
    broken = JournalMeasurement(None, None, False, (lost, *measurement.results[1:]))
    verdict = judge_logs_clean(broken, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "timed out after 10 s" in verdict.cause


def test_logs_without_any_entries_are_no_data():
    verdict = judge_logs_clean(journal("", presence=""), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert "no journal entries" in verdict.cause


def test_logs_with_error_lines_are_critical_with_an_excerpt():
    verdict = judge_logs_clean(journal(ERROR_STDOUT, WARNING_STDOUT), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 2
    message = verdict.message()
    assert "observed 2 error lines" in message
    assert f"| 2026-11-29T11:00:00+00:00 p3 {ERROR_TEXT}" in message
    assert "caf\u00e9" in message
    assert "--priority=err" in message
    assert "1 warning lines" in verdict.cause


def test_logs_excerpt_is_capped_with_a_count_of_the_rest():
    many = "\n".join(journal_line(f"error {n}", 3, NOW - timedelta(minutes=n)) for n in range(25))
    verdict = judge_logs_clean(journal(many), WINDOW)
    excerpt = verdict.evidence[0].excerpt
    assert excerpt.splitlines()[-1] == "... 5 more"
    assert len(excerpt.splitlines()) == 21


def test_logs_clean_is_target():
    verdict = judge_logs_clean(journal("", WARNING_STDOUT), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0


# ---------------------------------------------------------------- service


def service(state: CommandResult, load: CommandResult) -> Verdict:
    return judge_service_active(state, load)


IS_ACTIVE = ["systemctl", "is-active", "rosey-bot"]
LOAD_STATE = ["systemctl", "show", "-p", "LoadState", "--value", "rosey-bot"]


def test_active_service_is_target():
    verdict = service(command(IS_ACTIVE, 0, "active\n"), command(LOAD_STATE, 0, "loaded\n"))
    assert (verdict.band, verdict.observed) == (Band.TARGET, "active")


@pytest.mark.parametrize("state", ["failed", "inactive", "activating"])
def test_service_not_active_is_critical(state):
    verdict = service(command(IS_ACTIVE, 3, f"{state}\n"), command(LOAD_STATE, 0, "loaded\n"))
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, state)


def test_unknown_unit_is_no_data_pointing_at_the_unit_option():
    verdict = service(command(IS_ACTIVE, 3, "inactive\n"), command(LOAD_STATE, 0, "not-found\n"))
    assert verdict.band is Band.NO_DATA
    assert "--unit" in verdict.cause


def test_systemctl_that_never_finished_is_a_source_error():
    verdict = service(
        command(IS_ACTIVE, None, problem="connection lost: EOF"), command(LOAD_STATE, 0, "loaded\n")
    )
    assert verdict.band is Band.SOURCE_ERROR
    assert "connection lost: EOF" in verdict.cause


def test_failing_load_state_query_is_a_source_error():
    verdict = service(
        command(IS_ACTIVE, 1, ""), command(LOAD_STATE, 1, "", "sudo: a password is required")
    )
    assert verdict.band is Band.SOURCE_ERROR
    assert "systemctl failed" in verdict.cause and "password" in verdict.cause


# ---------------------------------------------------------------- overall and messages


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        ([Band.TARGET, Band.ACCEPTABLE], Overall.HEALTHY),
        ([Band.TARGET, Band.SKIPPED], Overall.HEALTHY),
        ([Band.TARGET, Band.DEGRADED], Overall.ISSUES),
        ([Band.TARGET, Band.NO_DATA], Overall.ISSUES),
        ([Band.TARGET, Band.SOURCE_ERROR], Overall.ISSUES),
        ([Band.TARGET, Band.PENDING], Overall.ISSUES),
        ([Band.DEGRADED, Band.CRITICAL, Band.SOURCE_ERROR], Overall.CRITICAL),
        ([Band.CRITICAL], Overall.CRITICAL),
        ([], Overall.ISSUES),
    ],
)
def test_overall_verdict_of_a_run(bands, expected):
    assert overall(bands) is expected


def test_overall_accepts_any_iterable_once():
    assert overall(b for b in [Band.TARGET, Band.CRITICAL]) is Overall.CRITICAL


def test_overall_of_only_skipped_criteria_is_not_healthy():
    assert overall([Band.SKIPPED, Band.SKIPPED]) is not Overall.HEALTHY


def test_verdict_message_has_observed_value_with_unit_threshold_window_and_query():
    tiers = Tiers("uptime", "%", Better.HIGHER, acceptable=99.9, critical=99.0, target=100.0)
    evidence = (Evidence("prometheus", QUERY, {"value": 2000.0}),)
    verdict = Verdict.from_tiers("uptime", 98.5, tiers, WINDOW, evidence, "1970 of 2000 connected")
    message = verdict.message()
    assert message.splitlines()[0] == (
        "uptime: CRITICAL: observed 98.5 %; threshold target 100 %, acceptable > 99.9 %, "
        "critical < 99 %; 1970 of 2000 connected"
    )
    assert f"  window: {WINDOW}" in message
    assert f"  prometheus: {QUERY}" in message


def test_no_data_message_gives_the_cause_instead_of_a_value():
    verdict = no_data(
        "uptime", "no bot_connected samples", WINDOW, (Evidence("prometheus", QUERY),)
    )
    assert verdict.message().splitlines()[0] == "uptime: NO_DATA: no bot_connected samples"
    assert QUERY in verdict.message()
    assert verdict.observed_text == "no value"


def test_observed_text_rounds_floats_and_keeps_strings():
    assert Verdict("x", Band.TARGET, 99.95123, "%", "").observed_text == "99.95 %"
    assert Verdict("x", Band.TARGET, "active", "", "").observed_text == "active"
    assert Verdict("x", Band.TARGET, 3, "errors", "").observed_text == "3 errors"
