"""logs-clean and service-active with hand-made evidence (the journal must reach back past the
window to prove it clean), and Verdict.message()."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from burnin.bands import Band, Better, Tiers
from burnin.criteria.host import (
    DROPPED_ID,
    JournalCoverage,
    JournalMeasurement,
    journal_command,
    judge_logs_clean,
    judge_service_active,
    measure_journal,
    measure_journal_coverage,
    parse_journal_json,
    retention_command,
    suppressed_command,
)
from burnin.probes.ssh import CommandResult
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict, no_data
from tests.unit.hosts import ScriptedSsh, is_retention_probe, journal_line

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
QUERY = 'sum(count_over_time(bot_connected{env="production"}[43200s]))'


# ---------------------------------------------------------------- journal


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


# The newest entry of the whole journal before the window's start: retention reaches back.
BEFORE_START = WINDOW.start - timedelta(days=3)


def retention(before_start: datetime | None = BEFORE_START, exit_code: int = 0) -> JournalCoverage:
    found = "" if before_start is None else journal_line("boot", 6, before_start)
    return JournalCoverage(command(retention_command(WINDOW), exit_code, found), before_start)


def journal(
    errors_stdout: str,
    warnings_stdout: str = "",
    presence: str = "started\n",
    coverage: JournalCoverage | None = None,
) -> JournalMeasurement:
    coverage = coverage or retention()
    results = (
        command(journal_command("rosey-bot", WINDOW, None, "-n", "1", "-o", "cat"), 0, presence),
        command(journal_command("rosey-bot", WINDOW, "err", "-o", "json"), 0, errors_stdout),
        command(
            journal_command("rosey-bot", WINDOW, "warning..warning", "-o", "json"),
            0,
            warnings_stdout,
        ),
        coverage.result,
    )
    return JournalMeasurement(
        parse_journal_json(errors_stdout),
        parse_journal_json(warnings_stdout),
        bool(presence.strip()),
        results,
        coverage,
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
    results = (measurement.results[0], failed, *measurement.results[2:])
    broken = JournalMeasurement(None, None, False, results, measurement.coverage)
    verdict = judge_logs_clean(broken, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "log query failed" in verdict.cause
    assert "sudo: a password is required" in verdict.cause


def test_logs_with_a_command_that_never_finished_are_a_source_error():
    measurement = journal("")
    lost = command(["journalctl"], None, problem="timed out after 10 s")
    broken = JournalMeasurement(
        None, None, False, (lost, *measurement.results[1:]), measurement.coverage
    )
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


def test_logs_clean_is_target_with_the_retention_proof_as_evidence():
    verdict = judge_logs_clean(journal("", WARNING_STDOUT), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0
    assert verdict.evidence[-1].values == {"entry_before_window_start": BEFORE_START.isoformat()}
    assert "--reverse" in verdict.evidence[-1].query


def test_a_clean_window_the_journal_does_not_reach_back_over_is_no_data():
    verdict = judge_logs_clean(journal("", WARNING_STDOUT, coverage=retention(None)), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == (
        "the journal holds no entry before the window's start 2026-11-29T00:00:00+00:00: it "
        "starts inside the window (retention, rotation or a new host), so it cannot prove the "
        "whole window clean"
    )
    assert verdict.evidence[-1].values == {"entry_before_window_start": None}


def test_error_lines_in_a_journal_that_starts_inside_the_window_stay_critical():
    verdict = judge_logs_clean(journal(ERROR_STDOUT, coverage=retention(None)), WINDOW)
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, 2)


def test_retention_command_asks_the_whole_journal_for_its_newest_entry_before_the_start():
    argv = retention_command(WINDOW)
    assert argv[:3] == ["journalctl", "--no-pager", "-q"]
    assert "-u" not in argv  # the unit may be quiet; any entry proves the journal reaches back
    assert f"--until=@{int(WINDOW.start.timestamp())}" in argv
    assert argv[-6:] == [
        "--reverse",
        "-n",
        "1",
        "-o",
        "json",
        "--output-fields=__REALTIME_TIMESTAMP",
    ]


def test_measure_journal_coverage_reads_the_entry_before_the_start():
    ssh = ScriptedSsh.journal("", BEFORE_START)
    found = measure_journal_coverage(ssh, WINDOW)  # type: ignore[arg-type]
    assert found.covers
    assert found.before_start == BEFORE_START
    assert ssh.asked == [(retention_command(WINDOW), True)]


@pytest.mark.parametrize("answer", [(0, "", ""), (1, "", "sudo: a password is required")])
def test_measure_journal_coverage_without_an_entry_does_not_cover(answer):
    found = measure_journal_coverage(ScriptedSsh(lambda argv: answer), WINDOW)  # type: ignore[arg-type]
    assert not found.covers
    assert found.before_start is None


def quiet_host(argv: list[str]) -> tuple[int, str, str]:
    """A unit that logged (presence), no error or warning lines, a journal older than the window."""
    if is_retention_probe(argv):
        return (0, journal_line("boot", 6, BEFORE_START) + "\n", "")
    return (0, "started\n" if "cat" in argv else "", "")


def test_measure_journal_asks_five_commands_and_a_clean_covered_window_is_target():
    ssh = ScriptedSsh(quiet_host)
    measurement = measure_journal(ssh, "rosey-bot", WINDOW)  # type: ignore[arg-type]
    assert [privileged for _, privileged in ssh.asked] == [True] * 5
    assert [argv for argv, _ in ssh.asked[-2:]] == [
        retention_command(WINDOW),
        suppressed_command(WINDOW),
    ]
    assert measurement.coverage.before_start == BEFORE_START
    assert measurement.suppressed == ()
    assert judge_logs_clean(measurement, WINDOW).band is Band.TARGET


def journald_dropped(*messages: str) -> Callable[[list[str]], tuple[int, str, str]]:
    """quiet_host whose journald said `messages` (its drop messages) in the window."""
    at = NOW - timedelta(hours=2)

    def answer(argv: list[str]) -> tuple[int, str, str]:
        if f"MESSAGE_ID={DROPPED_ID}" in argv:
            return (0, "".join(journal_line(m, 4, at) + "\n" for m in messages), "")
        return quiet_host(argv)

    return answer


@pytest.mark.parametrize(
    "said",
    [
        "Suppressed 1234 messages from rosey-bot.service",
        "Suppressed 1234 messages from /system.slice/rosey-bot.service",  # older systemd
    ],
)
def test_lines_journald_dropped_of_the_unit_keep_a_clean_window_from_passing(said):
    """Its rate limit dropped the unit's lines: they may have been errors. NO_DATA, saying how
    many and what to raise; another unit's drops are not the bot's."""
    ssh = ScriptedSsh(journald_dropped(said, "Suppressed 7 messages from other-bot.service"))
    measurement = measure_journal(ssh, "rosey-bot", WINDOW)  # type: ignore[arg-type]
    verdict = judge_logs_clean(measurement, WINDOW)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(
        "journald dropped 1234 line(s) of the unit in the window (its rate limit, 1 time(s), "
        "first at 2026-11-29T10:00:00+00:00): the journal cannot prove the window clean"
    ), verdict.cause
    assert "LogRateLimitBurst" in verdict.cause
    assert verdict.evidence[-1].values == {"dropped_lines": 1234}
    assert said in verdict.evidence[-1].excerpt


def test_an_error_line_seen_stands_and_says_what_journald_dropped():
    def answer(argv: list[str]) -> tuple[int, str, str]:
        if "--priority=err" in argv:
            return (0, journal_line("[ERROR] boom", 3, NOW - timedelta(hours=1)) + "\n", "")
        return journald_dropped("Suppressed 50 messages from rosey-bot.service")(argv)

    verdict = judge_logs_clean(measure_journal(ScriptedSsh(answer), "rosey-bot", WINDOW), WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.CRITICAL and verdict.observed == 1
    assert "journald dropped 50 line(s) of the unit" in verdict.cause


def test_an_unreadable_drop_answer_is_a_source_error_saying_so():
    def answer(argv: list[str]) -> tuple[int, str, str]:
        if f"MESSAGE_ID={DROPPED_ID}" in argv:
            return (0, "Welcome to the bastion\n", "")
        return quiet_host(argv)

    verdict = judge_logs_clean(measure_journal(ScriptedSsh(answer), "rosey-bot", WINDOW), WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.SOURCE_ERROR
    assert verdict.cause.startswith("log query failed: `journalctl --no-pager -q MESSAGE_ID=")
    assert "(unreadable: " in verdict.cause


def test_a_failing_retention_query_is_a_source_error():
    ssh = ScriptedSsh.journal(
        "started\n", BEFORE_START, retention=(1, "", "sudo: a password is required")
    )
    verdict = judge_logs_clean(measure_journal(ssh, "rosey-bot", WINDOW), WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.SOURCE_ERROR
    assert "sudo: a password is required" in verdict.cause


# ---------------------------------------------------------------- service


def service(state: CommandResult, load: CommandResult) -> Verdict:
    return judge_service_active(state, load)


IS_ACTIVE = ["systemctl", "is-active", "rosey-bot"]
SHOW = ["systemctl", "show", "-p", "LoadState,ActiveState,SubState,Result,NRestarts", "rosey-bot"]


def shown(load: str = "loaded", active: str = "active", sub: str = "running", **more: str) -> str:
    props = {"LoadState": load, "ActiveState": active, "SubState": sub, "Result": "success"}
    return "".join(f"{k}={v}\n" for k, v in {**props, "NRestarts": "0", **more}.items())


def test_active_service_is_target():
    verdict = service(command(IS_ACTIVE, 0, "active\n"), command(SHOW, 0, shown()))
    assert (verdict.band, verdict.observed) == (Band.TARGET, "active")


@pytest.mark.parametrize(
    ("state", "sub", "result", "cause"),
    [
        ("failed", "failed", "exit-code", "the unit is failed (failed), last result exit-code"),
        ("inactive", "dead", "success", "the unit is inactive (dead), last result success"),
        ("activating", "start", "success", "the unit is activating (start), last result success"),
    ],
)
def test_service_not_active_is_critical_with_its_state(state, sub, result, cause):
    show = command(SHOW, 0, shown(active=state, sub=sub, Result=result))
    verdict = service(command(IS_ACTIVE, 3, f"{state}\n"), show)
    assert (verdict.band, verdict.observed, verdict.cause) == (Band.CRITICAL, state, cause)


def test_a_unit_restarting_in_a_loop_says_so():
    show = command(SHOW, 0, shown("loaded", "activating", "auto-restart", NRestarts="37"))
    verdict = service(command(IS_ACTIVE, 3, "activating\n"), show)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == (
        "restarting in a loop: the unit is activating (auto-restart), restarted 37 times by "
        "systemd, last result success"
    )


def test_unknown_unit_is_no_data_pointing_at_the_unit_option():
    show = command(SHOW, 0, shown("not-found", "inactive", "dead"))
    verdict = service(command(IS_ACTIVE, 3, "inactive\n"), show)
    assert verdict.band is Band.NO_DATA
    assert "no unit rosey-bot: check --unit" in verdict.cause


def test_systemctl_that_never_finished_is_a_source_error():
    verdict = service(
        command(IS_ACTIVE, None, problem="connection lost: EOF"), command(SHOW, 0, shown())
    )
    assert verdict.band is Band.SOURCE_ERROR
    assert "connection lost: EOF" in verdict.cause


@pytest.mark.parametrize(
    ("show", "said"),
    [
        (command(SHOW, 1, "", "sudo: a password is required"), "password"),
        (command(SHOW, 127, "", "bash: systemctl: command not found"), "command not found"),
        (command(SHOW, 0, "\ufffd\ufffd\n"), "exit 0"),  # answered, but not systemctl's format
    ],
)
def test_a_failing_or_garbled_state_query_is_a_source_error(show, said):
    verdict = service(command(IS_ACTIVE, 1, ""), show)
    assert verdict.band is Band.SOURCE_ERROR
    assert "systemctl failed" in verdict.cause and said in verdict.cause


def test_an_empty_is_active_answer_is_a_source_error():
    verdict = service(command(IS_ACTIVE, 0, ""), command(SHOW, 0, shown()))
    assert verdict.band is Band.SOURCE_ERROR and "answered nothing" in verdict.cause


# ---------------------------------------------------------------- overall and messages


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


def test_a_journal_that_shows_nothing_at_all_names_the_login_as_a_cause():
    """journalctl run by a login outside systemd-journal/adm answers nothing, exit 0."""
    verdict = judge_logs_clean(journal("", "", presence="", coverage=retention(None)), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert "the SSH login may not read the system journal" in verdict.cause
    seen = judge_logs_clean(journal("", "", presence=""), WINDOW)
    assert seen.band is Band.NO_DATA and "may not read" not in seen.cause
