"""coverage_of and held: known and unknown time of a window from raw sample timestamps (the rule
behind "partial data can prove a failure, never a pass")."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.coverage import (
    MIN_SAMPLES,
    ByArray,
    Coverage,
    Stretch,
    changes,
    coverage_of,
    end_tolerance_s,
    falls,
    gap_tolerance_s,
    held,
    lowest_of,
    scrape_interval,
)
from burnin.schedule import Window
from tests.unit.samples import STEP_S, coverage, grid, window_grid, with_hole, without

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOUR = Window(NOW - timedelta(hours=1), NOW)
START_S, END_S = HOUR.start.timestamp(), HOUR.end.timestamp()


# ---------------------------------------------------------------- scrape_interval


def test_scrape_interval_is_the_median_spacing():
    assert scrape_interval([[0, 15, 30, 45, 60]]) == 15
    # One missed scrape and some jitter do not move the median.
    assert scrape_interval([[0, 15, 31, 45, 75, 90]]) == 15


def test_scrape_interval_is_the_largest_of_the_series_medians():
    assert scrape_interval([[0, 15, 30, 45], [0, 60, 120, 180]]) == 60


def test_scrape_interval_ignores_order_and_repeated_timestamps():
    assert scrape_interval([[30, 0, 15, 15, 45]]) == 15


@pytest.mark.parametrize("series_times", [[], [[]], [[0.0]], [[0.0, 15.0]], [[5.0, 5.0, 5.0]]])
def test_scrape_interval_needs_three_samples_of_one_series(series_times):
    assert scrape_interval(series_times) is None


def test_scrape_interval_ignores_series_too_short_to_tell():
    assert scrape_interval([[0, 15, 30], [0, 600]]) == 15


# ---------------------------------------------------------------- coverage_of


def test_full_grid_covers_the_whole_window():
    covered = coverage(HOUR)
    assert covered.interval_s == STEP_S
    assert covered.holes == ()
    assert (covered.known_s, covered.unknown_s, covered.percent) == (3600, 0, 100)
    assert covered.samples == 241
    assert (covered.first, covered.last) == (START_S, END_S)
    assert covered.widest_hole_s == 0
    assert covered.describe() == "1.00 of 1.00 h covered (100.00 %), scrape interval 15 s"


def test_one_missed_scrape_is_jitter_not_a_hole():
    # Two intervals between samples: still known time.
    covered = coverage(HOUR, without(window_grid(HOUR), START_S + 600, START_S + 630))
    assert covered.holes == ()
    assert covered.percent == 100


def late(times: list[float], at_s: float, by_s: float) -> list[float]:
    """The scrape stamped at `at_s` stamped `by_s` later instead (a busy machine's scrape loop)."""
    return sorted(t + by_s if t == at_s else t for t in times)


@pytest.mark.parametrize("by_s", [0.001, 1.0, 5.0, 7.4])
def test_one_missed_scrape_then_a_late_one_is_not_a_hole(by_s):
    """A gap of 31 s at a 15 s interval: one scrape missed, the next started a second late.
    Counted to the nearest interval it is one missed scrape, as 30 s is."""
    missed = without(window_grid(HOUR), START_S + 600, START_S + 630)
    times = late(missed, START_S + 630, by_s)
    covered = coverage(HOUR, times)
    assert covered.holes == ()
    assert held([(t, 1.0) for t in times], covered) == [Stretch(START_S, END_S, 1.0)]


@pytest.mark.parametrize("by_s", [-7.4, -1.0, 0.0, 1.0, 7.4])
def test_two_missed_scrapes_are_a_hole_however_late_or_early_their_neighbour(by_s):
    """A gap of 45 s +- under half an interval: two scrapes missed, a hole every time."""
    missed = without(window_grid(HOUR), START_S + 600, START_S + 645)
    covered = coverage(HOUR, late(missed, START_S + 645, by_s))
    assert covered.holes == ((START_S + 615, START_S + 645 + by_s),)


@pytest.mark.parametrize("interval_s", [1.0, 5.0, 10.0, 15.0, 30.0, 60.0])
def test_a_gap_is_counted_to_the_nearest_interval(interval_s):
    """Whatever the interval: under 2.5 intervals one missed scrape, over it a hole; the
    window's end allows at least as much (and a scrape's timeout in flight)."""
    assert gap_tolerance_s(interval_s) == 2.5 * interval_s
    assert end_tolerance_s(interval_s) >= gap_tolerance_s(interval_s)
    window = Window(NOW - timedelta(seconds=400 * interval_s), NOW)
    start_s = window.start.timestamp()
    for gap_intervals, hole in ((2.49, False), (2.51, True)):
        times = [start_s + k * interval_s for k in range(101)]
        times += [times[-1] + gap_intervals * interval_s + k * interval_s for k in range(300)]
        times = [t for t in times if t <= window.end.timestamp()]
        assert bool(coverage_of("s", [times], window).holes) is hole, (interval_s, gap_intervals)


def test_a_longer_gap_is_a_hole_starting_one_interval_after_the_sample_before_it():
    # Samples at +600 and +645: 45 s apart, more than two intervals.
    covered = coverage(HOUR, without(window_grid(HOUR), START_S + 600, START_S + 645))
    assert covered.holes == ((START_S + 615, START_S + 645),)
    assert covered.unknown_s == 30
    assert covered.widest_hole_s == 30
    assert covered.known_s == 3570


def test_a_late_first_sample_makes_the_window_start_a_hole():
    covered = coverage(HOUR, grid(START_S + 120, END_S))
    assert covered.holes == ((START_S, START_S + 120),)
    assert "from the window's start" in covered.describe()


def test_a_first_sample_within_a_missed_scrape_of_the_start_leaves_no_hole():
    covered = coverage(HOUR, grid(START_S + gap_tolerance_s(STEP_S), END_S))
    assert covered.holes == ()
    assert covered.percent == 100


def test_an_early_last_sample_makes_the_window_end_a_hole():
    covered = coverage(HOUR, grid(START_S, END_S - 600))
    assert covered.holes == ((END_S - 600 + STEP_S, END_S),)
    assert covered.unknown_s == 585
    assert "to the window's end" in covered.describe()


def test_a_last_sample_within_two_intervals_of_the_end_leaves_no_hole():
    assert coverage(HOUR, grid(START_S, END_S - 30)).holes == ()


# The window's end is usually now: the newest scrape may still be in flight, or late.


def scrapes_until(window: Window, last_s: float, step_s: float = STEP_S) -> list[float]:
    """Scrapes every `step_s` from the window's start, the newest at `last_s`."""
    count = int((last_s - window.start.timestamp()) // step_s)
    return [last_s - k * step_s for k in range(count, -1, -1)]


def last_scrape_before_the_end(intervals: float) -> list[float]:
    """Scrapes of the hour whose newest lies `intervals` scrape intervals before its end."""
    return scrapes_until(HOUR, END_S - intervals * STEP_S)


def test_a_last_scrape_one_and_a_half_intervals_before_the_end_leaves_no_hole():
    times = last_scrape_before_the_end(1.5)
    assert coverage(HOUR, times).holes == ()
    assert held([(t, 1.0) for t in times], coverage(HOUR, times))[-1].end == END_S


def test_a_last_scrape_late_by_its_timeout_on_top_of_a_missed_one_leaves_no_hole():
    """Two intervals and a scrape timeout (10 s, Prometheus's default) back: a sample stored
    late on a loaded machine, after one missed scrape."""
    times = scrapes_until(HOUR, END_S - 2 * STEP_S - 10)
    assert coverage(HOUR, times).holes == ()


def test_a_last_scrape_three_intervals_before_the_end_is_a_hole():
    times = last_scrape_before_the_end(3)
    covered = coverage(HOUR, times)
    assert covered.holes == ((END_S - 2 * STEP_S, END_S),)
    assert held([(t, 1.0) for t in times], covered)[-1].end == END_S - 2 * STEP_S


@pytest.mark.parametrize(
    ("interval_s", "tolerance_s"),
    [(15.0, 40.0), (10.0, 30.0), (60.0, 150.0), (5.0, 15.0), (1.0, 3.0)],
)
def test_the_end_tolerance_is_two_intervals_and_the_scrape_timeout(interval_s, tolerance_s):
    """Prometheus's default timeout (10 s), never longer than the interval; never less than
    half an interval (a late scrape, as anywhere: 60 s allows 150 s)."""
    assert end_tolerance_s(interval_s) == tolerance_s


@given(st.sampled_from([5.0, 10.0, 15.0, 30.0, 60.0]), st.floats(0.0, 1.0))
def test_the_end_tolerance_scales_with_the_scrape_interval(interval_s, fraction):
    """Within the tolerance no hole at the end, past it a hole, whatever the interval."""
    window = Window(NOW - timedelta(seconds=400 * interval_s), NOW)
    end_s = window.end.timestamp()
    for lag_s, hole in (
        (fraction * end_tolerance_s(interval_s), False),
        (end_tolerance_s(interval_s) + 1 + fraction * interval_s, True),
    ):
        times = scrapes_until(window, end_s - lag_s, interval_s)
        assert bool(coverage_of("s", [times], window).holes) is hole, (interval_s, lag_s)


def test_samples_only_outside_the_window_cover_nothing():
    before = grid(START_S - 3600, START_S - 15)
    covered = coverage(HOUR, before)
    assert covered.interval_s is None
    assert covered.samples == 0
    assert covered.percent == 0
    assert covered.holes == ((START_S, END_S),)


@pytest.mark.parametrize("count", range(MIN_SAMPLES))
def test_too_few_samples_leave_the_whole_window_unknown(count):
    covered = coverage(HOUR, grid(START_S, START_S + (count - 1) * STEP_S) if count else [])
    assert covered.interval_s is None
    assert (covered.known_s, covered.percent) == (0, 0)
    assert covered.widest_hole_s == 3600
    assert covered.known_spans() == []
    assert covered.unknown_within(START_S, START_S + 60) == 60
    assert covered.describe() == f"{count} sample(s) of {covered.series} in the 1.00 h window"


def test_series_of_one_family_cover_together():
    first_half, second_half = grid(START_S, START_S + 1800), grid(START_S + 1815, END_S)
    covered = coverage_of("bot_connected", [first_half, second_half], HOUR)
    assert covered.holes == ()
    assert covered.samples == 241


def test_a_slow_series_sets_the_interval_for_the_family():
    fast, slow = grid(START_S, START_S + 600), grid(START_S, END_S, 60)
    covered = coverage_of("x", [fast, slow], HOUR)
    assert covered.interval_s == 60
    assert covered.holes == ()


def test_known_spans_are_the_window_minus_its_holes():
    covered = coverage(HOUR, with_hole(HOUR, 600, 300))
    assert covered.holes == ((START_S + 615, START_S + 915),)
    assert covered.known_spans() == [(START_S, START_S + 615), (START_S + 915, END_S)]


def test_unknown_within_counts_only_the_holes_inside_the_span():
    covered = coverage(HOUR, with_hole(HOUR, 600, 300))
    assert covered.unknown_within(START_S, START_S + 700) == 85
    assert covered.unknown_within(START_S + 800, END_S) == 115
    assert covered.unknown_within(START_S + 1000, END_S) == 0


def test_describe_lists_three_holes_and_counts_the_rest():
    times = window_grid(HOUR)
    for n in range(5):
        times = without(times, START_S + 300 + 600 * n, START_S + 360 + 600 * n)
    covered = coverage(HOUR, times)
    assert len(covered.holes) == 5
    text = covered.describe()
    assert text.startswith("0.94 of 1.00 h covered (93.75 %), scrape interval 15 s; holes: ")
    assert "2026-11-29T11:05:15Z..2026-11-29T11:06:00Z (45 s)" in text
    assert text.endswith(" and 2 more")


def test_values_are_plain_numbers_and_stamps_for_evidence():
    covered = coverage(HOUR, with_hole(HOUR, 600, 300))
    assert covered.values() == {
        "series": 'bot_connected{env="production"}',
        "samples": 221,
        "scrape_interval_s": 15,
        "first_sample": "2026-11-29T11:00:00Z",
        "last_sample": "2026-11-29T12:00:00Z",
        "covered_percent": 91.667,
        "unknown_s": 300.0,
        "holes": [["2026-11-29T11:10:15Z", "2026-11-29T11:15:15Z"]],
    }


def test_values_of_no_samples_say_none():
    values = coverage(HOUR, []).values()
    assert (values["scrape_interval_s"], values["first_sample"], values["last_sample"]) == (
        None,
        None,
        None,
    )
    assert values["covered_percent"] == 0


# ---------------------------------------------------------------- held


def test_each_sample_holds_its_value_until_the_next():
    points = [(START_S + 15 * n, float(n % 2)) for n in range(241)]
    stretches = held(points, coverage(HOUR))
    assert stretches[0] == Stretch(START_S, START_S + 15, 0.0)
    assert stretches[1] == Stretch(START_S + 15, START_S + 30, 1.0)
    assert sum(s.seconds for s in stretches) == 3600


def test_the_first_sample_stands_for_a_late_start_shorter_than_a_hole():
    points = [(t, 1.0) for t in grid(START_S + 20, END_S)]
    stretches = held(points, coverage(HOUR, [t for t, _ in points]))
    assert stretches[0].start == START_S
    assert sum(s.seconds for s in stretches) == 3600


def test_a_sample_before_a_hole_stands_for_one_interval():
    times = with_hole(HOUR, 600, 300)
    stretches = held([(t, 1.0) for t in times], coverage(HOUR, times))
    # The last sample before the hole (at 600 s) holds until 615 s; touching stretches of one
    # value are one, so the first stretch is everything known before the hole.
    assert [(s.start - START_S, s.end - START_S) for s in stretches] == [(0, 615), (915, 3600)]
    assert sum(s.seconds for s in stretches) == 3300


def test_touching_stretches_of_one_value_are_one_and_a_change_starts_another():
    points = [(START_S + 15 * n, 1.0 if n < 120 else 0.0) for n in range(240)]
    stretches = held(points, coverage(HOUR))
    assert stretches == [
        Stretch(START_S, START_S + 1800, 1.0),
        Stretch(START_S + 1800, END_S, 0.0),
    ]


def test_the_last_sample_holds_to_the_window_end_or_one_interval_before_a_hole():
    near = grid(START_S, END_S - 20)
    assert held([(t, 1.0) for t in near], coverage(HOUR, near))[-1].end == END_S
    early = grid(START_S, END_S - 600)
    assert held([(t, 1.0) for t in early], coverage(HOUR, early))[-1].end == END_S - 585


def test_held_drops_samples_outside_the_window():
    points = [(START_S - 15, 0.0), *((t, 1.0) for t in window_grid(HOUR)), (END_S + 15, 0.0)]
    stretches = held(points, coverage(HOUR))
    assert {s.value for s in stretches} == {1.0}
    assert (stretches[0].start, stretches[-1].end) == (START_S, END_S)


def test_held_without_a_scrape_interval_is_nothing():
    assert held([(START_S, 1.0), (START_S + 15, 1.0)], coverage(HOUR, [START_S])) == []
    assert held([], coverage(HOUR)) == []


# ---------------------------------------------------------------- properties

# Gaps between scrapes: mostly the interval with jitter, sometimes a hole.
gaps = st.lists(
    st.one_of(st.integers(min_value=13, max_value=17), st.integers(min_value=1, max_value=900)),
    min_size=0,
    max_size=300,
)


def scrapes(first_offset: int, spacing: list[int]) -> list[float]:
    times = [START_S + first_offset]
    for gap in spacing:
        times.append(times[-1] + gap)
    return times


@given(
    first_offset=st.integers(min_value=-600, max_value=3000),
    spacing=gaps,
    values=st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=1),
)
def test_known_and_unknown_time_add_up_and_stretches_match_the_known_time(
    first_offset, spacing, values
):
    times = scrapes(first_offset, spacing)
    covered = coverage(HOUR, times)
    assert covered.known_s + covered.unknown_s == pytest.approx(covered.window_s)
    assert 0 <= covered.unknown_s <= covered.window_s
    assert 0 <= covered.percent <= 100
    points = [(t, values[n % len(values)]) for n, t in enumerate(times)]
    stretches = held(points, covered)
    assert sum(s.seconds for s in stretches) == pytest.approx(covered.known_s)
    assert sum(b - a for a, b in covered.known_spans()) == pytest.approx(covered.known_s)
    for stretch in stretches:
        assert START_S <= stretch.start < stretch.end <= END_S
        assert covered.unknown_within(stretch.start, stretch.end) == pytest.approx(0)
    for before, after in zip(stretches, stretches[1:], strict=False):
        assert before.end <= after.start


@given(first_offset=st.integers(min_value=-600, max_value=3000), spacing=gaps)
def test_holes_lie_inside_the_window_in_order_and_each_is_longer_than_an_interval(
    first_offset, spacing
):
    covered = coverage(HOUR, scrapes(first_offset, spacing))
    for start, end in covered.holes:
        assert START_S <= start < end <= END_S
        if covered.interval_s is not None:
            assert end - start > covered.interval_s
    for (_, end), (start, _) in zip(covered.holes, covered.holes[1:], strict=False):
        assert end <= start
    widest = max((b - a for a, b in covered.holes), default=0.0)
    assert covered.widest_hole_s == pytest.approx(
        widest if covered.interval_s is not None else covered.window_s
    )


@given(spacing=st.lists(st.integers(min_value=1, max_value=2 * STEP_S), min_size=300))
def test_scrapes_never_further_apart_than_two_intervals_cover_everything_between(spacing):
    times = scrapes(0, spacing)
    covered = coverage(HOUR, times)
    if covered.interval_s is not None and covered.interval_s >= STEP_S and times[-1] >= END_S:
        assert covered.holes == ()


def _lowest_by_brute_force(timelines: list[list[Stretch]]) -> list[Stretch]:
    """The definition, slowly: at the middle of every piece between edges, the lowest value."""
    edges = sorted({x for line in timelines for s in line for x in (s.start, s.end)})
    merged: list[Stretch] = []
    for start, end in zip(edges, edges[1:], strict=False):
        middle = (start + end) / 2
        values = [s.value for line in timelines for s in line if s.start <= middle < s.end]
        if not values:
            continue
        if merged and merged[-1].end == start and merged[-1].value == min(values):
            merged[-1] = Stretch(merged[-1].start, end, min(values))
        else:
            merged.append(Stretch(start, end, min(values)))
    return merged


def _timeline(pieces: list[tuple[int, int, int]]) -> list[Stretch]:
    """Non-overlapping stretches from (gap, length, value) steps, like held() makes."""
    stretches, cursor = [], 0
    for gap, length, value in pieces:
        start = cursor + gap
        stretches.append(Stretch(float(start), float(start + length), float(value)))
        cursor = start + length
    return stretches


@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6), st.integers(0, 2)), max_size=12),
        min_size=2,
        max_size=4,
    )
)
def test_lowest_of_several_series_is_the_lowest_value_held_at_every_moment(pieces):
    timelines = [_timeline(p) for p in pieces]
    assert lowest_of(timelines) == _lowest_by_brute_force(timelines)


def test_lowest_of_a_day_of_many_series_takes_a_moment():
    """Three series of a day at 15 s took 15 s when every stretch was checked at every edge."""
    day = [
        [Stretch(t, t + 15.0, 1.0 if (t // 15 + k) % 97 else 0.0) for t in range(0, 86400, 15)]
        for k in range(20)
    ]
    merged = lowest_of(day)
    assert merged[0].start == 0.0 and merged[-1].end == 86400.0
    assert sum(s.seconds for s in merged if s.value == 0.0) > 0


# ---------------------------------------------------------------- the array paths, to the rule


def _coverage_each(series, series_times, window):
    """coverage_of as first written, sample by sample: the reference the array path must equal."""
    per_series = [list(t) for t in series_times]
    interval = scrape_interval([sorted(t) for t in per_series])
    start, end = window.start.timestamp(), window.end.timestamp()
    times = sorted({t for ts in per_series for t in ts if start <= t <= end})
    if interval is None or not times:
        return Coverage(series, window, len(times), None, None, None, ((start, end),))
    tolerance = gap_tolerance_s(interval)
    holes = []
    if times[0] - start > tolerance:
        holes.append((start, times[0]))
    for before, after in zip(times, times[1:], strict=False):
        if after - before > tolerance:
            holes.append((before + interval, after))
    if end - times[-1] > end_tolerance_s(interval):
        holes.append((times[-1] + interval, end))
    return Coverage(series, window, len(times), interval, times[0], times[-1], tuple(holes))


SPACINGS = st.sampled_from([15.0] * 6 + [14.5, 16.0, 29.99, 30.0, 31.0, 45.0, 100.0, 1.0])
VALUES = st.sampled_from([1.0, 1.0, 1.0, 0.0, -0.0, 2.5, float("nan")])


@st.composite
def fleet_series(draw):
    """One to three series of 15-second scrapes with holes at the edges, mid-window, short gaps
    under the tolerance, restarts (value drops) and values that change."""
    window = Window(NOW, NOW + timedelta(seconds=draw(st.integers(60, 3000))))
    found = []
    for _ in range(draw(st.integers(1, 3))):
        t = window.start.timestamp() + draw(st.floats(-200, 400))
        points = []
        for _ in range(draw(st.integers(0, 150))):
            points.append((t, draw(VALUES)))
            t += draw(SPACINGS)
        found.append(points)
    return window, found


@given(fleet_series(), st.booleans())
def test_coverage_and_held_on_arrays_equal_the_rule_sample_by_sample(case, as_points):
    """The fast paths (Points' arrays, runs found in C) give the very coverage and stretches of
    the rule applied sample by sample, on every kind of hole."""
    from array import array

    from burnin.coverage import held_each
    from burnin.series import Points

    window, found = case
    times = [[t for t, _ in points] for points in found]
    arrays = [array("d", t) if as_points else t for t in times]
    assert repr(coverage_of("x", arrays, window)) == repr(_coverage_each("x", times, window))
    for points in found:
        alone = coverage_of("x", [[t for t, _ in points]], window)
        columns = Points.of(points) if as_points else points
        assert repr(held(columns, alone)) == repr(held_each(points, alone))


def test_held_takes_samples_out_of_order_sample_by_sample():
    window = Window(NOW, NOW + timedelta(minutes=2))
    start = window.start.timestamp()
    points = [(start + 30, 1.0), (start, 1.0), (start + 15, 0.0), (start + 15, 1.0)]
    alone = coverage_of("x", [[t for t, _ in points]], window)
    from burnin.coverage import held_each

    assert held(points, alone) == held_each(points, alone)
    assert held(points, alone)[0].start == start


def test_a_last_sample_at_the_window_s_end_holds_nothing_on_arrays_too():
    """Its stretch is empty: the run before it keeps the value of the sample before it."""
    from burnin.coverage import held_each
    from burnin.series import Points

    window = Window(NOW, NOW + timedelta(seconds=60))
    start = window.start.timestamp()
    points = [(start, 1.0), (start + 15, 0.0), (start + 60, -0.0)]
    alone = coverage_of("x", [[t for t, _ in points]], window)
    expected = [Stretch(start, start + 15, 1.0), Stretch(start + 15, start + 60, 0.0)]
    assert repr(held_each(points, alone)) == repr(expected)
    assert repr(held(Points.of(points), alone)) == repr(expected)


def test_a_question_of_an_array_is_asked_once_while_the_array_lives() -> None:
    asked: list[int] = []

    def length(numbers: array) -> int:
        asked.append(len(numbers))
        return len(numbers)

    kept = ByArray(length)
    first = array("d", [1.0, 2.0])
    assert (kept(first), kept(first)) == (2, 2)
    assert asked == [2]  # the second answer was kept
    equal_but_another = array("d", [1.0, 2.0])
    assert kept(equal_but_another) == 2 and asked == [2, 2]  # kept per object, not per value
    del first, equal_but_another
    assert len(kept) == 0  # gone with their arrays: nothing held alive for the memo
    for size in range(50):  # new arrays (ids reused) are asked afresh
        assert kept(array("d", [0.0] * size)) == size
    assert asked[2:] == list(range(50))


@given(st.lists(st.lists(st.floats(1.7e9, 1.8e9), max_size=30), max_size=4))
def test_arrays_kept_answer_as_lists_do(series: list[list[float]]) -> None:
    arrays = [array("d", times) for times in series]
    assert scrape_interval(arrays) == scrape_interval(series)
    assert scrape_interval(arrays) == scrape_interval(arrays)  # asked again: the kept answer


@given(st.lists(st.sampled_from([0.0, 1.0, 2.5, -1.0]), max_size=40))
def test_changes_and_falls_of_an_array_are_the_lists(values: list[float]) -> None:
    numbers = array("d", values)
    pairs = list(zip(values, values[1:], strict=False))
    assert (
        changes(numbers) == changes(values) == [i + 1 for i, (a, b) in enumerate(pairs) if b != a]
    )
    assert falls(numbers) == falls(values) == [i + 1 for i, (a, b) in enumerate(pairs) if b < a]
    assert changes(numbers) is changes(numbers)  # kept while the array lives


@given(st.lists(st.floats(0.0, 100.0), max_size=30), st.floats(0.5, 60.0))
def test_holes_of_an_array_are_the_holes_of_its_list(gaps: list[float], interval: float) -> None:
    times = [1.7e9 + sum(gaps[: i + 1]) for i in range(len(gaps))]
    window = Window(datetime.fromtimestamp(1.7e9, UTC), datetime.fromtimestamp(1.7e9 + 3000.0, UTC))
    as_list = coverage_of("x", [times], window)
    as_array = coverage_of("x", [array("d", times)], window)
    assert as_array == as_list
    assert coverage_of("x", [array("d", times)], window) == as_list
