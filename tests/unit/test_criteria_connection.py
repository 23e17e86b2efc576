"""longest-disconnect and coverage from raw bot_connected samples, and the coverage rule every
window criterion shares (require_coverage): partial data can prove a failure, never a pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers
from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.coverage import Stretch
from burnin.criteria.connection import (
    COVERAGE_SLACK_S,
    MAX_POINTS,
    MIN_STEP_S,
    disconnections,
    judge_coverage,
    judge_longest_disconnect,
    measure_connection,
    measure_samples,
    require_coverage,
    step_for,
    with_coverage_note,
)
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Evidence, Verdict
from tests.unit.samples import (
    SELECTOR,
    STEP_S,
    FakePrometheus,
    connected,
    coverage,
    down_between,
    grid,
    series_samples,
    window_grid,
    with_hole,
    without,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
START_S, END_S = WINDOW.start.timestamp(), WINDOW.end.timestamp()
GRID = window_grid(WINDOW)


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml", CRITERIA)


def longest(thresholds, *series_points, min_percent: float = 99.0, phase: str = "12h"):
    tiers = thresholds.tiers("longest_disconnect", phase)
    return judge_longest_disconnect(series_samples(WINDOW, *series_points), tiers, min_percent)


def short_holes(every_s: int = 600, hole_s: int = 45) -> list[float]:
    """Scrapes with a hole of `hole_s` every `every_s`: none long, many together."""
    times = GRID
    for offset in range(300, int(END_S - START_S) - every_s, every_s):
        times = without(times, START_S + offset, START_S + offset + hole_s + STEP_S)
    return times


# ---------------------------------------------------------------- step_for


def test_step_for_short_windows_is_the_minimum_step():
    assert step_for(WINDOW) == MIN_STEP_S
    assert step_for(Window(NOW - timedelta(hours=24), NOW)) == MIN_STEP_S


def test_step_for_long_windows_keeps_under_the_point_limit():
    assert step_for(Window(NOW - timedelta(hours=48), NOW)) == 18  # ceil(172800 / 10000)


@given(seconds=st.integers(min_value=1, max_value=90 * 86400))
def test_step_for_never_asks_for_more_points_than_the_limit(seconds):
    step = step_for(Window(NOW - timedelta(seconds=seconds), NOW))
    assert step >= MIN_STEP_S
    assert seconds / step <= MAX_POINTS


# ---------------------------------------------------------------- measure


def test_measure_samples_asks_raw_samples_of_the_deployments_series():
    metrics = Metrics(parse_selector('env="prod"'), names={"bot_connected": "rosey_up"})
    times = GRID[:100]
    fake = FakePrometheus({'rosey_up{env="prod"}': [Series({}, connected(times))]})
    data = measure_samples(fake, metrics, "bot_connected", WINDOW)  # type: ignore[arg-type]
    assert fake.asked == ['rosey_up{env="prod"}[43200s]']
    assert data.selector == 'rosey_up{env="prod"}'
    assert data.coverage.samples == 100
    assert data.coverage == coverage(WINDOW, times, 'rosey_up{env="prod"}')


def test_measure_connection_is_the_bot_connected_samples():
    fake = FakePrometheus({SELECTOR: [Series({}, connected(GRID))]})
    data = measure_connection(fake, Metrics(parse_selector('env="production"')), WINDOW)  # type: ignore[arg-type]
    assert data.selector == SELECTOR
    assert data.coverage.percent == 100


def test_points_of_all_series_are_merged_in_time_order():
    data = series_samples(WINDOW, [(START_S + 30, 1.0)], [(START_S, 0.0), (START_S + 15, 1.0)])
    assert data.points == [(START_S, 0.0), (START_S + 15, 1.0), (START_S + 30, 1.0)]


# ---------------------------------------------------------------- disconnections


def test_disconnections_merge_contiguous_down_stretches():
    stretches = [
        Stretch(0, 15, 1.0),
        Stretch(15, 30, 0.0),
        Stretch(30, 45, 0.0),
        Stretch(45, 60, 1.0),
        Stretch(60, 75, 0.0),
    ]
    assert disconnections(stretches) == [(15, 30), (60, 15)]


def test_disconnections_are_split_by_a_hole():
    assert disconnections([Stretch(0, 15, 0.0), Stretch(100, 115, 0.0)]) == [(0, 15), (100, 15)]


def test_any_value_below_one_is_disconnected():
    assert disconnections([Stretch(0, 15, 0.5), Stretch(15, 30, 1.0)]) == [(0, 15)]


def test_no_stretches_have_no_disconnections():
    assert disconnections([]) == []
    assert disconnections([Stretch(0, 15, 1.0)]) == []


# ---------------------------------------------------------------- longest-disconnect


def test_always_connected_is_target_with_no_disconnections(thresholds):
    verdict = longest(thresholds, connected(GRID))
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert verdict.cause == ""
    [evidence] = verdict.evidence
    assert evidence.query == f"{SELECTOR}[43200s] (raw samples)"
    assert evidence.values["disconnections"] == 0
    assert evidence.values["coverage"]["covered_percent"] == 100


@pytest.mark.parametrize(
    ("zero_samples", "band"),
    [
        (1, Band.ACCEPTABLE),  # 15 s
        (3, Band.ACCEPTABLE),  # 45 s
        (4, Band.DEGRADED),  # exactly 60 s: not under the acceptable line, not over critical
        (5, Band.CRITICAL),  # 75 s: "disconnected for > 1 minute"
    ],
)
def test_longest_disconnect_bands_by_the_time_held_disconnected(thresholds, zero_samples, band):
    down_at = START_S + 100 * STEP_S
    verdict = longest(thresholds, down_between(GRID, down_at, down_at + zero_samples * STEP_S))
    assert verdict.band is band
    assert verdict.observed == zero_samples * STEP_S
    assert verdict.evidence[0].values["started_at"] == down_at


def test_longest_disconnect_counts_every_drop_and_reports_the_longest(thresholds):
    points = connected(GRID)
    for index, length in ((10, 1), (50, 3), (900, 2)):
        for n in range(index, index + length):
            points[n] = (points[n][0], 0.0)
    verdict = longest(thresholds, points)
    assert verdict.observed == 45.0
    assert verdict.cause == "3 disconnection(s)"
    assert verdict.evidence[0].values["started_at"] == START_S + 50 * STEP_S


def test_a_hole_narrower_than_the_acceptable_line_leaves_the_pass_with_a_note(thresholds):
    verdict = longest(thresholds, connected(with_hole(WINDOW, 3600, 45)))
    # Proven: no disconnection longer than the hole (45 s), which is under 60 s: ACCEPTABLE,
    # not TARGET (a 45 s disconnection could hide in it).
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == 0.0
    assert verdict.cause.startswith("up to 45 s if the holes in the data were disconnected; data: ")
    assert "11.99 of 12.00 h covered (99.90 %)" in verdict.cause
    assert "(45 s)" in verdict.cause


@pytest.mark.parametrize("hole_s", [60, 300, 3600])
def test_a_hole_as_wide_as_the_acceptable_line_makes_a_would_be_pass_no_data(thresholds, hole_s):
    verdict = longest(thresholds, connected(with_hole(WINDOW, 3600, hole_s)), min_percent=50)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(
        f"longest disconnection seen 0 s, but the holes in the data could hide one of up to "
        f"{hole_s} s"
    )


def test_a_short_disconnection_beside_a_wide_hole_is_no_data(thresholds):
    times = with_hole(WINDOW, 7200, 300)
    points = down_between(times, START_S + 600, START_S + 630)
    verdict = longest(thresholds, points)
    assert verdict.band is Band.NO_DATA
    assert (
        "longest disconnection seen 30 s, but the holes in the data could hide one of up to "
        in (verdict.cause)
    )


def test_a_disconnection_seen_on_partial_data_stands(thresholds):
    times = with_hole(WINDOW, 7200, 1200)
    verdict = longest(thresholds, down_between(times, START_S + 600, START_S + 675))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 75.0
    assert verdict.cause.startswith("1 disconnection(s); seen on partial data: 11.67 of 12.00 h")


def test_many_short_holes_below_the_coverage_line_make_a_pass_no_data(thresholds):
    verdict = longest(thresholds, connected(short_holes()))
    assert verdict.band is Band.NO_DATA
    assert "below the 99 % coverage line, so the window cannot pass" in verdict.cause
    assert "(the covered part shows 0 s)" in verdict.cause
    assert verdict.evidence[0].values["coverage"]["covered_percent"] < 99


def test_the_coverage_line_is_the_callers(thresholds):
    assert longest(thresholds, connected(short_holes()), min_percent=90).band is Band.ACCEPTABLE
    assert longest(thresholds, connected(short_holes()), min_percent=99).band is Band.NO_DATA


@pytest.mark.parametrize("series_points", [(), ([],), ([(START_S, 0.0), (START_S + 15, 0.0)],)])
def test_longest_disconnect_without_usable_samples_is_no_data(thresholds, series_points):
    verdict = longest(thresholds, *series_points)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("no usable samples: ")
    assert not verdict.band.passes


def test_disconnections_either_side_of_a_hole_could_be_one_and_never_pass(thresholds):
    down_at = START_S + 3600
    # Down at +0, +15, +30; no scrape until +80 (a 35 s hole); down at +80, +95; up from +110.
    times = [t for t in GRID if t <= down_at + 30] + grid(down_at + 80, END_S)
    verdict = longest(thresholds, down_between(times, down_at, down_at + 110))
    # Seen: 45 s down, a 35 s hole, 30 s down; the truth may be 110 s down (critical).
    assert verdict.evidence[0].values["longest_disconnect_s"] == 45.0
    assert not verdict.band.passes


def test_the_worst_series_decides_the_longest_disconnect(thresholds):
    steady = connected(GRID)
    dropped = down_between(GRID, START_S + 1500, START_S + 1800)
    assert longest(thresholds, dropped).band is Band.CRITICAL
    verdict = longest(thresholds, steady, dropped)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 300.0


# ---------------------------------------------------------------- coverage


def judge(times: list[float], min_percent: float = 99.0, *more: list[float]) -> Verdict:
    return judge_coverage(
        series_samples(WINDOW, connected(times), *(connected(m) for m in more)), min_percent
    )


def test_coverage_of_a_complete_series_is_target():
    verdict = judge(GRID)
    assert verdict.band is Band.TARGET
    assert verdict.observed == "100.00 % covered, widest hole 0 s"
    assert verdict.cause == "12.00 of 12.00 h covered (100.00 %), scrape interval 15 s"
    assert verdict.threshold == (
        "at least 99 % of the window covered by samples, no hole longer than 5 min"
    )
    assert verdict.evidence[0].values["coverage"]["samples"] == 2881


def test_coverage_with_a_hole_longer_than_five_minutes_is_degraded_with_its_place():
    verdict = judge(with_hole(WINDOW, 3600, 1200))
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith(
        "only 97.22 % of the window covered; a 20.0 min hole; 11.67 of 12.00 h covered"
    )
    assert "2026-11-29T01:00:15Z..2026-11-29T01:20:15Z (20.0 min)" in verdict.cause
    assert verdict.evidence[0].values["coverage"]["holes"] == [
        ["2026-11-29T01:00:15Z", "2026-11-29T01:20:15Z"]
    ]


@pytest.mark.parametrize(
    ("hole_s", "band"), [(COVERAGE_SLACK_S, Band.TARGET), (COVERAGE_SLACK_S + 15, Band.DEGRADED)]
)
def test_coverage_hole_limit_is_promqls_five_minute_lookback(hole_s, band):
    assert judge(with_hole(WINDOW, 3600, hole_s)).band is band


def test_coverage_with_a_late_first_sample_is_degraded():
    verdict = judge([t for t in GRID if t >= START_S + 600])
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("only 98.61 % of the window covered; a 10.0 min hole; ")
    assert "(10.0 min, from the window's start)" in verdict.cause


def test_coverage_with_an_early_last_sample_is_degraded():
    verdict = judge([t for t in GRID if t <= END_S - 900])
    assert verdict.band is Band.DEGRADED
    assert "(14.8 min, to the window's end)" in verdict.cause


@pytest.mark.parametrize(
    ("first_s", "last_s"), [(START_S + 300, END_S), (START_S, END_S - 300)], ids=["late", "early"]
)
def test_coverage_within_five_minutes_of_one_edge_is_target(first_s, last_s):
    assert judge([t for t in GRID if first_s <= t <= last_s]).band is Band.TARGET


def test_coverage_five_minutes_short_at_both_edges_falls_below_the_line():
    # 9.75 min of 12 h unknown: 98.65 %, under the 99 % line although no hole exceeds 5 min.
    verdict = judge([t for t in GRID if START_S + 300 <= t <= END_S - 300])
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("only 98.65 % of the window covered; 11.84 of 12.00 h")


def test_coverage_below_the_line_without_a_long_hole_is_degraded():
    verdict = judge(short_holes())
    assert verdict.band is Band.DEGRADED
    assert verdict.cause.startswith("only 92.60 % of the window covered; ")
    assert judge(short_holes(), 90).band is Band.TARGET


def test_coverage_lists_every_problem():
    verdict = judge(with_hole(WINDOW, 3600, 3600))
    assert verdict.cause.startswith("only 91.67 % of the window covered; a 60.0 min hole; ")


def test_coverage_merges_the_samples_of_all_series():
    half = len(GRID) // 2
    assert judge(GRID[:half], 99.0, GRID[half:]).band is Band.TARGET


@pytest.mark.parametrize("times", [[], [START_S, START_S + 15]])
def test_coverage_without_usable_samples_is_no_data(times):
    verdict = judge(times)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == (
        f"no usable samples: {len(times)} sample(s) of {SELECTOR} in the 12.00 h window"
    )


# ---------------------------------------------------------------- require_coverage

TIERS = Tiers("errors_total", "errors", Better.LOWER, acceptable=10.0, critical=60.0, target=0.0)
QUERY = "sum(increase(bot_errors_total[43200s]))"


def verdict_of(value: float) -> Verdict:
    return Verdict.from_tiers(
        "errors-total", value, TIERS, WINDOW, (Evidence("prometheus", QUERY),)
    )


def test_a_pass_on_complete_data_stands_and_gains_the_coverage_as_evidence():
    verdict = require_coverage(verdict_of(0.0), coverage(WINDOW), 99.0)
    assert (verdict.band, verdict.cause) == (Band.TARGET, "")
    assert [e.query for e in verdict.evidence] == [QUERY, f"{SELECTOR}[43200s] (raw samples)"]
    assert verdict.evidence[1].values["coverage"]["covered_percent"] == 100


def test_a_pass_above_the_line_with_holes_says_so():
    verdict = require_coverage(verdict_of(3.0), coverage(WINDOW, with_hole(WINDOW, 60, 60)), 99)
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.cause.startswith("data: 11.98 of 12.00 h covered (99.86 %)")


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_a_pass_below_the_line_becomes_no_data_with_what_was_seen(value):
    covered = coverage(WINDOW, with_hole(WINDOW, 3600, 3600))
    verdict = require_coverage(verdict_of(value), covered, 99.0)
    assert verdict.band is Band.NO_DATA
    assert verdict.observed is None
    assert verdict.cause == (
        f"{SELECTOR}: {covered.describe()}: below the 99 % coverage line, so the window cannot "
        f"pass (the covered part shows {value:g} errors)"
    )
    assert [e.query for e in verdict.evidence] == [QUERY, f"{SELECTOR}[43200s] (raw samples)"]


def test_a_pass_without_usable_samples_is_no_data():
    verdict = require_coverage(verdict_of(0.0), coverage(WINDOW, []), 1.0)
    assert verdict.band is Band.NO_DATA
    assert "0 sample(s) of" in verdict.cause


def test_a_pass_without_an_observed_value_below_the_line_shows_nothing():
    passing = Verdict("x", Band.TARGET, None, "", "")
    verdict = require_coverage(passing, coverage(WINDOW, []), 99.0)
    assert verdict.cause.endswith("(the covered part shows nothing)")


@pytest.mark.parametrize(("value", "band"), [(30.0, Band.DEGRADED), (100.0, Band.CRITICAL)])
def test_a_failure_stands_on_partial_data_with_a_note(value, band):
    covered = coverage(WINDOW, with_hole(WINDOW, 3600, 3600))
    verdict = require_coverage(verdict_of(value), covered, 99.0)
    assert (verdict.band, verdict.observed) == (band, value)
    assert verdict.cause == f"seen on partial data: {covered.describe()}"


def test_a_failure_on_complete_data_has_no_note():
    assert require_coverage(verdict_of(100.0), coverage(WINDOW), 99.0).cause == ""


@pytest.mark.parametrize("band", [Band.NO_DATA, Band.SKIPPED, Band.PENDING, Band.SOURCE_ERROR])
def test_a_verdict_that_judged_nothing_is_left_as_it_is(band):
    verdict = Verdict("x", band, None, "", "", "why", WINDOW)
    assert require_coverage(verdict, coverage(WINDOW, []), 99.0) is verdict


def test_coverage_evidence_is_not_added_twice():
    data = series_samples(WINDOW, connected(GRID))
    verdict = Verdict("x", Band.TARGET, 0.0, "", "", "", WINDOW, (data.evidence(),))
    assert len(require_coverage(verdict, data.coverage, 99.0).evidence) == 1
    assert len(with_coverage_note(verdict, data.coverage).evidence) == 1


def test_with_coverage_note_keeps_the_cause_first():
    failing = Verdict("x", Band.CRITICAL, 9.0, "", "", "9 restarts", WINDOW)
    covered = coverage(WINDOW, with_hole(WINDOW, 60, 60))
    assert with_coverage_note(failing, covered).cause == (
        f"9 restarts; seen on partial data: {covered.describe()}"
    )


@given(
    value=st.floats(min_value=0, max_value=200),
    hole_s=st.integers(min_value=0, max_value=60).map(lambda n: 15 * n),
    min_percent=st.floats(min_value=0.1, max_value=100),
)
def test_require_coverage_never_makes_a_pass_and_never_hides_a_failure(value, hole_s, min_percent):
    times = with_hole(WINDOW, 3600, hole_s) if hole_s > STEP_S else GRID
    covered = coverage(WINDOW, times)
    before = verdict_of(value)
    after = require_coverage(before, covered, min_percent)
    if before.band.passes:
        assert after.band.passes == (covered.percent >= min_percent)
        assert after.band in (before.band, Band.NO_DATA)
    else:
        assert (after.band, after.observed) == (before.band, before.observed)
