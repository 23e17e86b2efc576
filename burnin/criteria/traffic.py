"""peak-observed, peak-handled and offpeak-handled: the spec's daily traffic pattern
(peak 18:00-23:00, off-peak 02:00-07:00 in the configured timezone).

They judge the hours of the day, not contiguous periods: a 24-hour window always holds every
hour of the day, even when the peak straddles its two ends (18:00-20:00 today and 20:00-23:00
yesterday). A window that does not yet hold every peak hour (a 12-hour window ending at 09:00
after a deployment at 21:00) has not observed the peak yet: PENDING, neither a pass nor a flag
on the service."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from burnin.bands import Band, Tiers
from burnin.config import DailyHours
from burnin.coverage import Coverage, Stretch
from burnin.criteria.connection import SeriesSamples
from burnin.criteria.reading import Reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict, no_data

# Daily hours count as all seen when no more than this of them is missing (scrape jitter at
# the window's edges).
SEEN_SLACK_S = 60.0


@dataclass(frozen=True)
class Period:
    """A stretch of daily hours inside the window. Times are UTC, so lengths are real elapsed
    time even on DST nights; `zone` is for display only."""

    start: datetime
    end: datetime
    zone: ZoneInfo = ZoneInfo("UTC")
    full: bool = True  # False: the window cut it short
    day_start: datetime | None = None  # where that day's hours begin (before any clipping)
    day_end: datetime | None = None  # and end: a DST night makes them an hour shorter or longer

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def __str__(self) -> str:
        start, end = self.start.astimezone(self.zone), self.end.astimezone(self.zone)
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M %Z}"


def periods(hours: DailyHours, zone: ZoneInfo, window: Window) -> list[Period]:
    """The parts of the window inside the daily hours, in local time (DST-aware)."""
    found = []
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    while day <= last:
        start = datetime.combine(day, hours.start, zone).astimezone(UTC)
        end_day = day if hours.end > hours.start else day + timedelta(days=1)
        end = datetime.combine(end_day, hours.end, zone).astimezone(UTC)
        clipped_start, clipped_end = max(start, window.start), min(end, window.end)
        if clipped_end > clipped_start:
            full = clipped_start == start and clipped_end == end
            found.append(Period(clipped_start, clipped_end, zone, full, start, end))
        day += timedelta(days=1)
    return found


def full_length(hours: DailyHours) -> int:
    start = hours.start.hour * 3600 + hours.start.minute * 60
    end = hours.end.hour * 3600 + hours.end.minute * 60
    return (end - start) % 86400


@dataclass(frozen=True)
class PeriodReadings:
    period: Period
    errors: Reading  # increase of the error counter
    worst_rate: Reading  # worst 5-minute error rate, per minute
    users: Reading  # most users seen
    cpu: Reading | None  # average CPU %; None: the target exports no process metrics


def measure_periods(
    prometheus: PrometheusProbe, metrics: Metrics, spans: list[Period], process_metrics: bool = True
) -> list[PeriodReadings]:
    result = []
    for span in spans:
        rng, at = f"[{span.seconds}s]", span.end
        errors = metrics.series("bot_errors_total")
        cpu = metrics.series("process_cpu_seconds_total")
        result.append(
            PeriodReadings(
                span,
                read(prometheus, metrics.total_over("increase", errors, span.seconds), at),
                read(
                    prometheus,
                    f"max_over_time({metrics.total(f'rate({errors}[5m])')}[{span.seconds}s:1m]) * 60",
                    at,
                ),
                read(
                    prometheus,
                    f"{metrics.agg('max')}(max_over_time({metrics.series('bot_users')}{rng}))",
                    at,
                ),
                read(prometheus, f"{metrics.agg('max')}(rate({cpu}{rng})) * 100", at)
                if process_metrics
                else None,
            )
        )
    return result


def _evidence(readings: list[PeriodReadings]) -> tuple[Evidence, ...]:
    rows = [
        {
            "period": str(r.period),
            "errors": r.errors.value,
            "worst_5m_per_min": r.worst_rate.value,
            "peak_users": r.users.value,
            "cpu_percent": None if r.cpu is None else r.cpu.value,
        }
        for r in readings
    ]
    first = readings[0] if readings else None
    queries = (
        " ; ".join(
            x.query
            for x in (first.errors, first.worst_rate, first.users, first.cpu)
            if x is not None
        )
        if first
        else ""
    )
    # Without a period there was nothing to ask: say so, not a sentence cut after its colon.
    asked = (
        f"per period, evaluated at each period's end: {queries}"
        if queries
        else "no period of these hours in the window: nothing asked"
    )
    return (Evidence("prometheus", asked, {"periods": rows}),)


def _intersect(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if end > start else None


def _union_length(spans: list[tuple[float, float]]) -> float:
    total, cursor = 0.0, None
    for start, end in sorted(spans):
        if cursor is None or start > cursor:
            total += end - start
            cursor = end
        elif end > cursor:
            total += end - cursor
            cursor = end
    return total


def daily_offsets(spans: list[Period], known: list[tuple[float, float]] | None) -> float:
    """Seconds of the daily hours that the spans hold (with data, when `known` is given), each
    hour of the day counted once however many days hold it."""
    offsets: list[tuple[float, float]] = []
    for span in spans:
        origin = (span.day_start or span.start).timestamp()
        pieces = [(span.start.timestamp(), span.end.timestamp())]
        if known is not None:
            pieces = [x for k in known if (x := _intersect(pieces[0], k)) is not None]
        offsets.extend((a - origin, b - origin) for a, b in pieces)
    return _union_length(offsets)


@dataclass(frozen=True)
class HoursSeen:
    """How much of the daily hours a window holds, and how much of that has data."""

    hours: DailyHours
    full_s: float
    in_window_s: float
    with_data_s: float

    @property
    def all_in_window(self) -> bool:
        return self.full_s > 0 and self.in_window_s >= self.full_s - SEEN_SLACK_S

    @property
    def all_with_data(self) -> bool:
        return self.full_s > 0 and self.with_data_s >= self.full_s - SEEN_SLACK_S

    def describe(self) -> str:
        return (
            f"{self.in_window_s / 3600:.2f} of {self.full_s / 3600:.2f} h of the daily hours "
            f"{self.hours} in the window, {self.with_data_s / 3600:.2f} h of them with data"
        )


def hours_seen(hours: DailyHours, spans: list[Period], coverage: Coverage) -> HoursSeen:
    """All of the daily hours are the clock's length of them, or on a DST night the real
    length of that night's (02:00-07:00 lasts four hours on the spring night)."""
    lengths = [
        (span.day_end - span.day_start).total_seconds()
        for span in spans
        if span.day_start is not None and span.day_end is not None
    ]
    full_s = min([float(full_length(hours)), *lengths])
    return HoursSeen(
        hours,
        full_s,
        daily_offsets(spans, None),
        daily_offsets(spans, coverage.known_spans()),
    )


def _not_yet(
    criterion: str, seen: HoursSeen, window: Window, evidence: tuple[Evidence, ...]
) -> Verdict:
    return Verdict(
        criterion,
        Band.PENDING,
        None,
        "",
        f"every hour of {seen.hours} in the window, with data",
        f"not observed yet: {seen.describe()}; a later checkpoint (or a longer window) holds them",
        window,
        evidence,
    )


def judge_peak_observed(
    readings: list[PeriodReadings], data: SeriesSamples, hours: DailyHours, window: Window
) -> Verdict:
    spans = [r.period for r in readings]
    seen = hours_seen(hours, spans, data.coverage)
    evidence = (*_evidence(readings), data.evidence(hours_seen=seen.describe()))
    threshold = f"every hour of the peak ({hours}) in the window, with data"
    if not seen.all_in_window:
        return _not_yet("peak-observed", seen, window, evidence)
    if not seen.all_with_data:
        return no_data(
            "peak-observed",
            f"the peak hours lack data: {seen.describe()} ({data.coverage.describe()})",
            window,
            evidence,
        )
    users = max((r.users.value for r in readings if r.users.value is not None), default=None)
    cause = f"peak users {users:g}" if users is not None else ""
    observed = f"{seen.with_data_s / 3600:.2f} h of peak hours seen with data"
    return Verdict("peak-observed", Band.TARGET, observed, "", threshold, cause, window, evidence)


def _connected_in(stretches: list[Stretch], spans: list[Period]) -> tuple[float, float]:
    """(connected seconds, known seconds) inside the spans."""
    connected = known = 0.0
    for span in spans:
        bounds = (span.start.timestamp(), span.end.timestamp())
        for stretch in stretches:
            part = _intersect(bounds, (stretch.start, stretch.end))
            if part is not None:
                known += part[1] - part[0]
                connected += (part[1] - part[0]) * min(1.0, max(0.0, stretch.value))
    return connected, known


def judge_handled(
    criterion: str,
    readings: list[PeriodReadings],
    data: SeriesSamples,
    hours: DailyHours,
    uptime_tiers: Tiers,
    error_tiers: Tiers,
    window: Window,
    min_percent: float,
    *,
    zero_errors: bool,
) -> Verdict:
    """Within the daily hours: stayed connected (uptime tiers, time-weighted, unknown time
    neither connected nor left out), errors within the error-rate tiers (off-peak: none at
    all). Off-peak CPU lower than at peak is checked by the caller."""
    spans = [r.period for r in readings]
    seen = hours_seen(hours, spans, data.coverage)
    evidence = (*_evidence(readings), data.evidence(hours_seen=seen.describe()))
    if not seen.all_in_window:
        return _not_yet(criterion, seen, window, evidence)
    total_s = sum(span.seconds for span in spans)
    connected_s, known_s = _connected_in(data.stretches(), spans)
    if not known_s:
        return no_data(
            criterion,
            f"no bot_connected samples in these hours: {seen.describe()}",
            window,
            evidence,
        )
    lowest = 100.0 * connected_s / total_s
    highest = 100.0 * (connected_s + total_s - known_s) / total_s
    errors = sum(r.errors.value or 0 for r in readings)
    minutes = total_s / 60
    rate = errors / minutes
    worst = max(
        (r.worst_rate.value for r in readings if r.worst_rate.value is not None), default=0.0
    )
    error_band = error_tiers.band(rate)
    if worst > error_tiers.critical:
        error_band = Band.CRITICAL
    if round(errors) > 0 and zero_errors:
        error_band = worse(error_band, Band.DEGRADED)
    problems = []
    if lowest < 100:
        problems.append(
            f"uptime {lowest:.3f} %" + (f"..{highest:.3f} %" if highest > lowest else "")
        )
    if round(errors) > 0:
        problems.append(f"{round(errors)} errors ({rate:.3g}/min, worst 5 min {worst:.3g}/min)")
    users = max((r.users.value for r in readings if r.users.value is not None), default=None)
    if users is not None:
        problems.append(f"most users {users:g}")
    unknown_share = 100.0 * (total_s - known_s) / total_s
    if unknown_share > 0:
        problems.append(f"{(total_s - known_s) / 60:.1f} min of these hours without data")
    threshold = f"uptime: {uptime_tiers.describe()}; error rate: {error_tiers.describe()}"
    if zero_errors:
        threshold += "; no errors"
    observed = f"uptime {lowest:.3f} %, {round(errors)} errors over {total_s / 3600:.1f} h"
    cause = "; ".join(problems)
    # A failure shown by the data stands; a pass needs the lower bound and enough data.
    proven_bad = worse(uptime_tiers.band(highest), error_band)
    if not proven_bad.passes:
        return Verdict(criterion, proven_bad, observed, "", threshold, cause, window, evidence)
    if not uptime_tiers.band(lowest).passes or 100.0 - unknown_share < min_percent:
        return no_data(
            criterion,
            f"these hours are not covered well enough to pass: {seen.describe()}; "
            f"uptime between {lowest:.3f} % and {highest:.3f} % ({cause})",
            window,
            evidence,
        )
    band = worse(uptime_tiers.band(lowest), error_band)
    return Verdict(criterion, band, observed, "", threshold, cause, window, evidence)


def with_cpu_check(
    verdict: Verdict, offpeak: list[PeriodReadings], peak: list[PeriodReadings]
) -> Verdict:
    """Off-peak CPU should be lower than at peak ("resource usage drops proportionally")."""
    off = [r.cpu.value for r in offpeak if r.cpu is not None and r.cpu.value is not None]
    on = [r.cpu.value for r in peak if r.cpu is not None and r.cpu.value is not None]
    if not off or not on or not verdict.band.passes:
        return verdict
    off_avg, on_avg = sum(off) / len(off), sum(on) / len(on)
    note = f"CPU off-peak {off_avg:.2f} % vs peak {on_avg:.2f} %"
    cause = "; ".join(x for x in (verdict.cause, note) if x)
    if off_avg >= on_avg:
        return replace(verdict, band=Band.DEGRADED, cause=cause + ": not lower off-peak")
    return replace(verdict, cause=cause)
