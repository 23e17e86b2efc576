"""uptime, time-weighted from raw bot_connected samples: unknown time lies between connected and
not, so the lower bound decides a pass, the upper bound a failure, and NO_DATA lies between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.criteria.uptime import MIN_SAMPLES, judge_uptime, measure_uptime
from burnin.schedule import Window
from burnin.verdict import Verdict
from tests.unit.samples import (
    STEP_S,
    connected,
    down_between,
    grid,
    series_samples,
    window_grid,
    with_hole,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
START_S, END_S = WINDOW.start.timestamp(), WINDOW.end.timestamp()
GRID = window_grid(WINDOW)
THRESHOLDS = load_thresholds(ROOT / "thresholds.toml", CRITERIA)


def uptime(
    points: list[tuple[float, float]],
    phase: str = "12h",
    min_percent: float = 99.0,
    window: Window = WINDOW,
) -> Verdict:
    data = series_samples(window, points)
    return judge_uptime(data, THRESHOLDS.tiers("uptime", phase), min_percent)


def down_for(seconds: int, times: list[float] = GRID) -> list[tuple[float, float]]:
    """Disconnected for `seconds` from two hours into the window."""
    return down_between(times, START_S + 7200, START_S + 7200 + seconds)


# ---------------------------------------------------------------- measure


def test_measure_weights_each_sample_by_the_time_it_holds():
    measured = measure_uptime(series_samples(WINDOW, down_for(900)))
    assert (measured.connected_s, measured.known_s, measured.window_s) == (42300, 43200, 43200)
    assert measured.lowest_percent == measured.highest_percent == pytest.approx(97.917, abs=1e-3)


def test_measure_counts_unknown_time_as_neither():
    measured = measure_uptime(series_samples(WINDOW, connected(with_hole(WINDOW, 3600, 1800))))
    assert (measured.connected_s, measured.known_s) == (41400, 41400)
    assert measured.lowest_percent == pytest.approx(95.833, abs=1e-3)
    assert measured.highest_percent == 100


@pytest.mark.parametrize(("value", "share"), [(2.0, 1.0), (0.5, 0.5), (-1.0, 0.0)])
def test_measure_clamps_values_to_connected_or_not(value, share):
    measured = measure_uptime(series_samples(WINDOW, connected(GRID, value)))
    assert measured.connected_s == 43200 * share


# ---------------------------------------------------------------- too few samples


@pytest.mark.parametrize("count", [0, 1, MIN_SAMPLES - 1])
def test_uptime_with_too_few_samples_is_no_data(count):
    short = Window(NOW - timedelta(seconds=STEP_S * (MIN_SAMPLES - 1)), NOW)
    verdict = uptime(connected(window_grid(short)[:count]), window=short)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("too few bot_connected samples to judge: ")
    assert verdict.cause.endswith("(metric missing or selector wrong?)")
    assert not verdict.band.passes


def test_uptime_with_exactly_the_minimum_samples_is_judged():
    short = Window(NOW - timedelta(seconds=STEP_S * (MIN_SAMPLES - 1)), NOW)
    assert len(window_grid(short)) == MIN_SAMPLES
    assert uptime(connected(window_grid(short)), window=short).band is Band.TARGET


# ---------------------------------------------------------------- complete data


def test_uptime_all_connected_is_target_with_evidence():
    verdict = uptime(connected(GRID))
    assert verdict.band is Band.TARGET
    assert verdict.observed == 100
    assert verdict.cause == "connected 12.000 h of 12.000 h known"
    [evidence] = verdict.evidence
    assert evidence.query == 'bot_connected{env="production"}[43200s] (raw samples)'
    assert (evidence.values["connected_s"], evidence.values["known_s"]) == (43200, 43200)
    assert evidence.values["coverage"]["covered_percent"] == 100


def test_uptime_of_99_97_percent_is_acceptable_at_12h():
    verdict = uptime(down_for(STEP_S))
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == pytest.approx(99.965, abs=1e-3)
    assert verdict.cause == "connected 11.996 h of 12.000 h known"


def test_uptime_of_99_97_percent_fails_at_6h_where_100_percent_is_required():
    verdict = uptime(down_for(STEP_S), phase="6h")
    assert verdict.band is Band.DEGRADED
    assert not verdict.band.passes


def test_uptime_of_98_percent_is_critical():
    assert uptime(down_for(900), phase="24h").band is Band.CRITICAL


# ---------------------------------------------------------------- unknown time


def test_a_pass_is_decided_by_the_lower_bound_and_notes_the_holes():
    verdict = uptime(connected(with_hole(WINDOW, 3600, 30)))
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.observed == pytest.approx(99.931, abs=1e-3)
    assert "; data: 11.99 of 12.00 h covered (99.93 %)" in verdict.cause


def test_unknown_time_that_decides_the_band_is_no_data():
    verdict = uptime(connected(with_hole(WINDOW, 3600, 1800)))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("uptime between 95.833 % and 100.000 %: 11.50 of 12.00 h")
    assert verdict.cause.endswith(
        "the unknown time decides whether it meets target 100 %, acceptable > 99.9 %, critical < 99 %"
    )


def test_at_6h_any_hole_keeps_a_connected_window_from_passing():
    verdict = uptime(connected(with_hole(WINDOW, 3600, 30)), phase="6h")
    assert verdict.band is Band.NO_DATA
    assert "uptime between 99.931 % and 100.000 %" in verdict.cause


def test_a_failure_is_proven_by_the_upper_bound_on_partial_data():
    times = with_hole(WINDOW, 19_800, 600)
    verdict = uptime(down_for(7200, times))
    # Even with the 10 unknown minutes connected, 2 h down of 12 h is critical.
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == pytest.approx(83.333, abs=1e-3)
    assert verdict.cause.startswith("connected 9.833 h of 11.833 h known; seen on partial data: ")


def test_a_lower_bound_that_passes_still_needs_the_coverage_line():
    verdict = uptime(connected(with_hole(WINDOW, 3600, 30)), min_percent=99.95)
    assert verdict.band is Band.NO_DATA
    assert "below the 99.95 % coverage line" in verdict.cause


@given(
    down_s=st.integers(min_value=0, max_value=400).map(lambda n: STEP_S * n),
    hole_s=st.integers(min_value=0, max_value=400).map(lambda n: STEP_S * n),
    checkpoint=st.sampled_from(["6h", "12h", "24h"]),
)
def test_uptime_passes_only_on_the_lower_bound_and_fails_only_on_the_upper(
    down_s, hole_s, checkpoint
):
    times = with_hole(WINDOW, 30_000, hole_s) if hole_s > STEP_S else GRID
    data = series_samples(WINDOW, down_for(down_s, times))
    tiers = THRESHOLDS.tiers("uptime", checkpoint)
    measured = measure_uptime(data)
    verdict = judge_uptime(data, tiers, 99.0)
    assert measured.lowest_percent <= measured.highest_percent
    if verdict.band.passes:
        assert tiers.band(measured.lowest_percent).passes
    elif verdict.band in (Band.DEGRADED, Band.CRITICAL):
        assert not tiers.band(measured.highest_percent).passes
    else:
        assert verdict.band is Band.NO_DATA


def test_samples_before_the_window_do_not_count():
    earlier = [(t, 0.0) for t in grid(START_S - 3600, START_S - STEP_S)]
    verdict = uptime(earlier + connected(GRID))
    assert verdict.band is Band.TARGET
