"""peak-observed, peak-handled and offpeak-handled: the daily periods inside a window (midnight,
DST, hours that wrap), the hours of the day a window holds, and the judges over hand-made
per-period readings and raw bot_connected samples."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers
from burnin.catalogue import CRITERIA
from burnin.config import DailyHours, load_thresholds
from burnin.criteria.connection import SeriesSamples
from burnin.criteria.reading import Reading
from burnin.criteria.traffic import (
    SEEN_SLACK_S,
    Period,
    PeriodReadings,
    daily_offsets,
    full_length,
    hours_seen,
    judge_handled,
    judge_peak_observed,
    periods,
    with_cpu_check,
)
from burnin.schedule import Window
from burnin.verdict import Verdict
from tests.unit.samples import (
    connected,
    coverage,
    down_between,
    series_samples,
    window_grid,
    with_hole,
)

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
PEAK = DailyHours(time(18, 0), time(23, 0))
OFF_PEAK = DailyHours(time(2, 0), time(7, 0))
LATE = DailyHours(time(22, 0), time(2, 0))  # wraps past midnight
HOUR = 3600
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml", CRITERIA)


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


def test_periods_keep_where_their_days_hours_begin_before_clipping():
    found = periods(PEAK, UTC_ZONE, Window(utc(28, 20), utc(29, 19)))
    assert [p.day_start for p in found] == [utc(28, 18), utc(29, 18)]
    assert [p.full for p in found] == [False, False]
    assert periods(PEAK, UTC_ZONE, Window(utc(28, 12), utc(29, 12)))[0].full


# ---------------------------------------------------------------- hours of the day seen


def spans_of(hours: DailyHours, window: Window, zone: ZoneInfo = UTC_ZONE) -> list[Period]:
    return periods(hours, zone, window)


def test_a_day_window_ending_inside_the_peak_holds_every_peak_hour():
    # 18:00-20:00 today and 20:00-23:00 yesterday: every hour of the peak, once.
    window = Window(utc(28, 20), utc(29, 20))
    assert daily_offsets(spans_of(PEAK, window), None) == 5 * HOUR


def test_a_half_day_window_holds_only_part_of_the_peak():
    assert daily_offsets(spans_of(PEAK, Window(utc(29, 8), utc(29, 20))), None) == 2 * HOUR


def test_each_hour_of_the_day_counts_once_however_many_days_hold_it():
    assert daily_offsets(spans_of(PEAK, Window(utc(27, 12), utc(29, 12))), None) == 5 * HOUR


def test_hours_that_wrap_past_midnight_count_from_their_own_start():
    window = Window(
        utc(29, 0), utc(30, 0)
    )  # 00:00-02:00 of the 28th's hours, 22:00-24:00 of the 29th's
    assert daily_offsets(spans_of(LATE, window), None) == 4 * HOUR


def test_daily_offsets_with_data_count_only_the_known_time():
    window = Window(utc(28, 20), utc(29, 20))
    spans = spans_of(PEAK, window)
    known = [(utc(28, 20).timestamp(), utc(28, 22).timestamp())]
    assert daily_offsets(spans, known) == 2 * HOUR
    assert daily_offsets(spans, []) == 0


def test_hours_seen_with_complete_data():
    window = Window(utc(28, 20), utc(29, 20))
    seen = hours_seen(PEAK, spans_of(PEAK, window), coverage(window))
    assert seen.all_in_window and seen.all_with_data
    assert seen.describe() == (
        "5.00 of 5.00 h of the daily hours 18:00-23:00 in the window, 5.00 h of them with data"
    )


def test_a_hole_in_an_hour_only_one_day_holds_leaves_it_without_data():
    window = Window(utc(28, 20), utc(29, 20))
    # 21:00-22:00 is held by yesterday only.
    times = with_hole(window, HOUR, HOUR)
    seen = hours_seen(PEAK, spans_of(PEAK, window), coverage(window, times))
    assert seen.all_in_window and not seen.all_with_data
    assert seen.with_data_s == 4 * HOUR


def test_a_hole_in_one_day_is_filled_by_another_day_holding_the_same_hours():
    window = Window(utc(27, 12), utc(29, 12))  # two full peaks
    times = with_hole(window, 7 * HOUR, HOUR)  # 19:00-20:00 of the 27th
    assert hours_seen(PEAK, spans_of(PEAK, window), coverage(window, times)).all_with_data


@pytest.mark.parametrize(
    ("hole_s", "seen"), [(SEEN_SLACK_S - 15, True), (SEEN_SLACK_S + 15, False)]
)
def test_hours_count_as_seen_with_up_to_a_minute_missing(hole_s, seen):
    window = Window(utc(28, 12), utc(29, 12))
    times = with_hole(window, 7 * HOUR, hole_s)
    assert hours_seen(PEAK, spans_of(PEAK, window), coverage(window, times)).all_with_data is seen


def test_off_peak_on_the_spring_dst_night_is_all_the_off_peak_hours_there_are():
    window = Window(utc(28, 12, month=3), utc(29, 12, month=3))
    seen = hours_seen(OFF_PEAK, spans_of(OFF_PEAK, window, BERLIN), coverage(window))
    assert seen.all_in_window


# ---------------------------------------------------------------- peak-observed


def period_readings(
    period: Period,
    errors: float | None = 0.0,
    worst_rate: float | None = 0.0,
    users: float | None = 42.0,
    cpu: float | None = 5.0,
    process_metrics: bool = True,
) -> PeriodReadings:
    def at_end(name: str, value: float | None) -> Reading:
        return Reading(f"{name}[{period.seconds}s]", period.end, value)

    return PeriodReadings(
        period,
        at_end("increase(bot_errors_total)", errors),
        at_end("max_over_time(rate(bot_errors_total))", worst_rate),
        at_end("max_over_time(bot_users)", users),
        at_end("rate(process_cpu_seconds_total)", cpu) if process_metrics else None,
    )


def readings_of(hours: DailyHours, window: Window, **values: float | None) -> list[PeriodReadings]:
    return [period_readings(p, **values) for p in periods(hours, UTC_ZONE, window)]  # type: ignore[arg-type]


def all_connected(window: Window) -> SeriesSamples:
    return series_samples(window, connected(window_grid(window)))


DAY = Window(utc(28, 12), utc(29, 12))


def test_every_peak_hour_with_data_is_target():
    verdict = judge_peak_observed(readings_of(PEAK, DAY), all_connected(DAY), PEAK, DAY)
    assert verdict.band is Band.TARGET
    assert verdict.observed == "5.00 h of peak hours seen with data"
    assert verdict.cause == "peak users 42"
    assert verdict.threshold == "every hour of the peak (18:00-23:00) in the window, with data"
    assert [e.source for e in verdict.evidence] == ["prometheus", "prometheus"]
    assert verdict.evidence[0].values["periods"][0]["period"] == "2026-11-28 18:00-23:00 UTC"
    assert verdict.evidence[1].values["hours_seen"].startswith("5.00 of 5.00 h")


def test_a_day_ending_inside_the_peak_has_observed_it():
    window = Window(utc(28, 20), utc(29, 20))
    readings = readings_of(PEAK, window)
    assert [r.period.seconds for r in readings] == [3 * HOUR, 2 * HOUR]
    verdict = judge_peak_observed(readings, all_connected(window), PEAK, window)
    assert verdict.band is Band.TARGET


def test_a_window_holding_part_of_the_peak_has_not_observed_it_yet():
    window = Window(utc(29, 8), utc(29, 20))
    verdict = judge_peak_observed(readings_of(PEAK, window), all_connected(window), PEAK, window)
    assert verdict.band is Band.PENDING
    assert not verdict.band.passes
    assert verdict.cause == (
        "not observed yet: 2.00 of 5.00 h of the daily hours 18:00-23:00 in the window, 2.00 h of "
        "them with data; a later checkpoint (or a longer window) holds them"
    )


def test_a_window_without_peak_hours_is_pending():
    window = Window(utc(29, 0), utc(29, 6))
    verdict = judge_peak_observed([], all_connected(window), PEAK, window)
    assert verdict.band is Band.PENDING
    # Nothing was asked, and the evidence says so (never a sentence cut after its colon).
    assert verdict.evidence[0].query == "no period of these hours in the window: nothing asked"


def test_peak_hours_without_samples_are_no_data():
    verdict = judge_peak_observed(
        readings_of(PEAK, DAY, users=None), series_samples(DAY, []), PEAK, DAY
    )
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(
        "the peak hours lack data: 5.00 of 5.00 h of the daily hours 18:00-23:00 in the window, "
        "0.00 h of them with data"
    )


def test_peak_hours_with_a_hole_are_no_data():
    times = with_hole(DAY, 8 * HOUR, 1800)  # 20:00-20:30
    data = series_samples(DAY, connected(times))
    assert judge_peak_observed(readings_of(PEAK, DAY), data, PEAK, DAY).band is Band.NO_DATA


def test_a_hole_outside_the_peak_hours_does_not_matter_to_peak_observed():
    data = series_samples(DAY, connected(with_hole(DAY, 2 * HOUR, 1800)))
    assert judge_peak_observed(readings_of(PEAK, DAY), data, PEAK, DAY).band is Band.TARGET


def test_peak_hours_with_equal_start_and_end_never_pass_without_data():
    hours = DailyHours(time(18, 0), time(18, 0))
    window = Window(utc(29, 0), utc(29, 12))
    readings = [period_readings(p, users=None) for p in periods(hours, UTC_ZONE, window)]
    verdict = judge_peak_observed(readings, series_samples(window, []), hours, window)
    assert not verdict.band.passes


# ---------------------------------------------------------------- peak-handled / offpeak-handled

TODAY_PEAK = Period(utc(28, 18), utc(28, 23), day_start=utc(28, 18))
LINE = 99.0


def handled(
    thresholds,
    readings: list[PeriodReadings],
    data: SeriesSamples | None = None,
    *,
    hours: DailyHours = PEAK,
    window: Window = DAY,
    zero_errors: bool = False,
    uptime_tiers: Tiers | None = None,
    min_percent: float = LINE,
) -> Verdict:
    return judge_handled(
        "offpeak-handled" if zero_errors else "peak-handled",
        readings,
        data or all_connected(window),
        hours,
        uptime_tiers or thresholds.tiers("uptime", "24h"),
        thresholds.tiers("error_rate", "24h"),
        window,
        min_percent,
        zero_errors=zero_errors,
    )


def down_in_peak(seconds: int) -> SeriesSamples:
    """Disconnected for `seconds` from 19:00 on the 28th (inside the peak)."""
    start = utc(28, 19).timestamp()
    return series_samples(DAY, down_between(window_grid(DAY), start, start + seconds))


def test_connected_without_errors_is_target(thresholds):
    verdict = handled(thresholds, readings_of(PEAK, DAY))
    assert verdict.band is Band.TARGET
    assert verdict.observed == "uptime 100.000 %, 0 errors over 5.0 h"
    assert verdict.cause == "most users 42"
    assert verdict.threshold.startswith("uptime: target 100 %")
    assert not verdict.threshold.endswith("; no errors")
    assert [e.source for e in verdict.evidence] == ["prometheus", "prometheus"]


@pytest.mark.parametrize(
    ("down_s", "band"),
    [
        (0, Band.TARGET),
        (15, Band.ACCEPTABLE),  # 99.917 %
        (30, Band.DEGRADED),  # 99.833 %
        (210, Band.CRITICAL),  # 98.833 %
    ],
)
def test_handled_uptime_is_time_weighted_over_the_hours(thresholds, down_s, band):
    verdict = handled(thresholds, readings_of(PEAK, DAY), down_in_peak(down_s))
    assert verdict.band is band


def test_a_disconnection_outside_the_hours_does_not_count(thresholds):
    start = utc(29, 3).timestamp()
    data = series_samples(DAY, down_between(window_grid(DAY), start, start + 3600))
    assert handled(thresholds, readings_of(PEAK, DAY), data).band is Band.TARGET


@pytest.mark.parametrize(
    ("errors", "band"),
    [(0.0, Band.TARGET), (15.0, Band.ACCEPTABLE), (60.0, Band.DEGRADED), (600.0, Band.CRITICAL)],
)
def test_handled_error_rate_tiers_over_the_period_minutes(thresholds, errors, band):
    # 5 h = 300 minutes: 15 errors = 0.05/min, 60 = 0.2/min, 600 = 2/min.
    readings = readings_of(PEAK, DAY, errors=errors, worst_rate=0.5)
    assert handled(thresholds, readings).band is band


def test_handled_worst_five_minutes_above_critical_is_critical(thresholds):
    verdict = handled(thresholds, readings_of(PEAK, DAY, errors=2.0, worst_rate=1.5))
    assert verdict.band is Band.CRITICAL
    assert "2 errors (0.00667/min, worst 5 min 1.5/min)" in verdict.cause


OFF_DAY = Window(utc(28, 12), utc(29, 12))


def test_off_peak_allows_no_errors_at_all(thresholds):
    readings = readings_of(OFF_PEAK, OFF_DAY, errors=3.0, worst_rate=0.2)
    assert handled(thresholds, readings, hours=OFF_PEAK).band is Band.ACCEPTABLE
    verdict = handled(thresholds, readings, hours=OFF_PEAK, zero_errors=True)
    assert verdict.band is Band.DEGRADED
    assert verdict.threshold.endswith("; no errors")


def test_off_peak_extrapolation_noise_under_half_an_error_is_no_error(thresholds):
    readings = readings_of(OFF_PEAK, OFF_DAY, errors=0.4)
    verdict = handled(thresholds, readings, hours=OFF_PEAK, zero_errors=True)
    # The rate uses the raw 0.4 (above the 0 target), the zero-errors rule the rounded count.
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == "uptime 100.000 %, 0 errors over 5.0 h"


def test_handled_adds_up_every_period_of_the_hours(thresholds):
    window = Window(utc(28, 20), utc(29, 20))
    yesterday, today = periods(PEAK, UTC_ZONE, window)
    readings = [
        period_readings(yesterday, errors=0.0, users=30.0),
        period_readings(today, errors=1.0, users=55.0),
    ]
    start = utc(29, 19).timestamp()
    data = series_samples(window, down_between(window_grid(window), start, start + 120))
    verdict = handled(thresholds, readings, data, window=window)
    assert verdict.observed == "uptime 99.333 %, 1 errors over 5.0 h"
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("uptime 99.333 %; 1 errors")
    assert verdict.cause.endswith("most users 55")


def test_hours_not_all_in_the_window_are_pending(thresholds):
    window = Window(utc(29, 8), utc(29, 20))
    verdict = handled(thresholds, readings_of(PEAK, window), window=window)
    assert verdict.band is Band.PENDING
    assert verdict.cause.startswith("not observed yet: 2.00 of 5.00 h")


def test_handled_without_samples_in_the_hours_is_no_data(thresholds):
    verdict = handled(thresholds, readings_of(PEAK, DAY), series_samples(DAY, []))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("no bot_connected samples in these hours: 5.00 of 5.00 h")


def test_a_hole_the_uptime_cannot_pass_without_is_no_data(thresholds):
    data = series_samples(DAY, connected(with_hole(DAY, 8 * HOUR, 600)))
    verdict = handled(thresholds, readings_of(PEAK, DAY), data)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("these hours are not covered well enough to pass: ")
    assert "uptime between 96.667 % and 100.000 %" in verdict.cause
    assert "10.0 min of these hours without data" in verdict.cause


def test_a_pass_on_the_lower_bound_still_needs_the_coverage_line(thresholds):
    lenient = Tiers("uptime", "%", Better.HIGHER, acceptable=99.0, critical=98.0, target=100.0)
    data = series_samples(DAY, connected(with_hole(DAY, 8 * HOUR, 30)))  # 99.83 % of the peak
    verdict = handled(thresholds, readings_of(PEAK, DAY), data, uptime_tiers=lenient)
    assert verdict.band is Band.ACCEPTABLE
    stricter = handled(
        thresholds, readings_of(PEAK, DAY), data, uptime_tiers=lenient, min_percent=99.9
    )
    assert stricter.band is Band.NO_DATA


def test_a_disconnection_seen_beside_a_hole_still_fails(thresholds):
    start = utc(28, 19).timestamp()
    times = with_hole(DAY, 9 * HOUR, 600)
    data = series_samples(DAY, down_between(times, start, start + 1800))
    verdict = handled(thresholds, readings_of(PEAK, DAY), data)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("uptime 86.667 %..90.000 %; ")


def test_errors_seen_beside_a_hole_still_fail(thresholds):
    data = series_samples(DAY, connected(with_hole(DAY, 8 * HOUR, 600)))
    verdict = handled(thresholds, readings_of(PEAK, DAY, errors=600.0), data)
    assert verdict.band is Band.CRITICAL


def test_handled_without_process_metrics_has_no_cpu_in_its_evidence(thresholds):
    readings = readings_of(PEAK, DAY, process_metrics=False)
    verdict = handled(thresholds, readings)
    assert verdict.band is Band.TARGET
    assert verdict.evidence[0].values["periods"][0]["cpu_percent"] is None
    assert "process_cpu_seconds_total" not in verdict.evidence[0].query


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


def test_cpu_check_without_process_metrics_changes_nothing():
    verdict = passing()
    off = [period_readings(OFF_PERIOD, process_metrics=False)]
    peak = [period_readings(TODAY_PEAK, process_metrics=False)]
    assert with_cpu_check(verdict, off, peak) == verdict
