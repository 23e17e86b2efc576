"""channel-events: the bot survives channel events (topic changes, kicks and bans, media changes,
users joining and leaving): no error-priority journal line follows one within `quiet_s`."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from burnin.bands import Band
from burnin.config import ChannelEvents
from burnin.criteria.host import (
    DROPPED_MEANS,
    JournalCoverage,
    JournalEntry,
    dropped_lines,
    journal_command,
    measure_journal_coverage,
    parse_journal_json,
    read_drops,
    suppressed_command,
    unreadable_hint,
)
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict, no_data

CRITERION = "channel-events"
ERROR_PRIORITY = 3  # journald: 0 emerg .. 3 err
EXCERPT_EVENTS = 10


@dataclass(frozen=True)
class ChannelMeasurement:
    result: CommandResult
    entries: list[JournalEntry] | None  # None: the command failed or printed something unreadable
    coverage: JournalCoverage | None = None  # None: not asked (the listing failed)
    problem: str = ""
    # journald's messages that it dropped the unit's lines in the window (its rate limit): an
    # error line after an event may be among them. None: not asked.
    dropped: CommandResult | None = None
    suppressed: tuple[tuple[JournalEntry, int], ...] = ()


def channel_events_command(unit: str, window: Window) -> list[str]:
    """The unit's whole journal in the window, three fields a line (keeps a day small)."""
    return journal_command(
        unit, window, None, "-o", "json", "--output-fields=MESSAGE,PRIORITY,__REALTIME_TIMESTAMP"
    )


def measure_channel_events(ssh: SshProbe, unit: str, window: Window) -> ChannelMeasurement:
    result = ssh.run(channel_events_command(unit, window), privileged=True)
    if not result.ok:
        return ChannelMeasurement(result, None)
    try:
        entries = parse_journal_json(result.stdout)
    except (ValueError, TypeError, AttributeError) as exc:  # not journalctl's JSON lines
        return ChannelMeasurement(result, None, problem=f"unreadable journalctl output: {exc}")
    coverage = measure_journal_coverage(ssh, window)
    dropped, suppressed = read_drops(unit, ssh.run(suppressed_command(window), privileged=True))
    return ChannelMeasurement(result, entries, coverage, dropped=dropped, suppressed=suppressed)


@dataclass(frozen=True)
class Offence:
    """A channel event and the first error line that followed it within the quiet time."""

    kind: str
    event: JournalEntry
    error: JournalEntry

    def lines(self) -> str:
        delay_s = (self.error.time - self.event.time).total_seconds()
        return f"{self.kind}: {self.event.line()}\n  +{delay_s:.1f} s: {self.error.line()}"


def classify(message: str, patterns: Mapping[str, re.Pattern[str]]) -> str | None:
    """The first event type (in configuration order) whose pattern matches the message."""
    return next((kind for kind, pattern in patterns.items() if pattern.search(message)), None)


def find_offences(
    entries: list[JournalEntry], channel_events: ChannelEvents
) -> tuple[dict[str, int], list[Offence]]:
    """Events counted per type, and each event followed by an error within quiet_s.

    Error-priority lines are never events themselves: an error that mentions a kick is the
    consequence being looked for, not a new event."""
    patterns = {kind: re.compile(text) for kind, text in channel_events.patterns.items()}
    counts = dict.fromkeys(patterns, 0)
    errors = sorted((e for e in entries if e.priority <= ERROR_PRIORITY), key=lambda e: e.time)
    error_times = [e.time.timestamp() for e in errors]
    offences = []
    for entry in entries:
        if entry.priority <= ERROR_PRIORITY:
            continue
        kind = classify(entry.message, patterns)
        if kind is None:
            continue
        counts[kind] += 1
        t = entry.time.timestamp()
        i = bisect.bisect_left(error_times, t)
        if i < len(errors) and error_times[i] <= t + channel_events.quiet_s:
            offences.append(Offence(kind, entry, errors[i]))
    return counts, offences


def _excerpt(offences: list[Offence]) -> str:
    shown = [o.lines() for o in offences[:EXCERPT_EVENTS]]
    if len(offences) > EXCERPT_EVENTS:
        shown.append(f"... {len(offences) - EXCERPT_EVENTS} more")
    return "\n".join(shown)


def judge_channel_events(
    measurement: ChannelMeasurement, channel_events: ChannelEvents, window: Window
) -> Verdict:
    result = measurement.result
    if measurement.entries is None:
        cause = measurement.problem or f"log query failed: {result.describe()}"
        return Verdict(
            CRITERION,
            Band.SOURCE_ERROR,
            None,
            "",
            "",
            cause,
            window,
            (Evidence("ssh", result.command, {"exit": result.exit_code}),),
        )
    counts, offences = find_offences(measurement.entries, channel_events)
    errors = sum(1 for e in measurement.entries if e.priority <= ERROR_PRIORITY)
    evidence: tuple[Evidence, ...] = (
        Evidence(
            "ssh",
            result.command,
            {
                "journal_lines": len(measurement.entries),
                "events": counts,
                "error_lines": errors,
                "events_followed_by_errors": len(offences),
                "quiet_s": channel_events.quiet_s,
            },
            _excerpt(offences),
        ),
    )
    total = sum(counts.values())
    seen = ", ".join(f"{kind} {n}" for kind, n in counts.items())
    if total == 0:
        return no_data(
            CRITERION,
            f"no channel events seen: patterns wrong, or the channel was idle "
            f"({len(measurement.entries)} journal lines searched; patterns: "
            f"{', '.join(channel_events.patterns)})"
            + (unreadable_hint(measurement.coverage) if not measurement.entries else ""),
            window,
            evidence,
        )
    threshold = f"no error-priority line within {channel_events.quiet_s:g} s after an event"
    coverage = measurement.coverage
    if coverage is not None:
        evidence = (*evidence, coverage.evidence())
        if not offences and not coverage.result.ok:
            return Verdict(
                CRITERION,
                Band.SOURCE_ERROR,
                None,
                "",
                "",
                f"journal retention query failed: {coverage.result.describe()}",
                window,
                evidence,
            )
        if not offences and not coverage.covers:
            return no_data(CRITERION, coverage.cause(window), window, evidence)
    if measurement.dropped is not None and not offences:
        if not measurement.dropped.ok:
            return Verdict(
                CRITERION, Band.SOURCE_ERROR, None, "", "",
                f"journald's drop query failed: {measurement.dropped.describe()}", window, evidence,
            )  # fmt: skip
        dropped = dropped_lines(measurement.suppressed, measurement.dropped.command)
        if dropped is not None:
            return no_data(
                CRITERION, f"{dropped[0]}: {DROPPED_MEANS}", window, (*evidence, dropped[1])
            )
    band = Band.CRITICAL if offences else Band.TARGET
    cause = f"{total} events ({seen})"
    if offences:
        cause = f"{len(offences)} of {total} events followed by an error (listed); {seen}"
    return Verdict(
        CRITERION,
        band,
        len(offences),
        "events followed by errors",
        threshold,
        cause,
        window,
        evidence,
    )
