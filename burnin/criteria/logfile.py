"""The bot's logs from a file on the host (a deployment that appends stdout and stderr to, say,
/var/log/cytube-bot/bot.log instead of the journal), read over SSH for the window.

Lines follow the contract's format `[YYYY-mm-dd HH:MM:SS] [module] [LEVEL] message` in the
target's log timezone; a line without a stamp (a traceback) belongs to the entry above it.
Rotated files beside it (`bot.log.1`, `bot.log.2.gz`) are read when the window reaches into
them. Errors are found by level, never by grepping for "error". Like the journal, the files
must reach back past the window's start to prove it clean.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from burnin.criteria.channel import ChannelMeasurement, measure_channel_events
from burnin.criteria.host import (
    JournalCoverage,
    JournalEntry,
    JournalMeasurement,
    measure_journal,
)
from burnin.hostfiles import HostFile, parse_find_listing
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.schedule import Window

LINE = re.compile(
    r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:[.,]\d+)?\] \[([^\]]*)\] \[([A-Za-z]+)\] ?(.*)$"
)
# The journal's priorities for the levels of Python's logging (and a few common spellings).
LEVEL_PRIORITY = {
    "CRITICAL": 2,
    "FATAL": 2,
    "ERROR": 3,
    "WARNING": 4,
    "WARN": 4,
    "INFO": 6,
    "DEBUG": 7,
}


def parse_log(text: str, zone: ZoneInfo) -> list[JournalEntry]:
    """Entries of a log file, oldest first; continuation lines join the entry above."""
    entries: list[JournalEntry] = []
    for line in text.splitlines():
        found = LINE.match(line)
        if found is None:
            if entries and line.strip():
                last = entries[-1]
                entries[-1] = JournalEntry(last.time, last.priority, f"{last.message}\n{line}")
            continue
        stamp, module, level, message = found.groups()
        try:
            moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        except ValueError:  # shaped like a stamp, not a date: text of the entry above
            found = None
        if found is None:
            if entries:
                last = entries[-1]
                entries[-1] = JournalEntry(last.time, last.priority, f"{last.message}\n{line}")
            continue
        priority = LEVEL_PRIORITY.get(level.upper(), 6)
        entries.append(
            JournalEntry(moment.astimezone(UTC), priority, f"[{module}] [{level}] {message}")
        )
    return entries


def listing_command(path: str) -> list[str]:
    directory, name = posixpath.split(path)
    # `bot.log` and its rotations (bot.log.1, bot.log.2.gz); LC_ALL=C for stable messages.
    return [
        "env", "LC_ALL=C", "find", directory or ".", "-maxdepth", "1", "-type", "f",
        "-name", f"{name}*", "-printf", "%T@ %s %p\\n",
    ]  # fmt: skip


def read_command(path: str) -> list[str]:
    return ["gzip", "-dc", "--", path] if path.endswith(".gz") else ["cat", "--", path]


def rotation_order(path: str, files: list[HostFile]) -> list[HostFile]:
    """The file itself and its numbered rotations, newest first (bot.log, .1, .2.gz, ...)."""

    base = posixpath.normpath(path)  # find prints ./bot.log for a relative bot.log

    def number(candidate: HostFile) -> int | None:
        found = posixpath.normpath(candidate.path)
        if found == base:
            return 0
        rest = found.removeprefix(base + ".").removesuffix(".gz")
        return int(rest) if found.startswith(base + ".") and rest.isdigit() else None

    numbered = [(n, f) for f in files if (n := number(f)) is not None]
    return [f for _, f in sorted(numbered, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class LogFileRead:
    """Every entry of the window from the file and the rotations it reaches into."""

    path: str
    entries: list[JournalEntry] | None  # None: the files could not be listed or read
    coverage: JournalCoverage
    results: tuple[CommandResult, ...]
    problem: str = ""

    def journal_measurement(self) -> JournalMeasurement:
        """The same shape logs-clean judges for the journal: errors, warnings, presence."""
        if self.entries is None:
            # The problem in words first: judges report the first failed command.
            failed = next((r for r in self.results if not r.ok), None)
            results = (
                (self._failure(), *self.results) if self.problem or not failed else self.results
            )
            return JournalMeasurement(None, None, False, results, self.coverage)
        return JournalMeasurement(
            [e for e in self.entries if e.priority <= 3],
            [e for e in self.entries if e.priority == 4],
            bool(self.entries),
            (*self.results, self.coverage.result),
            self.coverage,
        )

    def _failure(self) -> CommandResult:
        command = self.results[-1].command if self.results else f"read {self.path}"
        return CommandResult(command, None, "", "", self.problem or "unreadable")


def read_log_file(ssh: SshProbe, path: str, zone: ZoneInfo, window: Window) -> LogFileRead:
    listing = ssh.run(listing_command(path), privileged=True)
    what = f"the log file {path} with its rotations"
    if not listing.ok:
        missing = listing.exit_code == 1 and "No such file or directory" in listing.stderr
        problem = f"no log file {path} on the host: {listing.stderr.strip()}" if missing else ""
        return LogFileRead(path, None, JournalCoverage(listing, None, what), (listing,), problem)
    try:
        files = rotation_order(path, parse_find_listing(listing.stdout))
    except ValueError as exc:
        return LogFileRead(
            path, None, JournalCoverage(listing, None, what), (listing,), f"listing: {exc}"
        )
    if not files or posixpath.normpath(files[0].path) != posixpath.normpath(path):
        return LogFileRead(
            path,
            None,
            JournalCoverage(listing, None, what),
            (listing,),
            f"no log file {path} on the host",
        )
    results = [listing]
    entries: list[JournalEntry] = []
    before_start: datetime | None = None
    # Written to last before the window: the logs reach back past its start. The files written
    # in the window are read at once (one session), and looked at newest first.
    stale = next((i for i, f in enumerate(files) if f.modified < window.start), len(files))
    if stale < len(files):
        before_start = files[stale].modified
    reads = ssh.run_all([read_command(f.path) for f in files[:stale]], privileged=True)
    for read in reads:
        results.append(read)
        if not read.ok:
            return LogFileRead(path, None, JournalCoverage(listing, None, what), tuple(results))
        entries = parse_log(read.stdout, zone) + entries
    if before_start is None:
        older = [e.time for e in entries if e.time <= window.start]
        before_start = max(older) if older else None
    first_seen = entries[0].time if entries else None
    inside = [e for e in entries if window.start <= e.time <= window.end]
    coverage = JournalCoverage(listing, before_start, what, first_seen)
    return LogFileRead(path, inside, coverage, tuple(results))


def measure_logs(
    ssh: SshProbe, unit: str, window: Window, log_file: str, zone: ZoneInfo
) -> JournalMeasurement:
    """logs-clean's evidence from wherever the target's logs are: its file, else the journal."""
    if log_file:
        return read_log_file(ssh, log_file, zone, window).journal_measurement()
    return measure_journal(ssh, unit, window)


def measure_channel_logs(
    ssh: SshProbe, unit: str, window: Window, log_file: str, zone: ZoneInfo
) -> ChannelMeasurement:
    """channel-events' evidence (every line of the window, any level) from the file or the
    journal."""
    if not log_file:
        return measure_channel_events(ssh, unit, window)
    read = read_log_file(ssh, log_file, zone, window)
    last = read.results[-1]
    return ChannelMeasurement(last, read.entries, read.coverage, read.problem)
