"""logs-clean and service-active: the unit's journal and state, asked over SSH."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from burnin.bands import Band
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict, no_data

EXCERPT_LINES = 20
# journalctl run by a login that may not read the system journal answers nothing, exit 0.
JOURNAL_ACCESS_HINT = (
    "or the SSH login may not read the system journal (it needs root, group systemd-journal "
    "or adm, or ssh_sudo)"
)


@dataclass(frozen=True)
class JournalEntry:
    time: datetime
    priority: int
    message: str

    def line(self) -> str:
        return f"{self.time.isoformat(timespec='seconds')} p{self.priority} {self.message}"


def parse_journal_json(stdout: str) -> list[JournalEntry]:
    """`journalctl -o json` output: one object per line. MESSAGE may be a byte array."""
    entries = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        message = record.get("MESSAGE", "")
        if isinstance(message, list):
            message = bytes(message).decode("utf-8", errors="replace")
        micros = int(record.get("__REALTIME_TIMESTAMP", 0))
        entries.append(
            JournalEntry(
                datetime.fromtimestamp(micros / 1e6, UTC),
                int(record.get("PRIORITY", 6)),
                str(message),
            )
        )
    return entries


def journal_command(unit: str, window: Window, priority: str | None, *extra: str) -> list[str]:
    argv = [
        "journalctl",
        "--no-pager",
        "-q",
        "-u",
        unit,
        f"--since=@{int(window.start.timestamp())}",
        f"--until=@{int(window.end.timestamp())}",
    ]
    if priority:
        argv.append(f"--priority={priority}")
    return [*argv, *extra]


# journald's own message when its rate limit drops a service's lines (SD_MESSAGE_JOURNAL_DROPPED):
# "Suppressed 1234 messages from rosey-bot.service" (older systemd: from /system.slice/...).
DROPPED_ID = "a596d6fe7bfa4994828e72309e95d61e"
SUPPRESSED = re.compile(r"Suppressed (\d+) messages from (\S+)")


def suppressed_command(window: Window) -> list[str]:
    """journald's messages in the window about lines it dropped (its rate limit), any unit's."""
    return [
        "journalctl",
        "--no-pager",
        "-q",
        f"MESSAGE_ID={DROPPED_ID}",
        f"--since=@{int(window.start.timestamp())}",
        f"--until=@{int(window.end.timestamp())}",
        "-o",
        "json",
    ]


def suppressed_of(unit: str, entries: list[JournalEntry]) -> list[tuple[JournalEntry, int]]:
    """journald's drop messages about `unit` (by its unit file's name, in the cgroup path or
    alone), each with the number of lines it dropped."""
    unit_file = unit if "." in unit else f"{unit}.service"
    found = []
    for entry in entries:
        said = SUPPRESSED.search(entry.message)
        if said and said[2].rsplit("/", 1)[-1] == unit_file:
            found.append((entry, int(said[1])))
    return found


def read_drops(
    unit: str, result: CommandResult
) -> tuple[CommandResult, tuple[tuple[JournalEntry, int], ...]]:
    """The drop messages about `unit` in a suppressed_command's answer; an answer that is not
    journalctl's JSON lines comes back failed, saying so (nothing read from it)."""
    if not result.ok:
        return result, ()
    try:
        return result, tuple(suppressed_of(unit, parse_journal_json(result.stdout)))
    except (ValueError, TypeError, AttributeError) as exc:
        unreadable = f"unreadable: {exc}"
        return CommandResult(result.command, None, result.stdout, result.stderr, unreadable), ()


def retention_command(window: Window) -> list[str]:
    """The newest entry of the whole journal before the window's start: if there is one, the
    journal's retention reaches back past the start and an empty answer inside it means
    something."""
    return [
        "journalctl",
        "--no-pager",
        "-q",
        f"--until=@{int(window.start.timestamp())}",
        "--reverse",
        "-n",
        "1",
        "-o",
        "json",
        "--output-fields=__REALTIME_TIMESTAMP",
    ]


@dataclass(frozen=True)
class JournalCoverage:
    """Whether the logs (the journal, or a log file and its rotations) hold the whole window:
    something older than its start."""

    result: CommandResult
    before_start: datetime | None  # the newest sign of logging before the window's start
    what: str = "the journal"
    first_seen: datetime | None = None  # the oldest line read, for the message

    @property
    def covers(self) -> bool:
        return self.before_start is not None

    def evidence(self) -> Evidence:
        value = None if self.before_start is None else self.before_start.isoformat()
        return Evidence("ssh", self.result.command, {"entry_before_window_start": value})

    def cause(self, window: Window) -> str:
        starts = (
            f" (its oldest line: {self.first_seen.isoformat(timespec='seconds')})"
            if self.first_seen
            else ""
        )
        return (
            f"{self.what} holds no entry before the window's start "
            f"{window.start.isoformat(timespec='seconds')}{starts}: it starts inside the window "
            "(retention, rotation or a new host), so it cannot prove the whole window clean"
        )


def unreadable_hint(coverage: JournalCoverage | None) -> str:
    """For a criterion that found nothing in the window: when the journal shows nothing before
    it either, the login may be unable to read the journal at all."""
    if coverage is None or coverage.covers or coverage.what != "the journal":
        return ""
    return f", {JOURNAL_ACCESS_HINT}: the journal shows it nothing before the window"


def measure_journal_coverage(ssh: SshProbe, window: Window) -> JournalCoverage:
    return journal_coverage(ssh.run(retention_command(window), privileged=True))


def journal_coverage(result: CommandResult) -> JournalCoverage:
    """What the retention command's answer says."""
    before = None
    if result.ok:
        try:
            entries = parse_journal_json(result.stdout)
        except (ValueError, TypeError, AttributeError) as exc:  # not journalctl's JSON lines
            return JournalCoverage(
                CommandResult(
                    result.command, None, result.stdout, result.stderr, f"unreadable: {exc}"
                ),
                None,
            )
        before = entries[0].time if entries else None
    return JournalCoverage(result, before)


@dataclass(frozen=True)
class JournalMeasurement:
    errors: list[JournalEntry] | None
    warnings: list[JournalEntry] | None
    has_entries: bool
    results: tuple[CommandResult, ...]
    coverage: JournalCoverage
    # journald's messages that it dropped lines of the unit in the window (its rate limit), and
    # how many lines each: the journal cannot prove a window clean across them.
    suppressed: tuple[tuple[JournalEntry, int], ...] = ()

    @property
    def failed(self) -> CommandResult | None:
        return next((r for r in self.results if not r.ok), None)


def journal_commands(unit: str, window: Window) -> list[list[str]]:
    """logs-clean's questions (privileged). Presence: an empty answer for the error query
    means nothing unless the unit logged."""
    return [
        journal_command(unit, window, None, "-n", "1", "-o", "cat"),
        journal_command(unit, window, "err", "-o", "json"),
        journal_command(unit, window, "warning..warning", "-o", "json"),
        retention_command(window),
        suppressed_command(window),
    ]


def measure_journal(ssh: SshProbe, unit: str, window: Window) -> JournalMeasurement:
    presence, errors, warnings, retention, dropped = ssh.run_all(
        journal_commands(unit, window), privileged=True
    )
    coverage = journal_coverage(retention)
    dropped, suppressed = read_drops(unit, dropped)
    results = (presence, errors, warnings, coverage.result, dropped)
    if not all(r.ok for r in results):
        return JournalMeasurement(None, None, False, results, coverage)
    return JournalMeasurement(
        parse_journal_json(errors.stdout),
        parse_journal_json(warnings.stdout),
        bool(presence.stdout.strip()),
        results,
        coverage,
        suppressed,
    )


def _excerpt(entries: list[JournalEntry]) -> str:
    shown = [e.line() for e in entries[:EXCERPT_LINES]]
    if len(entries) > EXCERPT_LINES:
        shown.append(f"... {len(entries) - EXCERPT_LINES} more")
    return "\n".join(shown)


def judge_logs_clean(measurement: JournalMeasurement, window: Window) -> Verdict:
    # The journal: presence, errors, warnings, retention. A log file: listing, reads, listing.
    results = measurement.results
    errors_cmd = results[1] if len(results) > 2 else results[0]
    warnings_cmd = results[2] if len(results) > 3 else errors_cmd
    failed = measurement.failed
    if failed is not None:
        return Verdict(
            "logs-clean",
            Band.SOURCE_ERROR,
            None,
            "",
            "",
            f"log query failed: {failed.describe()}",
            window,
            tuple(Evidence("ssh", r.command, {"exit": r.exit_code}) for r in measurement.results),
        )
    assert measurement.errors is not None and measurement.warnings is not None
    evidence = (
        Evidence(
            "ssh",
            errors_cmd.command,
            {"error_lines": len(measurement.errors)},
            _excerpt(measurement.errors),
        ),
        Evidence(
            "ssh",
            warnings_cmd.command,
            {"warning_lines": len(measurement.warnings)},
            _excerpt(measurement.warnings),
        ),
    )
    if not measurement.has_entries:
        cause = (
            "the unit wrote no journal entries at all in the window: wrong unit name, or "
            "logging is broken"
        )
        cause += unreadable_hint(measurement.coverage)
        return no_data(
            "logs-clean",
            cause,
            window,
            (Evidence("ssh", measurement.results[0].command),),
        )
    count = len(measurement.errors)
    if count == 0 and not measurement.coverage.covers:
        # Partial data can prove a failure (an error line), never a clean window.
        return no_data(
            "logs-clean", measurement.coverage.cause(window), window,
            (*evidence, measurement.coverage.evidence()),
        )  # fmt: skip
    dropped = dropped_lines(measurement.suppressed, measurement.results[-1].command)
    if count == 0 and dropped is not None:
        return no_data(
            "logs-clean",
            f"{dropped[0]}: {DROPPED_MEANS}",
            window,
            (*evidence, measurement.coverage.evidence(), dropped[1]),
        )
    band = Band.TARGET if count == 0 else Band.CRITICAL
    cause = (
        f"{len(measurement.warnings)} warning lines (listed as evidence)"
        if measurement.warnings
        else ""
    )
    shown: tuple[Evidence, ...] = (*evidence, measurement.coverage.evidence())
    if dropped is not None:  # an error line seen stands; what journald dropped is said
        cause = "; ".join(part for part in (cause, dropped[0]) if part)
        shown = (*shown, dropped[1])
    return Verdict(
        "logs-clean", band, count, "error lines", "0 error-priority lines", cause, window, shown
    )


def dropped_lines(
    suppressed: Sequence[tuple[JournalEntry, int]], command: str
) -> tuple[str, Evidence] | None:
    """journald's drops of the unit's lines in the window (asked by `command`), in words and as
    evidence; None without any."""
    if not suppressed:
        return None
    lines = sum(n for _, n in suppressed)
    first = suppressed[0][0].time.isoformat(timespec="seconds")
    text = (
        f"journald dropped {lines} line(s) of the unit in the window (its rate limit, "
        f"{len(suppressed)} time(s), first at {first})"
    )
    shown = "\n".join(entry.line() for entry, _ in suppressed[:EXCERPT_LINES])
    return text, Evidence("ssh", command, {"dropped_lines": lines}, shown)


# The words after a drop's: what it means for a clean window, and the setting to raise.
DROPPED_MEANS = (
    "the journal cannot prove the window clean (the lines dropped may be errors; raise the "
    "unit's LogRateLimitBurst or journald's RateLimitBurst)"
)


# What `systemctl show` tells beyond is-active: a unit restarting in a loop is "activating" most
# of the time, and only its sub-state and restart count say why.
SERVICE_PROPERTIES = ("LoadState", "ActiveState", "SubState", "Result", "NRestarts")


def service_commands(unit: str) -> list[list[str]]:
    """service-active's questions (privileged)."""
    return [
        ["systemctl", "is-active", unit],
        ["systemctl", "show", "-p", ",".join(SERVICE_PROPERTIES), unit],
    ]


def measure_service(ssh: SshProbe, unit: str) -> tuple[CommandResult, CommandResult]:
    state, show = ssh.run_all(service_commands(unit), privileged=True)
    return state, show


def unit_properties(show: CommandResult) -> dict[str, str]:
    """`Key=Value` lines of `systemctl show`."""
    return dict(line.split("=", 1) for line in show.stdout.splitlines() if "=" in line)


def judge_service_active(state: CommandResult, show: CommandResult) -> Verdict:
    properties = unit_properties(show)
    evidence = (
        Evidence("ssh", state.command, {"exit": state.exit_code, "stdout": state.stdout.strip()}),
        Evidence("ssh", show.command, {"exit": show.exit_code, **properties}),
    )
    answer = state.stdout.strip()
    if properties.get("LoadState") == "not-found" and show.exit_code == 0:
        return no_data(
            "service-active",
            f"the host has no unit {show.command.split()[-1]}: check --unit "
            "(python -m burnin doctor lists the host's units)",
            None,
            evidence,
        )
    broken = ""
    if state.exit_code is None or show.exit_code != 0 or "LoadState" not in properties:
        broken = f"systemctl failed: {(state if state.exit_code is None else show).describe()}"
    elif not answer:
        broken = f"systemctl answered nothing: {state.describe()}"
    if broken:
        return Verdict("service-active", Band.SOURCE_ERROR, None, "", "", broken, None, evidence)
    band = Band.TARGET if answer == "active" else Band.CRITICAL
    cause = ""
    if band is Band.CRITICAL:
        sub, result = properties.get("SubState", "?"), properties.get("Result", "?")
        restarts = properties.get("NRestarts", "")
        cause = f"the unit is {answer} ({sub})"
        if restarts.isdigit() and int(restarts):
            cause += f", restarted {restarts} times by systemd"
            if sub == "auto-restart":
                cause = f"restarting in a loop: {cause}"
        cause += f", last result {result}"
    return Verdict("service-active", band, answer, "", "active", cause, None, evidence)
