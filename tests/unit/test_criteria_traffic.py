"""peak-observed, peak-handled and offpeak-handled: the daily periods inside a window (midnight,
DST, hours that wrap), and the judges over hand-made per-period readings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.config import DailyHours, load_thresholds
from burnin.criteria.connection import ConnectionSeries
from burnin.criteria.reading import Reading
from burnin.criteria.traffic import (
    MIN_DATA_SHARE,
    Period,
    PeriodReadings,
    data_share,
    full_length,
    judge_handled,
    judge_peak_observed,
    periods,
    with_cpu_check,
)
from burnin.probes.prometheus import Series
from burnin.verdict import Verdict
from burnin.window import Window

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
PEAK = DailyHours(time(18, 0), time(23, 0))
OFF_PEAK = DailyHours(time(2, 0), time(7, 0))
LATE = DailyHours(time(22, 0), time(2, 0))  # wraps past midnight
STEP_S = 15
HOUR = 3600


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml")


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def spans(found: list[Period]) -> list[tuple[datetime, datetime]]:
    """The periods as UTC instants, which compare by the instant whatever the zone."""
    return [(p.start.astimezone(UTC), p.end.astimezone(UTC)) for p in found]


def real_seconds(period: Period) -> float:
    return period.end.timestamp() - period.start.timestamp()


# ---------------------------------------------------------------- periods


def test_one_day_window_holds_one_peak():
    found = periods(PEAK, ZoneInfo("UTC"), Window(utc(28, 12), utc(29, 12)))
    assert spans(found) == [(utc(28, 18), utc(28, 23))]
    assert found[0].seconds == 5 * HOUR
    assert str(found[0]) == "2026-11-28 18:00-23:00 UTC"


def test_window_edges_clip_the_periods():
    found = periods(PEAK, ZoneInfo("UTC"), Window(utc(28, 20), utc(29, 19)))
    assert spans(found) == [(utc(28, 20), utc(28, 23)), (utc(29, 18), utc(29, 19))]
    assert [p.seconds for p in found] == [3 * HOUR, 1 * HOUR]


def test_window_outside_the_hours_holds_no_period():
    assert periods(PEAK, ZoneInfo("UTC"), Window(utc(29, 8), utc(29, 17))) == []


def test_window_ending_where_a_period_starts_holds_none_of_it():
    assert periods(PEAK, ZoneInfo("UTC"), Window(utc(29, 12), utc(29, 18))) == []


def test_window_crossing_midnight_with_hours_that_wrap():
    found = periods(LATE, ZoneInfo("UTC"), Window(utc(28, 12), utc(30, 1)))
    assert spans(found) == [(utc(28, 22), utc(29, 2)), (utc(29, 22), utc(30, 1))]
    assert [p.seconds for p in found] == [4 * HOUR, 3 * HOUR]


def test_window_starting_after_midnight_gets_the_tail_of_yesterdays_period():
    found = periods(LATE, ZoneInfo("UTC"), Window(utc(29, 1), utc(29, 12)))
    assert spans(found) == [(utc(29, 1), utc(29, 2))]


def test_periods_are_in_local_time():
    # 18:00-23:00 in Berlin is 17:00-22:00 UTC in winter (CET, UTC+1).
    found = periods(PEAK, BERLIN, Window(utc(28, 12), utc(29, 12)))
    assert spans(found) == [(utc(28, 17), utc(28, 22))]
    assert found[0].zone is BERLIN and found[0].start.astimezone(BERLIN).hour == 18


def test_peak_follows_the_clock_across_the_spring_dst_change():
    # 2026-03-29: Berlin moves from UTC+1 to UTC+2 at 02:00 local.
    window = Window(utc(28, 12, month=3), utc(30, 0, month=3))
    found = periods(PEAK, BERLIN, window)
    assert spans(found) == [
        (utc(28, 17, month=3), utc(28, 22, month=3)),
        (utc(29, 16, month=3), utc(29, 21, month=3)),
    ]
    assert [p.seconds for p in found] == [5 * HOUR, 5 * HOUR]


def test_off_peak_on_the_spring_dst_day_spans_the_right_instants():
    # 02:00 does not exist that night; the period runs from the change (01:00 UTC) to 07:00 CEST.
    window = Window(utc(28, 12, month=3), utc(29, 12, month=3))
    [period] = periods(OFF_PEAK, BERLIN, window)
    assert spans([period]) == [(utc(29, 1, month=3), utc(29, 5, month=3))]
    assert real_seconds(period) == 4 * HOUR


def test_period_seconds_on_the_spring_dst_night_is_the_real_length():
    window = Window(utc(28, 12, month=3), utc(29, 12, month=3))
    [period] = periods(OFF_PEAK, BERLIN, window)
    assert period.seconds == 4 * HOUR


def test_period_seconds_on_the_autumn_dst_night_is_the_real_length():
    window = Window(utc(24, 12, month=10), utc(25, 12, month=10))
    [period] = periods(OFF_PEAK, BERLIN, window)
    assert real_seconds(period) == 6 * HOUR
    assert period.seconds == 6 * HOUR


def test_period_clipped_in_the_repeated_autumn_hour_stays_inside_the_window():
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second 02:30 that night
    window = Window(start, start + timedelta(hours=6))
    found = periods(DailyHours(time(2, 45), time(7, 0)), BERLIN, window)
    assert spans(found) == [(start, datetime(2026, 10, 25, 6, 0, tzinfo=UTC))]


# Zones without DST since long before 2020: wall-clock and real time agree there.
STEADY_ZONES = ["UTC", "Asia/Tokyo", "America/Phoenix", "Asia/Kolkata"]
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1).map(
    lambda m: time(m // 60, m % 60)
)


@given(
    zone_name=st.sampled_from(STEADY_ZONES),
    start_minute=st.integers(min_value=0, max_value=3 * 365 * 24 * 60),
    length_minutes=st.integers(min_value=1, max_value=4 * 24 * 60),
    first=minutes_of_day,
    last=minutes_of_day,
)
def test_periods_lie_inside_the_window_in_order_without_overlap(
    zone_name, start_minute, length_minutes, first, last
):
    assume(first != last)
    hours = DailyHours(first, last)
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=start_minute)
    window = Window(start, start + timedelta(minutes=length_minutes))
    found = periods(hours, ZoneInfo(zone_name), window)
    instants = spans(found)
    for begin, end in instants:
        assert window.start <= begin < end <= window.end
    for (_, end), (begin, _) in zip(instants, instants[1:], strict=False):
        assert end <= begin
    for period in found:
        assert 0 < period.seconds == real_seconds(period) <= full_length(hours)
    assert sum(p.seconds for p in found) <= window.seconds


@given(
    start_minute=st.integers(min_value=0, max_value=365 * 24 * 60),
    length_minutes=st.integers(min_value=1, max_value=4 * 24 * 60),
)
def test_berlin_peak_periods_lie_inside_the_window_without_overlap(start_minute, length_minutes):
    # 18:00-23:00 never meets a DST change (Berlin changes at 02:00/03:00).
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=start_minute)
    window = Window(start, start + timedelta(minutes=length_minutes))
    instants = spans(periods(PEAK, BERLIN, window))
    for begin, end in instants:
        assert window.start <= begin < end <= window.end
        assert (end - begin) <= timedelta(hours=5)
    for (_, end), (begin, _) in zip(instants, instants[1:], strict=False):
        assert end <= begin


# ---------------------------------------------------------------- full_length


@pytest.mark.parametrize(
    ("hours", "seconds"),
    [
        (PEAK, 5 * HOUR),
        (OFF_PEAK, 5 * HOUR),
        (LATE, 4 * HOUR),
        (DailyHours(time(23, 30), time(0, 15)), 45 * 60),
    ],
)
def test_full_length_of_daily_hours(hours, seconds):
    assert full_length(hours) == seconds


# ---------------------------------------------------------------- data_share


def connection(points: list[tuple[float, float]]) -> ConnectionSeries:
    return ConnectionSeries('bot_connected{env="production"}', STEP_S, [Series({}, points)])


def every_step(first: datetime, last: datetime) -> list[tuple[float, float]]:
    count = int((last - first).total_seconds()) // STEP_S
    return [(first.timestamp() + n * STEP_S, 1.0) for n in range(count)]


TODAY_PEAK = Period(utc(28, 18), utc(28, 23))


def test_data_share_of_a_complete_period_is_one():
    data = connection(every_step(utc(28, 12), utc(29, 0)))
    assert data_share(data, TODAY_PEAK) == 1.0


def test_data_share_counts_only_points_inside_the_period():
    data = connection(every_step(utc(28, 12), utc(28, 20, 30)))
    assert data_share(data, TODAY_PEAK) == pytest.approx(0.5, abs=0.001)


def test_data_share_without_points_is_zero():
    assert data_share(connection([]), TODAY_PEAK) == 0.0


# ---------------------------------------------------------------- peak-observed


def period_readings(
    period: Period,
    samples: float | None = 1200.0,
    connected: float | None = 1200.0,
    errors: float | None = 0.0,
    worst_rate: float | None = 0.0,
    users: float | None = 42.0,
    cpu: float | None = 5.0,
) -> PeriodReadings:
    def at_end(name: str, value: float | None) -> Reading:
        return Reading(f"{name}[{period.seconds}s]", period.end, value)

    return PeriodReadings(
        period,
        at_end("count_over_time(bot_connected)", samples),
        at_end("sum_over_time(bot_connected)", connected),
        at_end("increase(bot_errors_total)", errors),
        at_end("max_over_time(rate(bot_errors_total))", worst_rate),
        at_end("max_over_time(bot_users)", users),
        at_end("rate(process_cpu_seconds_total)", cpu),
    )


def test_full_peak_with_data_is_target():
    window = Window(utc(28, 12), utc(29, 12))
    data = connection(every_step(window.start, window.end))
    readings = [period_readings(p) for p in periods(PEAK, ZoneInfo("UTC"), window)]
    verdict = judge_peak_observed(readings, data, PEAK, window)
    assert verdict.band is Band.TARGET
    assert verdict.observed == "1 full peak period(s) with data, 0.0 h partial"
    assert verdict.cause == "peak users 42"
    assert verdict.threshold == "at least one full peak period (18:00-23:00) with data"
    assert [e.source for e in verdict.evidence] == ["prometheus", "prometheus"]
    assert verdict.evidence[0].values["periods"][0]["period"] == "2026-11-28 18:00-23:00 UTC"


def test_window_with_part_of_a_peak_is_degraded_not_a_full_peak_yet():
    window = Window(utc(29, 8), utc(29, 20))
    data = connection(every_step(window.start, window.end))
    readings = [period_readings(p) for p in periods(PEAK, ZoneInfo("UTC"), window)]
    verdict = judge_peak_observed(readings, data, PEAK, window)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "no full peak period in the window yet (only 2.0 h of peak hours)"


def test_window_without_peak_hours_is_degraded():
    window = Window(utc(29, 0), utc(29, 6))
    verdict = judge_peak_observed([], connection([]), PEAK, window)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("no full peak period in the window yet (only 0.0 h")
    assert verdict.evidence[0].query == "per period, evaluated at each period's end: "


def test_full_peak_without_samples_is_no_data():
    window = Window(utc(28, 12), utc(29, 12))
    readings = [period_readings(p, users=None) for p in periods(PEAK, ZoneInfo("UTC"), window)]
    verdict = judge_peak_observed(readings, connection([]), PEAK, window)
    assert verdict.band is Band.NO_DATA
    assert verdict.observed == "0 full peak period(s) with data, 0.0 h partial"
    assert "lacks data" in verdict.cause


def test_full_peak_with_data_for_under_the_minimum_share_is_no_data():
    window = Window(utc(28, 12), utc(29, 12))
    data = connection(every_step(utc(28, 12), utc(28, 22, 15)))  # 85 % of the peak
    assert data_share(data, TODAY_PEAK) < MIN_DATA_SHARE
    readings = [period_readings(p) for p in periods(PEAK, ZoneInfo("UTC"), window)]
    assert judge_peak_observed(readings, data, PEAK, window).band is Band.NO_DATA


def test_two_partial_peaks_are_not_a_full_peak():
    window = Window(utc(28, 20), utc(29, 20))
    data = connection(every_step(window.start, window.end))
    readings = [period_readings(p) for p in periods(PEAK, ZoneInfo("UTC"), window)]
    assert [p.seconds for p in (r.period for r in readings)] == [3 * HOUR, 2 * HOUR]
    assert judge_peak_observed(readings, data, PEAK, window).band is not Band.TARGET


def test_peak_hours_with_equal_start_and_end_never_pass_without_data():
    hours = DailyHours(time(18, 0), time(18, 0))
    window = Window(utc(29, 0), utc(29, 12))
    readings = [period_readings(p, users=None) for p in periods(hours, ZoneInfo("UTC"), window)]
    assert judge_peak_observed(readings, connection([]), hours, window).band is not Band.TARGET


# ---------------------------------------------------------------- peak-handled / offpeak-handled

PEAK_WINDOW = Window(utc(28, 12), utc(29, 12))


def handled(thresholds, readings: list[PeriodReadings], *, zero_errors: bool = False) -> Verdict:
    return judge_handled(
        "offpeak-handled" if zero_errors else "peak-handled",
        readings,
        thresholds.tiers("uptime", "24h"),
        thresholds.tiers("error_rate", "24h"),
        PEAK_WINDOW,
        zero_errors=zero_errors,
    )


def test_connected_without_errors_is_target(thresholds):
    verdict = handled(thresholds, [period_readings(TODAY_PEAK)])
    assert verdict.band is Band.TARGET
    assert verdict.observed == "uptime 100.000 %, 0 errors over 5.0 h"
    assert verdict.cause == "most users 42"
    assert verdict.threshold.startswith("uptime: target 100 %")
    assert not verdict.threshold.endswith("; no errors")


@pytest.mark.parametrize(
    ("connected", "band"),
    [
        (1200.0, Band.TARGET),
        (1199.5, Band.ACCEPTABLE),
        (1195.0, Band.DEGRADED),
        (1180.0, Band.CRITICAL),
    ],
)
def test_handled_uptime_tiers(thresholds, connected, band):
    verdict = handled(thresholds, [period_readings(TODAY_PEAK, connected=connected)])
    assert verdict.band is band


@pytest.mark.parametrize(
    ("errors", "band"),
    [(0.0, Band.TARGET), (15.0, Band.ACCEPTABLE), (60.0, Band.DEGRADED), (600.0, Band.CRITICAL)],
)
def test_handled_error_rate_tiers_over_the_period_minutes(thresholds, errors, band):
    # 5 h = 300 minutes: 15 errors = 0.05/min, 60 = 0.2/min, 600 = 2/min.
    verdict = handled(thresholds, [period_readings(TODAY_PEAK, errors=errors, worst_rate=0.5)])
    assert verdict.band is band


def test_handled_worst_five_minutes_above_critical_is_critical(thresholds):
    verdict = handled(thresholds, [period_readings(TODAY_PEAK, errors=2.0, worst_rate=1.5)])
    assert verdict.band is Band.CRITICAL
    assert "2 errors (0.00667/min, worst 5 min 1.5/min)" in verdict.cause


def test_off_peak_allows_no_errors_at_all(thresholds):
    readings = [period_readings(Period(utc(29, 2), utc(29, 7)), errors=3.0, worst_rate=0.2)]
    assert handled(thresholds, readings).band is Band.ACCEPTABLE
    verdict = handled(thresholds, readings, zero_errors=True)
    assert verdict.band is Band.DEGRADED
    assert verdict.threshold.endswith("; no errors")


def test_off_peak_extrapolation_noise_under_half_an_error_is_no_error(thresholds):
    readings = [period_readings(Period(utc(29, 2), utc(29, 7)), errors=0.4)]
    verdict = handled(thresholds, readings, zero_errors=True)
    # The rate uses the raw 0.4 (above the 0 target), the zero-errors rule the rounded count.
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == "uptime 100.000 %, 0 errors over 5.0 h"


def test_handled_adds_up_every_period(thresholds):
    readings = [
        period_readings(TODAY_PEAK, samples=1200, connected=1200, errors=0.0, users=30.0),
        period_readings(
            Period(utc(29, 18), utc(29, 20)), samples=480, connected=470, errors=1.0, users=55.0
        ),
    ]
    verdict = handled(thresholds, readings)
    assert verdict.observed == "uptime 99.405 %, 1 errors over 7.0 h"
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("uptime 99.405 %; 1 errors")
    assert verdict.cause.endswith("most users 55")


@pytest.mark.parametrize("readings", [[], [period_readings(TODAY_PEAK, samples=None)]])
def test_handled_without_samples_is_no_data(thresholds, readings):
    verdict = handled(thresholds, readings)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "no bot_connected samples in these hours of the window"


# ---------------------------------------------------------------- with_cpu_check

OFF_PERIOD = Period(utc(29, 2), utc(29, 7))


def passing(cause: str = "most users 3") -> Verdict:
    return Verdict("offpeak-handled", Band.TARGET, "uptime 100.000 %", "", "", cause)


def test_lower_cpu_off_peak_keeps_the_band_and_notes_both():
    verdict = with_cpu_check(
        passing(), [period_readings(OFF_PERIOD, cpu=2.0)], [period_readings(TODAY_PEAK, cpu=10.0)]
    )
    assert verdict.band is Band.TARGET
    assert verdict.cause == "most users 3; CPU off-peak 2.00 % vs peak 10.00 %"


@pytest.mark.parametrize("off_peak_cpu", [10.0, 12.0])
def test_cpu_not_lower_off_peak_is_degraded(off_peak_cpu):
    verdict = with_cpu_check(
        passing(""),
        [period_readings(OFF_PERIOD, cpu=off_peak_cpu)],
        [period_readings(TODAY_PEAK, cpu=10.0)],
    )
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.endswith(": not lower off-peak")
    assert verdict.cause.startswith("CPU off-peak")


def test_cpu_check_averages_the_periods():
    off = [period_readings(OFF_PERIOD, cpu=c) for c in (1.0, 9.0)]  # 5 on average
    peak = [period_readings(TODAY_PEAK, cpu=c) for c in (4.0, 8.0, None)]  # 6 on average
    assert with_cpu_check(passing(), off, peak).band is Band.TARGET


@pytest.mark.parametrize(("off_peak_cpu", "peak_cpu"), [(None, 10.0), (5.0, None)])
def test_cpu_check_without_cpu_values_changes_nothing(off_peak_cpu, peak_cpu):
    verdict = passing()
    checked = with_cpu_check(
        verdict,
        [period_readings(OFF_PERIOD, cpu=off_peak_cpu)],
        [period_readings(TODAY_PEAK, cpu=peak_cpu)],
    )
    assert checked == verdict


def test_cpu_check_leaves_a_failing_verdict_alone():
    failing = Verdict("offpeak-handled", Band.CRITICAL, "uptime 90.000 %", "", "", "uptime 90 %")
    checked = with_cpu_check(
        failing, [period_readings(OFF_PERIOD, cpu=50.0)], [period_readings(TODAY_PEAK, cpu=1.0)]
    )
    assert checked == failing
