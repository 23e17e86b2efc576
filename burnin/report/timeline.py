"""Notable events, read from the evidence the criteria kept: disconnections, restarts, error
bursts, alerts, peak and off-peak periods. Times are shown in the traffic timezone."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from burnin.report.links import period_span
from burnin.report.model import RangeAnswer, RunRecord

# Error lines closer together than this belong to one burst.
BURST_GAP = timedelta(minutes=5)
JOURNAL_LINE = re.compile(r"^(\S+T\S+) p(\d) (.*)$")


@dataclass(frozen=True)
class Event:
    at: datetime | None  # None: the evidence says it happened but not when
    kind: str  # disconnect, restart, errors, alert, peak, off-peak
    text: str


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def disconnections(answer: RangeAnswer) -> list[tuple[float, float]]:
    """(start, seconds) of each run of bot_connected == 0 in the cached range answer."""
    found = []
    for series in answer.series:
        start: float | None = None
        previous: float | None = None
        for timestamp, value in series.points:
            gap = previous is not None and timestamp - previous > answer.step_s * 1.5
            if start is not None and (value != 0 or gap):
                found.append((start, (previous or start) - start + answer.step_s))
                start = None
            if value == 0 and start is None:
                start = timestamp
            previous = timestamp
        if start is not None:
            found.append((start, (previous or start) - start + answer.step_s))
    return sorted(found)


def _stamp(unix_s: float) -> datetime:
    return datetime.fromtimestamp(unix_s, UTC)


def _disconnect_events(record: RunRecord) -> list[Event]:
    answer = record.ranges.get("bot_connected")
    if answer is not None:
        return [
            Event(
                _stamp(start),
                "disconnect",
                f"Bot disconnected for {duration_text(seconds)}, then reconnected",
            )
            for start, seconds in disconnections(answer)
        ]
    row = record.result("longest-disconnect")
    events = []
    for values in [e.values for e in (row.verdict.evidence if row and row.verdict else ())]:
        if values.get("started_at") and values.get("longest_disconnect_s"):
            events.append(
                Event(
                    _stamp(values["started_at"]),
                    "disconnect",
                    f"Longest disconnection: {duration_text(values['longest_disconnect_s'])} "
                    f"({values.get('disconnections', '?')} in the window)",
                )
            )
    return events


def _restart_events(record: RunRecord) -> list[Event]:
    row = record.result("restarts")
    if row is None or row.verdict is None:
        return []
    times = [t for lines in row.values("restart_lines") for t in lines]
    events = [
        Event(datetime.fromisoformat(t), "restart", "Service restarted (systemd restart job)")
        for t in times
    ]
    if not events and row.verdict.observed:
        events.append(Event(None, "restart", f"{row.verdict.observed_text} ({row.verdict.cause})"))
    return events


def shortened(text: str, most: int = 240) -> str:
    """A quoted line as it is, or cut at a word and said to be cut (never mid-word)."""
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0] + " (cut)"


def error_bursts(lines: Iterable[str], zone: ZoneInfo) -> list[Event]:
    """Journal excerpt lines ('<iso> p3 message') grouped into bursts."""
    entries = []
    for line in lines:
        found = JOURNAL_LINE.match(line.strip())
        if found and int(found.group(2)) <= 3:
            entries.append((datetime.fromisoformat(found.group(1)), found.group(3)))
    entries.sort()
    bursts: list[list[tuple[datetime, str]]] = []
    for entry in entries:
        if bursts and entry[0] - bursts[-1][-1][0] <= BURST_GAP:
            bursts[-1].append(entry)
        else:
            bursts.append([entry])
    events = []
    for burst in bursts:
        first = shortened(burst[0][1])
        if len(burst) == 1:
            events.append(Event(burst[0][0], "errors", f"Error logged: {first}"))
            continue
        span = (burst[-1][0] - burst[0][0]).total_seconds()
        events.append(
            Event(
                burst[0][0],
                "errors",
                f"Error burst: {len(burst)} error lines over {duration_text(span)}, first: {first}",
            )
        )
    return events


def _error_events(record: RunRecord) -> list[Event]:
    row = record.result("logs-clean")
    if row is None or row.verdict is None:
        return []
    lines = [
        line
        for e in row.verdict.evidence
        if "error_lines" in e.values
        for line in e.excerpt.splitlines()
    ]
    return error_bursts(lines, record.timezone)


def _alert_events(record: RunRecord) -> list[Event]:
    """Each firing once, whichever phases' windows saw it (the widest view of it kept)."""
    spans: dict[tuple[str, str], list[list[float]]] = {}
    for row in record.results:
        if row.criterion != "alerts":
            continue
        for firings in [*row.values("firings"), *row.values("expected_firings")]:
            for firing in firings:
                key = (firing["alertname"], firing.get("severity") or "")
                start, end = firing["started"], firing["started"] + firing["seconds"]
                for span in spans.setdefault(key, []):
                    if start <= span[1] and end >= span[0]:  # the same firing, seen again
                        span[0], span[1] = min(span[0], start), max(span[1], end)
                        break
                else:
                    spans[key].append([start, end])
    events = []
    for (alertname, severity), found in spans.items():
        label = f" ({severity})" if severity else ""
        for start, end in found:
            events.append(
                Event(
                    _stamp(start),
                    "alert",
                    f"Alert {alertname}{label} fired for {duration_text(end - start)}",
                )
            )
    return events


def parse_period(text: str, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """'2026-11-28 18:00-23:00 UTC' (as the traffic criteria write it) -> local start, end."""
    return period_span(text, zone)


def traffic_periods(record: RunRecord) -> dict[str, list[dict[str, Any]]]:
    """'peak' / 'off-peak' -> the period rows the traffic criteria kept, each once."""
    found: dict[str, dict[str, dict[str, Any]]] = {"peak": {}, "off-peak": {}}
    for row in record.results:
        kind = {"peak-observed": "peak", "peak-handled": "peak", "offpeak-handled": "off-peak"}.get(
            row.criterion
        )
        if kind is None:
            continue
        for periods in row.values("periods"):
            for period in periods:
                found[kind].setdefault(period["period"], period)
    return {kind: list(rows.values()) for kind, rows in found.items()}


def _period_events(record: RunRecord) -> list[Event]:
    events = []
    for kind, rows in traffic_periods(record).items():
        for period in rows:
            span = parse_period(period["period"], record.timezone)
            if span is None:
                continue
            details = []
            if period.get("peak_users") is not None:
                details.append(f"{period['peak_users']:g} users")
            if period.get("errors") is not None:
                errors = round(period["errors"])
                details.append("no errors" if errors == 0 else f"{errors} errors")
            label = "Peak hour" if kind == "peak" else "Off-peak hours"
            text = f"{label} {span[0]:%H:%M}-{span[1]:%H:%M}" + (
                f", {', '.join(details)}" if details else ""
            )
            events.append(Event(span[0], kind, text))
    return events


def notable_events(record: RunRecord) -> list[Event]:
    """Every event the evidence shows, oldest first; undated ones last."""
    events = [
        *_disconnect_events(record),
        *_restart_events(record),
        *_error_events(record),
        *_alert_events(record),
        *_period_events(record),
    ]
    once = list(dict.fromkeys(events))  # one timeline per run: each event once
    return sorted(once, key=lambda e: (e.at is None, e.at or datetime.max.replace(tzinfo=UTC)))


def when(event: Event, zone: ZoneInfo, multi_day: bool = True) -> str:
    if event.at is None:
        return "—"
    local = event.at.astimezone(zone)
    return f"{local:%m-%d %H:%M}" if multi_day else f"{local:%H:%M}"


def spans_days(windows: Mapping[str, Any], zone: ZoneInfo) -> bool:
    days = {w.start.astimezone(zone).date() for w in windows.values()} | {
        w.end.astimezone(zone).date() for w in windows.values()
    }
    return len(days) > 1
