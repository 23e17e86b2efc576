"""channel-events and backup: the pure judges with fake command results, the commands as they
would run on the host, and both criteria over the sandbox's generated history and backups."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import DEFAULT_CHANNEL_EVENTS, ChannelEvents, load_thresholds
from burnin.criteria.backup import judge_backup, measure_backups
from burnin.criteria.channel import (
    ChannelMeasurement,
    channel_events_command,
    judge_channel_events,
    measure_channel_events,
)
from burnin.criteria.host import (
    DROPPED_ID,
    JournalCoverage,
    parse_journal_json,
    retention_command,
    suppressed_command,
)
from burnin.criteria.logfile import parse_log
from burnin.hostfiles import backup_command, parse_find_listing, split_glob
from burnin.probes.ssh import CommandResult, SshProbe, SshSettings
from burnin.sandbox import history
from burnin.sandbox.scenario import SCENARIOS
from burnin.schedule import Window
from tests.unit.hosts import ScriptedSsh

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
EVENTS = ChannelEvents(DEFAULT_CHANNEL_EVENTS, quiet_s=10)
GLOB = "/backups/rosey-*.db"


class FakeSsh:
    """Answers every command with one canned result; records what was asked."""

    def __init__(self, exit_code: int | None, stdout: str = "", stderr: str = "") -> None:
        self.answer = (exit_code, stdout, stderr)
        self.asked: list[tuple[list[str], bool]] = []

    def run_all(
        self, commands: Sequence[Sequence[str]], privileged: bool = False
    ) -> list[CommandResult]:
        return [self.run(argv, privileged) for argv in commands]

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        self.asked.append((list(argv), privileged))
        return CommandResult(shlex.join(argv), *self.answer)


def line(message: str, priority: int, at: datetime) -> str:
    micros = int(at.timestamp() * 1_000_000)
    return json.dumps(
        {"MESSAGE": message, "PRIORITY": str(priority), "__REALTIME_TIMESTAMP": str(micros)}
    )


def bot(level: str, text: str) -> str:
    return f"[2026-11-29 10:00:00] [lib.channel] [{level}] {text}"


T0 = NOW - timedelta(hours=5)
KICK = bot("INFO", "User dave kicked by admin_kai: flooding")
TOPIC = bot("INFO", "Topic changed by mod_rosa: Be nice, no spoilers")
MEDIA = bot("INFO", "Media added by bob: Big Buck Bunny")
JOIN = bot("INFO", "alice joined the channel")
LEAVE = bot("INFO", "alice left the channel")
FAILED = bot("ERROR", "Handler for kick-ban event failed: KeyError: 'users'")
HEARTBEAT = "[2026-11-29 10:00:00] [lib.bot] [INFO] Heartbeat: 40 users in #production-channel"


def channel(*lines: tuple[str, int, float], exit_code: int | None = 0) -> ChannelMeasurement:
    """Journal lines as (message, priority, seconds after T0), measured through a fake host."""
    stdout = "\n".join(line(m, p, T0 + timedelta(seconds=s)) for m, p, s in lines) + "\n"
    return measure_channel_events(FakeSsh(exit_code, stdout), "rosey-bot", WINDOW)  # type: ignore[arg-type]


# ---------------------------------------------------------------- channel-events


def test_channel_events_is_one_small_journal_query_of_the_window_and_a_retention_probe():
    ssh = FakeSsh(0, "")
    measure_channel_events(ssh, "rosey-bot", WINDOW)  # type: ignore[arg-type]
    [(argv, privileged), (probe, probe_privileged), (drops, drops_privileged)] = ssh.asked
    assert privileged and probe_privileged and drops_privileged
    assert probe == retention_command(WINDOW)
    assert drops == suppressed_command(WINDOW)
    assert argv == channel_events_command("rosey-bot", WINDOW)
    assert argv[:5] == ["journalctl", "--no-pager", "-q", "-u", "rosey-bot"]
    assert f"--since=@{int(WINDOW.start.timestamp())}" in argv
    assert f"--until=@{int(WINDOW.end.timestamp())}" in argv
    assert argv[-3:] == ["-o", "json", "--output-fields=MESSAGE,PRIORITY,__REALTIME_TIMESTAMP"]
    assert not any(a.startswith("--priority") for a in argv)  # events are INFO lines


def test_channel_events_over_sudo_quotes_every_word():
    probe = SshProbe(SshSettings("host", sudo=True))  # not connected: answers without a host
    verdict = judge_channel_events(
        measure_channel_events(probe, "rosey bot", WINDOW), EVENTS, WINDOW
    )
    assert verdict.band is Band.SOURCE_ERROR
    assert verdict.evidence[0].query.startswith("sudo -n journalctl --no-pager -q -u 'rosey bot' ")


def test_channel_events_every_type_counted_and_no_error_after_them_is_target():
    verdict = judge_channel_events(
        channel(
            (KICK, 6, 0),
            (TOPIC, 6, 60),
            (MEDIA, 6, 120),
            (JOIN, 6, 180),
            (LEAVE, 6, 240),
            (HEARTBEAT, 6, 300),
            (FAILED, 3, 600),  # an error, but 6 minutes after the last event
        ),  # fmt: skip
        EVENTS,
        WINDOW,
    )
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0
    assert verdict.evidence[0].values["events"] == {
        "topic-change": 1,
        "kick-ban": 1,
        "media-change": 1,
        "user-join-leave": 2,
    }
    assert verdict.evidence[0].values["error_lines"] == 1
    assert verdict.cause == (
        "5 events (topic-change 1, kick-ban 1, media-change 1, user-join-leave 2)"
    )
    assert "no error-priority line within 10 s after an event" == verdict.threshold


def test_channel_events_error_3_s_after_a_kick_is_critical_with_both_lines():
    verdict = judge_channel_events(
        channel((TOPIC, 6, -600), (KICK, 6, 0), (FAILED, 3, 3)), EVENTS, WINDOW
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1
    assert verdict.cause.startswith("1 of 2 events followed by an error (listed)")
    excerpt = verdict.evidence[0].excerpt.splitlines()
    assert excerpt[0] == f"kick-ban: {(T0).isoformat(timespec='seconds')} p6 {KICK}"
    assert excerpt[1].startswith("  +3.0 s: ") and excerpt[1].endswith(FAILED)
    message = verdict.message()
    assert "observed 1 events followed by errors" in message
    assert "--output-fields=MESSAGE,PRIORITY,__REALTIME_TIMESTAMP" in message


def test_channel_events_each_offending_event_is_listed():
    verdict = judge_channel_events(
        channel((JOIN, 6, 0), (KICK, 6, 2), (FAILED, 3, 5), (MEDIA, 6, 100), (FAILED, 2, 109)),
        EVENTS,
        WINDOW,
    )
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, 3)
    kinds = [x.split(":")[0] for x in verdict.evidence[0].excerpt.splitlines()[::2]]
    assert kinds == ["user-join-leave", "kick-ban", "media-change"]


@pytest.mark.parametrize(
    ("error_after_s", "quiet_s", "band"),
    [
        (0, 10, Band.CRITICAL),  # the same moment counts
        (10, 10, Band.CRITICAL),  # the edge counts
        (10.5, 10, Band.TARGET),
        (-1, 10, Band.TARGET),  # before the event: not caused by it
        (3, 2, Band.TARGET),  # quiet_s comes from the configuration
        (25, 30, Band.CRITICAL),
    ],
)
def test_channel_events_quiet_time(error_after_s, quiet_s, band):
    events = ChannelEvents(DEFAULT_CHANNEL_EVENTS, quiet_s=quiet_s)
    verdict = judge_channel_events(
        channel((KICK, 6, 0), (FAILED, 3, error_after_s)), events, WINDOW
    )
    assert verdict.band is band


def test_channel_events_warnings_after_events_do_not_count():
    verdict = judge_channel_events(
        channel((KICK, 6, 0), (bot("WARNING", "slow"), 4, 1)), EVENTS, WINDOW
    )
    assert verdict.band is Band.TARGET


def test_channel_events_error_lines_are_never_events_themselves():
    # An error that mentions a kick is the consequence looked for, not a new event.
    verdict = judge_channel_events(
        channel((bot("ERROR", "could not store that bob was kicked"), 3, 0)), EVENTS, WINDOW
    )
    assert verdict.band is Band.NO_DATA


def test_channel_events_none_seen_is_no_data_never_a_pass():
    verdict = judge_channel_events(channel((HEARTBEAT, 6, 0)), EVENTS, WINDOW)
    assert verdict.band is Band.NO_DATA
    assert not verdict.band.passes
    assert verdict.cause.startswith(
        "no channel events seen: patterns wrong, or the channel was idle"
    )
    assert "1 journal lines searched" in verdict.cause


def test_channel_events_of_an_empty_journal_is_no_data():
    measurement = measure_channel_events(FakeSsh(0, ""), "rosey-bot", WINDOW)  # type: ignore[arg-type]
    verdict = judge_channel_events(measurement, EVENTS, WINDOW)
    assert verdict.band is Band.NO_DATA
    # nothing before the window either: the login may not be allowed to read the journal
    assert "the SSH login may not read the system journal" in verdict.cause


def test_channel_events_patterns_come_from_the_configuration():
    events = ChannelEvents({"song": r"now playing"}, quiet_s=10)
    verdict = judge_channel_events(
        channel((bot("INFO", "now playing: x"), 6, 0), (KICK, 6, 1), (FAILED, 3, 2)),
        events,
        WINDOW,
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.evidence[0].values["events"] == {"song": 1}


@pytest.mark.parametrize(
    ("exit_code", "stderr"), [(1, "sudo: a password is required"), (None, ""), (255, "")]
)
def test_channel_events_failed_command_is_a_source_error(exit_code, stderr):
    measurement = measure_channel_events(
        FakeSsh(exit_code, "", stderr),
        "rosey-bot",
        WINDOW,  # type: ignore[arg-type]
    )
    verdict = judge_channel_events(measurement, EVENTS, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "log query failed" in verdict.cause
    assert stderr in verdict.cause


def test_channel_events_unreadable_output_is_a_source_error():
    measurement = measure_channel_events(FakeSsh(0, "-- No entries --\n"), "rosey-bot", WINDOW)  # type: ignore[arg-type]
    verdict = judge_channel_events(measurement, EVENTS, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert "unreadable journalctl output" in verdict.cause


def test_channel_events_excerpt_is_capped():
    lines = [(KICK, 6, 60 * n) for n in range(15)] + [(FAILED, 3, 60 * n + 1) for n in range(15)]
    verdict = judge_channel_events(channel(*sorted(lines, key=lambda x: x[2])), EVENTS, WINDOW)
    assert verdict.observed == 15
    assert verdict.evidence[0].excerpt.splitlines()[-1] == "... 5 more"


def journal_of(*lines: tuple[str, int, float]) -> str:
    return "\n".join(line(m, p, T0 + timedelta(seconds=s)) for m, p, s in lines) + "\n"


def test_channel_events_clean_in_a_journal_that_reaches_back_is_target_with_the_proof():
    ssh = ScriptedSsh.journal(journal_of((KICK, 6, 0)), WINDOW.start - timedelta(days=2))
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.TARGET
    assert verdict.evidence[-1].values == {
        "entry_before_window_start": (WINDOW.start - timedelta(days=2)).isoformat()
    }


def test_channel_events_clean_in_a_journal_that_starts_inside_the_window_is_no_data():
    ssh = ScriptedSsh.journal(journal_of((KICK, 6, 0), (TOPIC, 6, 60)), None)
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("the journal holds no entry before the window's start")


def test_channel_events_error_after_an_event_stands_in_a_journal_that_starts_late():
    ssh = ScriptedSsh.journal(journal_of((KICK, 6, 0), (FAILED, 3, 3)), None)
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, 1)


def test_channel_events_failed_listing_asks_no_retention_probe():
    ssh = FakeSsh(1, "", "sudo: a password is required")
    measurement = measure_channel_events(ssh, "rosey-bot", WINDOW)  # type: ignore[arg-type]
    assert len(ssh.asked) == 1
    assert measurement.coverage is None


def test_channel_events_failing_retention_probe_is_a_source_error():
    ssh = ScriptedSsh.journal(
        journal_of((KICK, 6, 0)), None, retention=(1, "", "sudo: a password is required")
    )
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.SOURCE_ERROR


def test_thresholds_toml_runs_channel_events_at_12h_and_24h_and_backup_at_24h():
    thresholds = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
    assert {p for p, phase in thresholds.phases.items() if "channel-events" in phase.criteria} == {
        "12h",
        "24h",
    }
    assert {p for p, phase in thresholds.phases.items() if "backup" in phase.criteria} == {"24h"}
    assert dict(thresholds.channel_events.patterns) == DEFAULT_CHANNEL_EVENTS


# ---------------------------------------------------------------- the sandbox's history

# A fixed moment (a Sunday noon, UTC): what the history holds never depends on when the
# tests run.
END = history.history_end(datetime(2026, 11, 29, 12, 0, tzinfo=UTC).timestamp())


def _export_as_json(hist: history.History, since: float) -> str:
    """What `journalctl -u rosey-bot -o json` would print of the generated history."""
    return "\n".join(
        json.dumps({k: e[k] for k in ("MESSAGE", "PRIORITY", "__REALTIME_TIMESTAMP")})
        for e in hist.journal
        if int(e["__REALTIME_TIMESTAMP"]) >= since * 1_000_000
    )


def _retention(hist: history.History, window: Window) -> JournalCoverage:
    """What the retention probe would find in the generated journal: its newest entry before
    the window's start, if it holds one."""
    start_us = window.start.timestamp() * 1_000_000
    before = [
        int(e["__REALTIME_TIMESTAMP"])
        for e in hist.journal
        if int(e["__REALTIME_TIMESTAMP"]) < start_us
    ]
    found = datetime.fromtimestamp(max(before) / 1e6, UTC) if before else None
    return JournalCoverage(CommandResult("journalctl --reverse ...", 0, "", ""), found)


JOURNAL_SCENARIOS = sorted(n for n, s in SCENARIOS.items() if not s.monitoring.log_file)
FILE_SCENARIOS = sorted(n for n, s in SCENARIOS.items() if s.monitoring.log_file)


@pytest.mark.parametrize("name", FILE_SCENARIOS)
def test_file_logging_history_has_channel_events_in_its_log_files(name):
    hist = history.generate(SCENARIOS[name], END)
    text = "\n".join(line for _, lines, _ in history.log_files(hist) for line in lines)
    entries = parse_log(text, ZoneInfo("UTC"))
    end = datetime.fromtimestamp(END, UTC)
    window = Window(end - timedelta(hours=24), end)
    coverage = JournalCoverage(CommandResult("find ...", 0, "", ""), entries[0].time)
    measurement = ChannelMeasurement(CommandResult("cat ...", 0, "", ""), entries, coverage)
    verdict = judge_channel_events(measurement, EVENTS, window)
    assert all(n >= 3 for n in verdict.evidence[0].values["events"].values())
    assert verdict.band is Band.TARGET, verdict.message()
    assert not any(e["MESSAGE"].startswith("[") for e in hist.journal)  # bot lines: file only


def _check_channel_events(name: str, hist: history.History, hours: int, end_s: int) -> None:
    end = datetime.fromtimestamp(end_s, UTC)
    window = Window(end - timedelta(hours=hours), end)
    stdout = _export_as_json(hist, window.start.timestamp())
    retention = _retention(hist, window)
    measurement = ChannelMeasurement(
        CommandResult("journalctl ...", 0, stdout, ""), parse_journal_json(stdout), retention
    )
    verdict = judge_channel_events(measurement, EVENTS, window)
    counts = verdict.evidence[0].values["events"]
    # A scenario whose journal was rotated holds events only since its first entry.
    first = min(int(e["__REALTIME_TIMESTAMP"]) for e in hist.journal) / 1e6
    journal_hours = (end_s - max(first, window.start.timestamp())) / 3600
    if journal_hours >= 12:  # every type several times, at least 3 an hour in all
        assert all(n >= 3 for n in counts.values()), counts
        assert sum(counts.values()) >= 3 * journal_hours, counts
    else:  # a few hours of the night hold a couple of events an hour
        assert sum(counts.values()) >= journal_hours, counts
    if name == "event-error":
        assert (verdict.band, verdict.observed) == (Band.CRITICAL, 1)
        assert "kicked" in verdict.evidence[0].excerpt and "[ERROR]" in verdict.evidence[0].excerpt
    elif not retention.covers:
        assert verdict.band is Band.NO_DATA, verdict.message()
        assert journal_hours < hours
    else:
        assert verdict.band is Band.TARGET, verdict.message()


@pytest.mark.parametrize("name", JOURNAL_SCENARIOS)
@pytest.mark.parametrize("hours", [12, 24])
def test_sandbox_history_has_channel_events_and_only_event_error_fails(name, hours):
    _check_channel_events(name, history.generate(SCENARIOS[name], END), hours, END)


@pytest.mark.parametrize("name", ["healthy", "flapping", "journal-late"])
def test_sandbox_channel_events_hold_at_every_hour_of_the_day(name):
    """The history follows the clock (more users in the evening): what holds now must hold at
    every hour of the day, or the suite passes or fails with the hour CI runs at."""
    for step in range(24):
        end = END - step * 3600 - 1800 * (step % 2)
        hist = history.generate(SCENARIOS[name], end)
        for hours in (12, 24):
            _check_channel_events(name, hist, hours, end)


def test_sandbox_channel_events_follow_the_users():
    hist = history.generate(SCENARIOS["healthy"], END)
    hours = [
        datetime.fromtimestamp(int(e["__REALTIME_TIMESTAMP"]) / 1e6, UTC).hour
        for e in hist.journal
        if "[lib.channel]" in e["MESSAGE"]
    ]
    peak = sum(18 <= h < 23 for h in hours) / 5
    night = sum(2 <= h < 7 for h in hours) / 5
    assert peak > 1.5 * night


def test_sandbox_event_error_is_counted_like_every_other_error():
    hist = history.generate(SCENARIOS["event-error"], END)
    [error] = [e for e in hist.journal if e["PRIORITY"] == "3"]
    assert "[lib.channel] [ERROR]" in error["MESSAGE"]
    assert hist.error_times == [int(error["__REALTIME_TIMESTAMP"]) / 1e6]
    assert hist.last["errors"] == 1  # the counter the live bot continues from


# ---------------------------------------------------------------- backup


def listing(*files: tuple[str, float, int]) -> str:
    """find -printf '%T@ %s %p\\n' lines of (path, hours old, size), in find's order."""
    return "".join(
        f"{(NOW - timedelta(hours=h)).timestamp():.10f} {size} {path}\n" for path, h, size in files
    )


def backups(exit_code: int | None, stdout: str = "", stderr: str = "", glob: str = GLOB):
    ssh = FakeSsh(exit_code, stdout, stderr)
    return judge_backup(measure_backups(ssh, glob, NOW)), ssh  # type: ignore[arg-type]


DAILY = [(f"/backups/rosey-202611{28 - d:02d}.db", 3 + 24 * d, 24576 - 512 * d) for d in range(7)]


def test_backup_command_splits_the_glob_and_quotes_it():
    verdict, ssh = backups(0, listing(*DAILY))
    [(argv, privileged)] = ssh.asked
    assert privileged
    assert argv == backup_command("/backups", "rosey-*.db")
    assert verdict.evidence[0].query == (
        "env LC_ALL=C find /backups -maxdepth 1 -name 'rosey-*.db' -type f -printf '%T@ %s %p\\n'"
    )


def test_backup_glob_never_reaches_a_shell_unquoted():
    probe = SshProbe(SshSettings("host", sudo=True))
    measurement = measure_backups(probe, "/srv/my backups/rosey-$(reboot);*.db", NOW)
    assert measurement.result is not None
    assert shlex.split(measurement.result.command) == [
        "sudo", "-n", "env", "LC_ALL=C", "find", "/srv/my backups", "-maxdepth", "1", "-name",
        "rosey-$(reboot);*.db", "-type", "f", "-printf", "%T@ %s %p\\n",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("glob", "expected"),
    [
        ("/backups/rosey-*.db", ("/backups", "rosey-*.db")),
        ("/backups/", None),
        ("rosey-*.db", (".", "rosey-*.db")),
        ("-x/rosey-*.db", ("./-x", "rosey-*.db")),
        ("/backups/*/rosey.db", None),
    ],
)
def test_split_glob(glob, expected):
    if expected is None:
        with pytest.raises(ValueError):
            split_glob(glob)
    else:
        assert split_glob(glob) == expected


def test_backup_fresh_and_not_empty_is_target_with_every_backup_listed_newest_first():
    verdict, _ = backups(0, listing(*reversed(DAILY)))
    assert verdict.band is Band.TARGET
    assert verdict.observed == 3.0
    assert verdict.message().startswith(
        "backup: TARGET: observed 3 h old; threshold newest backup younger than 24 h and not "
        "empty; newest /backups/rosey-20261128.db, 24576 bytes; pruning ok: oldest of 7 "
        "backup(s) is 6.1 d old"
    )
    rows = verdict.evidence[0].excerpt.splitlines()
    assert [r.split()[-1] for r in rows] == [p for p, _, _ in DAILY]
    assert rows[0].split()[1:3] == ["3.0", "h"] and "24576 bytes" in rows[0]
    assert verdict.evidence[0].values["backups"] == 7


def test_backup_newest_older_than_24h_is_critical_with_its_age():
    verdict, _ = backups(0, listing(*[(p, h + 69, s) for p, h, s in DAILY]))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 72.0
    assert "newest backup /backups/rosey-20261128.db is 3.0 d old" in verdict.cause


def test_backups_judged_at_a_past_moment_are_those_of_that_moment_at_their_ages_then():
    """--at: two runs judging one moment judge the same backups at the same ages, whenever
    each runs; a backup stamped after the moment (beyond the clock skew tolerance) was not
    there yet."""
    written_since = ("/backups/rosey-20261129.db", -2, 25000)  # two hours after NOW
    verdict, _ = backups(0, listing(written_since, *DAILY))
    assert verdict.observed == 3.0
    assert verdict.evidence[0].values["newest"] == DAILY[0][0]
    assert verdict.evidence[0].values["checked_at"] == NOW.isoformat(timespec="seconds")


def test_backup_newest_empty_is_critical():
    verdict, _ = backups(0, listing(("/backups/rosey-20261128.db", 2, 0), *DAILY[1:]))
    assert verdict.band is Band.CRITICAL
    assert "newest backup /backups/rosey-20261128.db is empty (0 bytes)" in verdict.cause


def test_backup_an_older_empty_copy_does_not_matter():
    verdict, _ = backups(0, listing(DAILY[0], ("/backups/rosey-20261127.db", 27, 0)))
    assert verdict.band is Band.TARGET


def test_backup_none_matching_is_critical():
    verdict, _ = backups(0, "")
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, "none")
    assert verdict.cause == f"no backup found: nothing matches {GLOB} on the host"


def test_backup_directory_missing_is_critical():
    verdict, _ = backups(1, "", "find: '/backups': No such file or directory\n")
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == f"no backup found: the directory of {GLOB} does not exist on the host"


@pytest.mark.parametrize(
    ("exit_code", "stderr"),
    [(1, "find: '/backups': Permission denied"), (None, ""), (1, "sudo: a password is required")],
)
def test_backup_listing_failure_is_a_source_error(exit_code, stderr):
    verdict, _ = backups(exit_code, "", stderr)
    assert verdict.band is Band.SOURCE_ERROR
    assert "listing the backups failed" in verdict.cause and stderr in verdict.cause


def test_backup_unreadable_listing_is_a_source_error():
    verdict, _ = backups(0, "garbage\n")
    assert verdict.band is Band.SOURCE_ERROR
    assert "unexpected find output" in verdict.cause


def test_backup_glob_with_wildcard_directories_is_a_source_error_without_asking():
    verdict, ssh = backups(0, "", glob="/backups/*/rosey.db")
    assert verdict.band is Band.SOURCE_ERROR
    assert "wildcards are only supported in the file name" in verdict.cause
    assert ssh.asked == []


@pytest.mark.parametrize("glob", ["", "  "])
def test_backup_without_a_glob_is_skipped_with_the_reason(glob):
    verdict, ssh = backups(0, "", glob=glob)
    assert verdict.band is Band.SKIPPED
    assert "no backup_glob configured" in verdict.cause
    assert ssh.asked == []


def test_backup_older_than_30_days_is_a_pruning_warning_not_a_failure():
    stale = [(f"/backups/rosey-old{d}.db", 24 * (31 + d), 1000) for d in range(3)]
    verdict, _ = backups(0, listing(*DAILY, *stale))
    assert verdict.band is Band.TARGET
    assert "WARNING: 3 backup(s) older than 30 days" in verdict.cause
    assert "oldest /backups/rosey-old2.db, 33.0 d old" in verdict.cause
    assert "pruning does not seem to work" in verdict.cause


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2_000_000_000),
            st.integers(0, 10**12),
            st.text(
                st.characters(exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                min_size=1,
            ),
        ),
        max_size=20,
    )
)
def test_parse_find_listing_reads_any_path_and_sorts_newest_first(rows):
    stdout = "".join(f"{t}.0000000000 {size} /b/{name}\n" for t, size, name in rows)
    files = parse_find_listing(stdout)
    assert sorted((f.modified.timestamp(), f.size_bytes, f.path) for f in files) == sorted(
        (float(t), size, f"/b/{name}") for t, size, name in rows
    )
    assert [f.modified for f in files] == sorted((f.modified for f in files), reverse=True)


@pytest.mark.parametrize(("name", "band"), [("healthy", Band.TARGET), ("no-backup", Band.CRITICAL)])
def test_sandbox_backups(name, band):
    end = NOW.timestamp()
    files = history.backup_files(SCENARIOS[name], end)
    stdout = "".join(f"{f.mtime:.10f} {f.size_bytes} /backups/{f.name}\n" for f in files)
    verdict, _ = backups(0, stdout)
    assert verdict.band is band
    assert all(f.size_bytes > 0 for f in files)
    assert files[0].name == f"rosey-{datetime.fromtimestamp(files[0].mtime, UTC):%Y%m%d}.db"
    if name == "no-backup":
        assert verdict.observed == 72.0


def with_drops(unit_stdout: str, *said: str) -> ScriptedSsh:
    """A journal reaching back past the window whose journald said `said` (its drop messages)."""
    covered = ScriptedSsh.journal(unit_stdout, WINDOW.start - timedelta(days=2))

    def answer(argv: list[str]) -> tuple[int | None, str, str]:
        if f"MESSAGE_ID={DROPPED_ID}" in argv:
            return (0, "".join(line(m, 5, T0) + "\n" for m in said), "")
        return covered.answer(argv)

    return ScriptedSsh(answer)


def test_channel_events_clean_but_lines_dropped_by_journald_is_no_data():
    """An error after an event may be among the lines journald's rate limit dropped."""
    ssh = with_drops(journal_of((KICK, 6, 0)), "Suppressed 900 messages from rosey-bot.service")
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("journald dropped 900 line(s) of the unit in the window")
    assert "cannot prove the window clean" in verdict.cause
    assert verdict.evidence[-1].values == {"dropped_lines": 900}


def test_channel_events_error_after_an_event_stands_whatever_journald_dropped():
    ssh = with_drops(
        journal_of((KICK, 6, 0), (FAILED, 3, 3)), "Suppressed 900 messages from rosey-bot.service"
    )
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert (verdict.band, verdict.observed) == (Band.CRITICAL, 1)


def test_channel_events_another_units_drops_are_not_the_bots():
    ssh = with_drops(journal_of((KICK, 6, 0)), "Suppressed 5 messages from nginx.service")
    verdict = judge_channel_events(measure_channel_events(ssh, "rosey-bot", WINDOW), EVENTS, WINDOW)  # type: ignore[arg-type]
    assert verdict.band is Band.TARGET


def test_channel_events_failing_drop_query_is_a_source_error():
    covered = ScriptedSsh.journal(journal_of((KICK, 6, 0)), WINDOW.start - timedelta(days=2))

    def answer(argv: list[str]) -> tuple[int | None, str, str]:
        if f"MESSAGE_ID={DROPPED_ID}" in argv:
            return (1, "", "sudo: a password is required")
        return covered.answer(argv)

    measured = measure_channel_events(ScriptedSsh(answer), "rosey-bot", WINDOW)  # type: ignore[arg-type]
    verdict = judge_channel_events(measured, EVENTS, WINDOW)
    assert verdict.band is Band.SOURCE_ERROR
    assert verdict.cause.startswith("journald's drop query failed: ")
