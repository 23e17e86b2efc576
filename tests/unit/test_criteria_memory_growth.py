"""memory-growth's rule: TARGET ("stable") when the least-squares slope of resident memory and
all of its 95 % confidence interval lie under the stable line (thresholds.toml
`stable_within`); otherwise the tiers, never TARGET. Raw samples are made here (a line, plus
seeded noise), measured through a fake Prometheus and judged with the real thresholds.toml."""

from __future__ import annotations

import random
import re
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers
from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.criteria.reading import Reading
from burnin.criteria.resources import (
    MB,
    ProcessReading,
    fit_slope,
    judge_memory_growth,
    measure_memory_growth,
    steepest_fit,
)
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Window
from burnin.series import Series
from tests.unit.samples import FakePrometheus, coverage, window_grid

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
METRICS = Metrics(parse_selector('env="production"'))
SELECTOR = 'process_resident_memory_bytes{env="production"}'
LINE = 99.0
BASELINE_MB = 85.0
NOISE_MB = 3.0  # standard deviation: a healthy bot's resident memory wanders a few MB
CHECKPOINTS = ("6h", "12h", "24h")


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml", CRITERIA)


def window_of(checkpoint: str) -> Window:
    return Window(NOW - timedelta(hours=int(checkpoint.rstrip("h"))), NOW)


def memory(
    window: Window, mb_per_hr: float, noise_mb: float = NOISE_MB, seed: int = 1
) -> list[tuple[float, float]]:
    """Resident memory in bytes every 15 s: a line from the baseline plus Gaussian noise."""
    rng = random.Random(seed)
    start = window.start.timestamp()
    return [
        (t, (BASELINE_MB + mb_per_hr * (t - start) / 3600 + rng.gauss(0, noise_mb)) * MB)
        for t in window_grid(window)
    ]


def deriv(points: list[tuple[float, float]]) -> float:
    """What Prometheus's deriv() answers, in MB/hr: least squares, worked out independently."""
    slope, _ = statistics.linear_regression([t for t, _ in points], [v for _, v in points])
    return slope * 3600 / MB


def measured(window: Window, *series: list[tuple[float, float]]) -> tuple[ProcessReading, list]:
    """measure_memory_growth over a fake Prometheus holding these series; and what it asked."""
    query = f"max(deriv({SELECTOR}{window.promql_range()})) * 3600 / 1000000"
    fake = FakePrometheus(
        raw={SELECTOR: [Series({"instance": f"bot{n}"}, p) for n, p in enumerate(series)]},
        scalars={query: max(deriv(p) for p in series)},
    )
    return measure_memory_growth(fake, METRICS, window), fake.asked  # type: ignore[arg-type]


def judged(
    thresholds, checkpoint: str, mb_per_hr: float, noise_mb: float = NOISE_MB, seed: int = 1
):
    window = window_of(checkpoint)
    reading, _ = measured(window, memory(window, mb_per_hr, noise_mb, seed))
    tiers = thresholds.tiers("memory_growth", checkpoint)
    return judge_memory_growth(reading, METRICS, tiers, window, LINE)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_flat_noisy_memory_is_stable_at_every_checkpoint(thresholds, checkpoint):
    verdict = judged(thresholds, checkpoint, 0.01)
    assert verdict.band is Band.TARGET, verdict.message()
    assert verdict.cause.startswith("slope ")
    assert "95 % CI " in verdict.cause
    assert verdict.cause.endswith(": all of it under the stable line 1 MB/hr: stable")


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_a_2_mb_per_hour_leak_in_the_same_noise_is_acceptable_never_target(thresholds, checkpoint):
    verdict = judged(thresholds, checkpoint, 2.0)
    assert verdict.band is Band.ACCEPTABLE, verdict.message()
    assert verdict.observed == pytest.approx(2.0, abs=0.2)
    assert verdict.cause.endswith(": over the stable line 1 MB/hr: growing")


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_a_60_mb_per_hour_leak_is_critical_and_says_its_slope(thresholds, checkpoint):
    verdict = judged(thresholds, checkpoint, 60.0)
    assert verdict.band is Band.CRITICAL, verdict.message()
    assert re.fullmatch(
        r"slope \+(59|60)\.\d\d MB/hr \(95 % CI \+\d+\.\d\d\.\.\+\d+\.\d\d\)", verdict.cause
    )


@pytest.mark.parametrize(
    ("mb_per_hr", "band"),
    [
        (-5.0, Band.TARGET),  # memory falling is not a leak
        (0.0, Band.TARGET),
        (0.5, Band.TARGET),  # real growth, too small to tell from none: the stable line
        (2.0, Band.ACCEPTABLE),
        (9.0, Band.ACCEPTABLE),
        (20.0, Band.DEGRADED),
        (60.0, Band.CRITICAL),
    ],
)
def test_memory_growth_bands_with_noise(thresholds, mb_per_hr, band):
    assert judged(thresholds, "12h", mb_per_hr).band is band


def test_noise_can_cost_a_target_never_buy_one(thresholds):
    """Flat memory in 300 MB of noise: the slope's interval reaches over the stable line, so
    stability is not proven (ACCEPTABLE). Indistinguishable from zero is not enough: it is also
    indistinguishable from a leak."""
    verdict = judged(thresholds, "6h", 0.0, noise_mb=300.0)
    assert verdict.band is Band.ACCEPTABLE, verdict.message()
    assert verdict.cause.endswith(
        ": its top over the stable line 1 MB/hr: too noisy to call stable"
    )


def test_the_verdict_shows_the_rule_and_the_fit_as_evidence(thresholds):
    verdict = judged(thresholds, "12h", 0.01)
    assert verdict.threshold == (
        "stable (target): slope and its 95 % CI under 1 MB/hr, acceptable < 10 MB/hr, "
        "critical > 50 MB/hr"
    )
    (fit,) = [e for e in verdict.evidence if "least-squares" in e.query]
    assert fit.query == f"{SELECTOR}[43200s] (raw samples, least-squares fit)"
    low, high = fit.values["ci95_mb_per_hr"]
    assert low < fit.values["slope_mb_per_hr"] < high
    assert high - low == pytest.approx(2 * 1.959964 * fit.values["stderr_mb_per_hr"])
    assert fit.values["samples"] == 2881
    assert fit.values["stable_within_mb_per_hr"] == 1.0


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    noise_mb=st.floats(0.0, 5.0),
    checkpoint=st.sampled_from(CHECKPOINTS),
)
def test_flat_memory_is_stable_whatever_the_noise_draw(seed, noise_mb, checkpoint):
    thresholds = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
    assert judged(thresholds, checkpoint, 0.0, noise_mb, seed).band is Band.TARGET


# ---------------------------------------------------------------- what stays as it was


def test_without_a_stable_line_the_tiers_alone_judge(thresholds):
    """A thresholds file without `stable_within` keeps the plain tiers: TARGET at or under
    the target line only."""
    tiers = Tiers("memory_growth", "MB/hr", Better.LOWER, 10.0, 50.0, target=0.0)
    window = window_of("12h")
    reading, _ = measured(window, memory(window, 0.3))
    verdict = judge_memory_growth(reading, METRICS, tiers, window, LINE)
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.threshold == tiers.describe()


def test_a_slope_without_enough_samples_for_an_interval_is_not_stable(thresholds):
    window = window_of("12h")
    reading = ProcessReading(Reading("q", NOW, 0.0), coverage(window, selector=SELECTOR))
    verdict = judge_memory_growth(
        reading, METRICS, thresholds.tiers("memory_growth", "12h"), window, LINE
    )
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.cause == "under 3 samples in the series: no confidence interval, not stable"


def test_stable_over_part_of_the_window_is_no_data(thresholds):
    window = window_of("12h")
    points = [p for p in memory(window, 0.0) if p[0] < NOW.timestamp() - 3600]
    reading, _ = measured(window, points)
    verdict = judge_memory_growth(
        reading, METRICS, thresholds.tiers("memory_growth", "12h"), window, LINE
    )
    assert verdict.band is Band.NO_DATA


def test_the_fit_comes_from_the_raw_samples_already_fetched():
    window = window_of("12h")
    reading, asked = measured(window, memory(window, 0.4))
    # No range query of the series besides: the report plots these raw samples (a fleet's
    # range answer was as large as its raw samples, asked again).
    assert asked == [
        f"max(deriv({SELECTOR}[43200s])) * 3600 / 1000000",
        f"{SELECTOR}[43200s]",
    ]
    assert reading.fit is not None and reading.reading is not None
    assert reading.fit.slope == pytest.approx(reading.reading.value, rel=1e-9)


# ---------------------------------------------------------------- the fit


def test_fit_slope_and_standard_error_by_hand():
    # hours 0, 1, 2; MB 0, 2, 1: slope 0.5, residuals -0.5, 1, -0.5 (1.5 over 1 degree of
    # freedom), Sxx 2: standard error sqrt(1.5 / 2).
    fit = fit_slope([(0.0, 0.0), (3600.0, 2 * MB), (7200.0, 1 * MB)])
    assert fit is not None
    assert fit.slope == pytest.approx(0.5)
    assert fit.stderr == pytest.approx(0.75**0.5)
    assert fit.samples == 3
    assert (fit.low, fit.high) == (
        pytest.approx(-1.1974, abs=1e-4),
        pytest.approx(2.1974, abs=1e-4),
    )


def test_a_straight_line_has_no_error():
    fit = fit_slope([(t, 5 * MB + t / 3600 * 2 * MB) for t in range(0, 36000, 15)])
    assert fit is not None
    assert fit.slope == pytest.approx(2.0)
    assert fit.stderr == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    "points", [[], [(0.0, 1.0), (15.0, 2.0)], [(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]]
)
def test_no_fit_under_three_samples_or_at_one_time(points):
    assert fit_slope(points) is None


def test_several_series_are_judged_by_the_fastest_growing_one():
    window = window_of("6h")
    fit = steepest_fit(
        [Series({}, memory(window, 0.1, seed=1)), Series({}, memory(window, 3.0, seed=2))],
        SELECTOR,
        window,
    )
    assert fit is not None
    assert fit.slope == pytest.approx(3.0, abs=0.2)
    assert (fit.selector, fit.window_s) == (SELECTOR, 21600)
