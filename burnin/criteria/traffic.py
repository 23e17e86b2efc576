"""peak-observed, peak-handled and offpeak-handled: the spec's daily traffic pattern
(peak 18:00-23:00, off-peak 02:00-07:00 in the configured timezone)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from burnin.bands import Band, Tiers
from burnin.config import DailyHours
from burnin.criteria.connection import ConnectionSeries
from burnin.criteria.reading import Reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.verdict import Evidence, Verdict, no_data
from burnin.window import Window

# Samples must cover this share of a period for it to count as observed.
MIN_DATA_SHARE = 0.9


@dataclass(frozen=True)
class Period:
    """A stretch of daily hours inside the window. Times are UTC, so lengths are real elapsed
    time even on DST nights; `zone` is for display only."""

    start: datetime
    end: datetime
    zone: ZoneInfo = ZoneInfo("UTC")
    full: bool = True  # False: the window cut it short

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
            found.append(Period(clipped_start, clipped_end, zone, full))
        day += timedelta(days=1)
    return found


def full_length(hours: DailyHours) -> int:
    start = hours.start.hour * 3600 + hours.start.minute * 60
    end = hours.end.hour * 3600 + hours.end.minute * 60
    return (end - start) % 86400


@dataclass(frozen=True)
class PeriodReadings:
    period: Period
    samples: Reading  # bot_connected samples in the period
    connected: Reading  # of which connected
    errors: Reading  # increase of the error counter
    worst_rate: Reading  # worst 5-minute error rate, per minute
    users: Reading  # most users seen
    cpu: Reading  # average CPU %


def measure_periods(
    prometheus: PrometheusProbe, metrics: Metrics, spans: list[Period]
) -> list[PeriodReadings]:
    result = []
    for span in spans:
        rng, at = f"[{span.seconds}s]", span.end
        connected = metrics.series("bot_connected")
        errors = metrics.series("bot_errors_total")
        result.append(
            PeriodReadings(
                span,
                read(prometheus, f"sum(count_over_time({connected}{rng}))", at),
                read(prometheus, f"sum(sum_over_time({connected}{rng}))", at),
                read(prometheus, f"sum(increase({errors}{rng}))", at),
                read(
                    prometheus,
                    f"max_over_time(sum(rate({errors}[5m]))[{span.seconds}s:1m]) * 60",
                    at,
                ),
                read(prometheus, f"max(max_over_time({metrics.series('bot_users')}{rng}))", at),
                read(
                    prometheus,
                    f"max(rate({metrics.series('process_cpu_seconds_total')}{rng})) * 100",
                    at,
                ),
            )
        )
    return result


def _evidence(readings: list[PeriodReadings]) -> tuple[Evidence, ...]:
    rows = [
        {
            "period": str(r.period),
            "samples": r.samples.value,
            "connected": r.connected.value,
            "errors": r.errors.value,
            "worst_5m_per_min": r.worst_rate.value,
            "peak_users": r.users.value,
            "cpu_percent": r.cpu.value,
        }
        for r in readings
    ]
    queries = (
        " ; ".join(
            x.query
            for x in (
                readings[0].samples,
                readings[0].connected,
                readings[0].errors,
                readings[0].worst_rate,
                readings[0].users,
                readings[0].cpu,
            )
        )
        if readings
        else ""
    )
    return (
        Evidence(
            "prometheus",
            f"per period, evaluated at each period's end: {queries}",
            {"periods": rows},
        ),
    )


def data_share(data: ConnectionSeries, period: Period) -> float:
    """Share of the period's range-query steps that have a bot_connected value."""
    start, end = period.start.timestamp(), period.end.timestamp()
    times = {t for s in data.series for t, _ in s.points if start <= t <= end}
    return min(1.0, len(times) * data.step_s / max(1, period.seconds))


def judge_peak_observed(
    readings: list[PeriodReadings], data: ConnectionSeries, hours: DailyHours, window: Window
) -> Verdict:
    evidence = (*_evidence(readings), data.evidence())
    full = [r for r in readings if r.period.full]
    partial_h = sum(r.period.seconds for r in readings if not r.period.full) / 3600
    with_data = [r for r in full if data_share(data, r.period) >= MIN_DATA_SHARE]
    users = max((r.users.value for r in readings if r.users.value is not None), default=None)
    observed = f"{len(with_data)} full peak period(s) with data, {partial_h:.1f} h partial"
    threshold = f"at least one full peak period ({hours}) with data"
    cause = f"peak users {users:g}" if users is not None else ""
    if not full:
        return Verdict(
            "peak-observed",
            Band.DEGRADED,
            observed,
            "",
            threshold,
            f"no full peak period in the window yet (only {partial_h:.1f} h of peak hours)",
            window,
            evidence,
        )
    if not with_data:
        return Verdict(
            "peak-observed",
            Band.NO_DATA,
            observed,
            "",
            threshold,
            "the peak period lacks data (under 90 % of it has samples)",
            window,
            evidence,
        )
    return Verdict("peak-observed", Band.TARGET, observed, "", threshold, cause, window, evidence)


def judge_handled(
    criterion: str,
    readings: list[PeriodReadings],
    uptime_tiers: Tiers,
    error_tiers: Tiers,
    window: Window,
    *,
    zero_errors: bool,
) -> Verdict:
    """Within the periods: stayed connected (uptime tiers), errors within the error-rate tiers
    (off-peak: none at all), and for off-peak, CPU lower than at peak is checked by the caller."""
    evidence = _evidence(readings)
    samples = sum(r.samples.value or 0 for r in readings)
    if not readings or not samples:
        return no_data(
            criterion, "no bot_connected samples in these hours of the window", window, evidence
        )
    connected = sum(r.connected.value or 0 for r in readings)
    uptime = 100.0 * connected / samples
    errors = sum(r.errors.value or 0 for r in readings)
    minutes = sum(r.period.seconds for r in readings) / 60
    rate = errors / minutes
    worst = max(
        (r.worst_rate.value for r in readings if r.worst_rate.value is not None), default=0.0
    )
    band = worse(uptime_tiers.band(uptime), error_tiers.band(rate))
    if worst > error_tiers.critical:
        band = Band.CRITICAL
    problems = []
    if uptime < 100:
        problems.append(f"uptime {uptime:.3f} %")
    if round(errors) > 0:
        problems.append(f"{round(errors)} errors ({rate:.3g}/min, worst 5 min {worst:.3g}/min)")
        if zero_errors:
            band = worse(band, Band.DEGRADED)
    users = max((r.users.value for r in readings if r.users.value is not None), default=None)
    if users is not None:
        problems.append(f"most users {users:g}")
    observed = f"uptime {uptime:.3f} %, {round(errors)} errors over {minutes / 60:.1f} h"
    threshold = f"uptime: {uptime_tiers.describe()}; error rate: {error_tiers.describe()}"
    if zero_errors:
        threshold += "; no errors"
    return Verdict(criterion, band, observed, "", threshold, "; ".join(problems), window, evidence)


def with_cpu_check(
    verdict: Verdict, offpeak: list[PeriodReadings], peak: list[PeriodReadings]
) -> Verdict:
    """Off-peak CPU should be lower than at peak ("resource usage drops proportionally")."""
    off = [r.cpu.value for r in offpeak if r.cpu.value is not None]
    on = [r.cpu.value for r in peak if r.cpu.value is not None]
    if not off or not on or not verdict.band.passes:
        return verdict
    off_avg, on_avg = sum(off) / len(off), sum(on) / len(on)
    note = f"CPU off-peak {off_avg:.2f} % vs peak {on_avg:.2f} %"
    cause = "; ".join(x for x in (verdict.cause, note) if x)
    if off_avg >= on_avg:
        return replace(verdict, band=Band.DEGRADED, cause=cause + ": not lower off-peak")
    return replace(verdict, cause=cause)
