"""The bot's logs from a file on the host: the contract's line format in the target's timezone,
rotations read as far back as the window reaches, errors found by level, and a log that starts
inside the window proving nothing clean."""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.config import DEFAULT_CHANNEL_EVENTS, ChannelEvents
from burnin.criteria.channel import judge_channel_events
from burnin.criteria.host import JournalEntry, judge_logs_clean
from burnin.criteria.logfile import (
    LEVEL_PRIORITY,
    listing_command,
    measure_channel_logs,
    measure_logs,
    parse_log,
    read_command,
    read_log_file,
    rotation_order,
)
from burnin.hostfiles import HostFile
from burnin.probes.ssh import CommandResult
from burnin.schedule import Window

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=6), NOW)  # 06:00 .. 12:00 UTC
PATH = "/var/log/cytube-bot/bot.log"
UNIT = "cytube-bot"
BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 29, hour, minute, second, tzinfo=UTC)


def line(when: datetime, level: str, message: str, zone: ZoneInfo = UTC_ZONE) -> str:
    return f"[{when.astimezone(zone):%Y-%m-%d %H:%M:%S}] [bot] [{level}] {message}"


def log(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class LogFile:
    modified: datetime
    text: str
    read_exit: int = 0
    read_stderr: str = ""


class LogHost:
    """Stands in for SshProbe: files answer `find -printf`, `cat` and `gzip -dc` as on a host
    (find prints each path as its starting point joined with the name); anything else, such
    as journalctl, answers exit 0 with nothing. Records every command and its privilege."""

    def __init__(self, files: dict[str, LogFile], listing: tuple[int, str] | None = None) -> None:
        self.files = files
        self.listing = listing  # (exit code, stderr) of a failing find
        self.asked: list[tuple[list[str], bool]] = []

    @property
    def commands(self) -> list[str]:
        return [argv[0] if argv[0] != "env" else argv[2] for argv, _ in self.asked]

    def run_all(
        self, commands: Sequence[Sequence[str]], privileged: bool = False
    ) -> list[CommandResult]:
        return [self.run(argv, privileged) for argv in commands]

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        argv = list(argv)
        self.asked.append((argv, privileged))
        command = shlex.join(argv)
        if "find" in argv:
            if self.listing is not None:
                return CommandResult(command, self.listing[0], "", self.listing[1])
            start = argv[argv.index("find") + 1]
            pattern = argv[argv.index("-name") + 1]
            lines = [
                f"{file.modified.timestamp():.10f} {len(file.text)} {start}/{posixpath.basename(path)}"
                for path, file in self.files.items()
                if (posixpath.dirname(path) or ".") == start
                and fnmatch.fnmatch(posixpath.basename(path), pattern)
            ]
            return CommandResult(command, 0, "".join(f"{x}\n" for x in lines), "")
        if argv[0] in ("cat", "gzip"):
            file = self.files[posixpath.normpath(argv[-1])]
            if file.read_exit:
                return CommandResult(command, file.read_exit, "", file.read_stderr)
            return CommandResult(command, 0, file.text, "")
        return CommandResult(command, 0, "", "")


def host(**files: LogFile) -> LogHost:
    """Files beside PATH by suffix: host(current=..., r1=..., r2_gz=...)."""
    names = {"current": PATH}
    for key in files:
        if key != "current":
            names[key] = PATH + "." + key.removeprefix("r").replace("_", ".")
    return LogHost({names[key]: file for key, file in files.items()})


OLD_ROTATION = LogFile(at(5), log(line(at(4), "INFO", "yesterday")))


# ---------------------------------------------------------------- parse_log


def test_a_contract_line_parses_into_time_priority_and_message():
    [entry] = parse_log("[2026-11-29 07:15:30] [cytube] [INFO] joined #lobby\n", UTC_ZONE)
    assert entry == JournalEntry(at(7, 15, 30), 6, "[cytube] [INFO] joined #lobby")


def test_fractional_seconds_after_the_stamp_are_accepted():
    [comma, dot] = parse_log(
        "[2026-11-29 07:15:30,123] [m] [INFO] a\n[2026-11-29 07:15:31.5] [m] [INFO] b\n",
        UTC_ZONE,
    )
    assert (comma.time, dot.time) == (at(7, 15, 30), at(7, 15, 31))


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("2026-01-15 12:00:00", datetime(2026, 1, 15, 11, 0, tzinfo=UTC)),  # CET, +01:00
        ("2026-07-15 12:00:00", datetime(2026, 7, 15, 10, 0, tzinfo=UTC)),  # CEST, +02:00
        ("2026-03-29 01:59:59", datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)),  # before the jump
        ("2026-03-29 03:00:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # after it
    ],
)
def test_stamps_are_read_in_the_log_timezone_across_daylight_saving(stamp, utc):
    [entry] = parse_log(f"[{stamp}] [bot] [INFO] tick\n", BERLIN)
    assert entry.time == utc
    assert entry.time.tzinfo is UTC


def test_continuation_lines_join_the_entry_above():
    text = log(
        "[2026-11-29 07:00:00] [bot] [ERROR] handler failed",
        "Traceback (most recent call last):",
        '  File "bot.py", line 3, in handle',
        "",
        "ValueError: boom",
        "[2026-11-29 07:00:01] [bot] [INFO] recovered",
    )
    first, second = parse_log(text, UTC_ZONE)
    assert first.message == (
        "[bot] [ERROR] handler failed\nTraceback (most recent call last):\n"
        '  File "bot.py", line 3, in handle\nValueError: boom'
    )
    assert first.priority == 3
    assert second.message == "[bot] [INFO] recovered"


def test_lines_before_the_first_entry_belong_to_nothing():
    text = log("  ...tail of a traceback cut by rotation", "[2026-11-29 07:00:00] [bot] [INFO] up")
    assert [e.message for e in parse_log(text, UTC_ZONE)] == ["[bot] [INFO] up"]


def test_a_line_in_another_format_is_a_continuation_not_an_entry():
    text = log(
        "[2026-11-29 07:00:00] [bot] [INFO] up", "2026-11-29 07:00:05 ERROR not the contract"
    )
    [entry] = parse_log(text, UTC_ZONE)
    assert entry.priority == 6
    assert entry.message.endswith("\n2026-11-29 07:00:05 ERROR not the contract")


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        ("CRITICAL", 2),
        ("FATAL", 2),
        ("ERROR", 3),
        ("error", 3),
        ("WARNING", 4),
        ("WARN", 4),
        ("INFO", 6),
        ("DEBUG", 7),
        ("NOTICE", 6),
        ("TRACE", 6),
    ],
)
def test_levels_become_journal_priorities_and_unknown_ones_info(level, priority):
    [entry] = parse_log(f"[2026-11-29 07:00:00] [bot] [{level}] x\n", UTC_ZONE)
    assert entry.priority == priority


@given(
    st.lists(
        st.tuples(
            st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
            st.sampled_from(sorted(LEVEL_PRIORITY)),
            st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))),
        ),
        max_size=5,
    )
)
def test_every_contract_line_is_one_entry_with_its_utc_time_and_level(records):
    text = "".join(
        f"[{moment:%Y-%m-%d %H:%M:%S}] [m] [{level}] {message}\n"
        for moment, level, message in records
    )
    entries = parse_log(text, UTC_ZONE)
    assert [(e.time, e.priority) for e in entries] == [
        (moment.replace(microsecond=0, tzinfo=UTC), LEVEL_PRIORITY[level])
        for moment, level, _ in records
    ]


# ---------------------------------------------------------------- files and commands


def backup(path: str, hour: int) -> HostFile:
    return HostFile(path, at(hour), 100)


def test_rotation_order_is_the_file_then_its_numbered_rotations():
    files = [
        backup(PATH + ".2.gz", 1),
        backup(PATH, 11),
        backup(PATH + ".bak", 10),
        backup(PATH + ".10.gz", 0),
        backup(PATH + ".1", 6),
        backup("/var/log/cytube-bot/other.log", 11),
        backup(PATH + "ger", 11),
        backup(PATH + ".1.old", 5),
    ]
    assert [f.path for f in rotation_order(PATH, files)] == [
        PATH,
        PATH + ".1",
        PATH + ".2.gz",
        PATH + ".10.gz",
    ]


def test_rotation_order_without_the_file_itself_starts_at_the_first_rotation():
    assert [f.path for f in rotation_order(PATH, [backup(PATH + ".1", 5)])] == [PATH + ".1"]


def test_read_command_decompresses_gz_and_cats_the_rest():
    assert read_command(PATH + ".2.gz") == ["gzip", "-dc", "--", PATH + ".2.gz"]
    assert read_command(PATH + ".1") == ["cat", "--", PATH + ".1"]
    assert read_command("-odd.log") == ["cat", "--", "-odd.log"]


def test_listing_command_lists_the_file_and_its_rotations_in_its_directory():
    argv = listing_command(PATH)
    assert argv[:4] == ["env", "LC_ALL=C", "find", "/var/log/cytube-bot"]
    assert argv[argv.index("-name") + 1] == "bot.log*"
    assert argv[argv.index("-printf") + 1] == "%T@ %s %p\\n"


# ---------------------------------------------------------------- coverage of the window


def test_an_older_rotation_proves_coverage_without_being_read():
    files = host(
        current=LogFile(NOW, log(line(at(7), "INFO", "up"), line(at(9), "WARNING", "slow"))),
        r1=OLD_ROTATION,
    )
    read = read_log_file(files, PATH, UTC_ZONE, WINDOW)
    assert read.coverage.covers
    assert read.coverage.before_start == at(5)
    assert [argv[-1] for argv, _ in files.asked[1:]] == [PATH]
    verdict = judge_logs_clean(read.journal_measurement(), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0
    assert verdict.cause == "1 warning lines (listed as evidence)"


def test_a_line_older_than_the_start_proves_coverage_and_is_not_judged():
    files = host(
        current=LogFile(NOW, log(line(at(5, 30), "ERROR", "old"), line(at(7), "INFO", "up")))
    )
    read = read_log_file(files, PATH, UTC_ZONE, WINDOW)
    assert read.coverage.before_start == at(5, 30)
    assert [e.time for e in read.entries] == [at(7)]
    assert judge_logs_clean(read.journal_measurement(), WINDOW).band is Band.TARGET


def test_a_log_that_starts_inside_the_window_is_no_data_naming_its_oldest_line():
    files = host(current=LogFile(NOW, log(line(at(6, 30), "INFO", "up"))))
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(
        f"the log file {PATH} with its rotations holds no entry before the window's start "
        "2026-11-29T06:00:00+00:00 (its oldest line: 2026-11-29T06:30:00+00:00)"
    )


def test_an_error_line_fails_the_window_even_when_the_log_starts_inside_it():
    files = host(current=LogFile(NOW, log(line(at(8), "ERROR", "lost the socket"))))
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1


def test_the_log_timezone_decides_whether_a_line_is_before_the_start():
    # 06:30 in Berlin is 05:30 UTC: before the 06:00 UTC start.
    text = log(line(at(5, 30), "INFO", "up", BERLIN), line(at(7), "INFO", "tick", BERLIN))
    assert "[2026-11-29 06:30:00]" in text
    berlin = read_log_file(host(current=LogFile(NOW, text)), PATH, BERLIN, WINDOW)
    utc = read_log_file(host(current=LogFile(NOW, text)), PATH, UTC_ZONE, WINDOW)
    assert berlin.coverage.before_start == at(5, 30)
    assert not utc.coverage.covers


def test_rotations_are_read_newest_first_until_one_is_older_than_the_start():
    files = host(
        current=LogFile(NOW, log(line(at(10), "INFO", "c"))),
        r1=LogFile(at(8), log(line(at(7, 30), "INFO", "b"))),
        r2_gz=LogFile(at(6, 30), log(line(at(6, 10), "ERROR", "a"))),
        r3_gz=LogFile(at(4), log(line(at(3), "ERROR", "never read"))),
    )
    read = read_log_file(files, PATH, UTC_ZONE, WINDOW)
    assert [argv for argv, _ in files.asked[1:]] == [
        ["cat", "--", PATH],
        ["cat", "--", PATH + ".1"],
        ["gzip", "-dc", "--", PATH + ".2.gz"],
    ]
    assert [e.message for e in read.entries] == [
        "[bot] [ERROR] a",
        "[bot] [INFO] b",
        "[bot] [INFO] c",
    ]
    assert read.coverage.before_start == at(4)
    assert judge_logs_clean(read.journal_measurement(), WINDOW).band is Band.CRITICAL


def test_lines_after_the_windows_end_are_not_judged():
    window = Window(at(6), at(9))
    files = host(
        current=LogFile(NOW, log(line(at(5), "INFO", "up"), line(at(10), "ERROR", "later")))
    )
    verdict = judge_logs_clean(measure_logs(files, UNIT, window, PATH, UTC_ZONE), window)
    # Nothing inside [06:00, 09:00]: the bot wrote nothing there.
    assert verdict.band is Band.NO_DATA
    assert "no journal entries at all in the window" in verdict.cause


def test_every_command_runs_privileged():
    files = host(current=LogFile(NOW, log(line(at(7), "INFO", "up"))), r1=OLD_ROTATION)
    measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE)
    assert files.asked and all(privileged for _, privileged in files.asked)


# ---------------------------------------------------------------- errors by level


def test_an_info_line_saying_error_is_not_an_error():
    text = log(line(at(7), "INFO", "retrying after error in media queue: error=none"))
    files = host(current=LogFile(NOW, text), r1=OLD_ROTATION)
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0


def test_error_and_critical_lines_are_errors_with_their_lines_as_evidence():
    text = log(
        line(at(7), "INFO", "an error was retried"),
        line(at(8), "ERROR", "socket closed"),
        "Traceback (most recent call last):",
        line(at(9), "CRITICAL", "giving up"),
        line(at(10), "WARNING", "slow"),
    )
    files = host(current=LogFile(NOW, text), r1=OLD_ROTATION)
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 2
    errors = verdict.evidence[0]
    assert errors.query == shlex.join(["cat", "--", PATH])
    assert errors.values == {"error_lines": 2}
    assert "socket closed\nTraceback" in errors.excerpt
    assert "giving up" in errors.excerpt
    assert "retried" not in errors.excerpt
    assert verdict.evidence[1].values == {"warning_lines": 1}


# ---------------------------------------------------------------- files that cannot be read


def test_a_missing_log_file_is_a_source_error_saying_so():
    verdict = judge_logs_clean(measure_logs(LogHost({}), UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert f"no log file {PATH} on the host" in verdict.cause


def test_rotations_without_the_file_itself_are_a_missing_file():
    files = host(r1=OLD_ROTATION)
    read = read_log_file(files, PATH, UTC_ZONE, WINDOW)
    assert read.entries is None
    assert read.problem == f"no log file {PATH} on the host"


def test_a_missing_directory_is_a_source_error_with_finds_complaint():
    files = LogHost({}, listing=(1, "find: '/var/log/cytube-bot': No such file or directory"))
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "No such file or directory" in verdict.cause


@pytest.mark.parametrize("failing", ["current", "r1"])
def test_a_failing_read_of_any_file_is_a_source_error(failing):
    denied = LogFile(at(8), log(line(at(7), "INFO", "x")), 1, "cat: Permission denied")
    files = {
        "current": LogFile(NOW, log(line(at(9), "INFO", "up"))),
        "r1": LogFile(at(8), log(line(at(7), "INFO", "x"))),
        "r2": OLD_ROTATION,
    }
    files[failing] = denied
    verdict = judge_logs_clean(measure_logs(host(**files), UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "exit 1" in verdict.cause and "Permission denied" in verdict.cause


def test_an_unreadable_listing_is_a_source_error():
    class Garbled(LogHost):
        def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
            return CommandResult(shlex.join(argv), 0, "garbage\n", "")

    read = read_log_file(Garbled({}), PATH, UTC_ZONE, WINDOW)
    assert read.entries is None
    assert read.problem.startswith("listing: unexpected find output line")
    assert judge_logs_clean(read.journal_measurement(), WINDOW).band is Band.SOURCE_ERROR


def test_a_relative_log_file_is_found():
    files = LogHost({"bot.log": LogFile(NOW, log(line(at(5), "INFO", "up")))})
    read = read_log_file(files, "bot.log", UTC_ZONE, WINDOW)
    assert read.problem == ""
    assert read.coverage.covers


def test_a_stamp_that_is_no_date_does_not_crash_the_measurement():
    text = log(
        line(at(7), "ERROR", "user pasted:"),
        "[2026-02-30 12:00:00] [chat] [INFO] not a real day",
    )
    files = host(current=LogFile(NOW, text), r1=OLD_ROTATION)
    verdict = judge_logs_clean(measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE), WINDOW)
    assert verdict.band in (Band.CRITICAL, Band.SOURCE_ERROR)


# ---------------------------------------------------------------- file or journal


def test_without_a_log_file_logs_come_from_the_journal():
    files = host(current=LogFile(NOW, log(line(at(7), "INFO", "up"))))
    measure_logs(files, UNIT, WINDOW, "", UTC_ZONE)
    assert set(files.commands) == {"journalctl"}
    assert all(["-u", UNIT] == argv[3:5] for argv, _ in files.asked[:3])


def test_with_a_log_file_the_journal_is_not_asked():
    files = host(current=LogFile(NOW, log(line(at(7), "INFO", "up"))), r1=OLD_ROTATION)
    measure_logs(files, UNIT, WINDOW, PATH, UTC_ZONE)
    assert files.commands == ["find", "cat"]


def test_channel_logs_without_a_log_file_come_from_the_journal():
    files = host(current=LogFile(NOW, log(line(at(7), "INFO", "up"))))
    measurement = measure_channel_logs(files, UNIT, WINDOW, "", UTC_ZONE)
    assert files.commands[0] == "journalctl"
    assert "--output-fields=MESSAGE,PRIORITY,__REALTIME_TIMESTAMP" in files.asked[0][0]
    assert measurement.entries == []


def test_channel_logs_from_a_file_hold_every_line_of_the_window_any_level():
    text = log(
        line(at(5), "INFO", "before"),
        line(at(7), "DEBUG", "topic changed to news"),
        line(at(7, 0, 4), "ERROR", "render failed"),
        line(at(8), "INFO", "user joined the channel"),
    )
    files = host(current=LogFile(NOW, text))
    measurement = measure_channel_logs(files, UNIT, WINDOW, PATH, UTC_ZONE)
    assert [e.priority for e in measurement.entries] == [7, 3, 6]
    assert measurement.result.command == shlex.join(["cat", "--", PATH])
    assert measurement.coverage is not None and measurement.coverage.covers
    verdict = judge_channel_events(measurement, ChannelEvents(DEFAULT_CHANNEL_EVENTS), WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1
    assert "topic changed to news" in verdict.evidence[0].excerpt


def test_channel_logs_from_a_missing_file_are_a_source_error_saying_so():
    measurement = measure_channel_logs(LogHost({}), UNIT, WINDOW, PATH, UTC_ZONE)
    verdict = judge_channel_events(measurement, ChannelEvents(DEFAULT_CHANNEL_EVENTS), WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert verdict.cause == f"no log file {PATH} on the host"
