"""Tiers.band and Tiers.describe: the spec's Target / Acceptable / Critical table as maths."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers

# Worst last: a better value must never land further along this list.
SEVERITY = [Band.TARGET, Band.ACCEPTABLE, Band.DEGRADED, Band.CRITICAL]

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def valid_tiers(draw, better: Better | None = None) -> Tiers:
    """Three (or two) lines in the order thresholds.toml allows for the direction."""
    direction = better or draw(st.sampled_from(Better))
    lines = sorted(draw(st.lists(finite, min_size=3, max_size=3)))
    has_target = draw(st.booleans())
    if direction is Better.LOWER:
        target, acceptable, critical = lines
    else:
        critical, acceptable, target = lines
    return Tiers(
        metric="m",
        unit="u",
        better=direction,
        acceptable=acceptable,
        critical=critical,
        target=target if has_target else None,
    )


def expected_band(tiers: Tiers, value: float) -> Band:
    """The docstring's rule, written out per direction instead of with a sign trick."""
    if tiers.better is Better.LOWER:
        if tiers.target is not None and value <= tiers.target:
            return Band.TARGET
        if value < tiers.acceptable:
            return Band.ACCEPTABLE
        if value > tiers.critical:
            return Band.CRITICAL
        return Band.DEGRADED
    if tiers.target is not None and value >= tiers.target:
        return Band.TARGET
    if value > tiers.acceptable:
        return Band.ACCEPTABLE
    if value < tiers.critical:
        return Band.CRITICAL
    return Band.DEGRADED


@given(tiers=valid_tiers(), first=finite, second=finite)
def test_a_better_value_never_gets_a_worse_band(tiers, first, second):
    if tiers.better is Better.LOWER:
        better_value, worse_value = min(first, second), max(first, second)
    else:
        better_value, worse_value = max(first, second), min(first, second)
    assert SEVERITY.index(tiers.band(better_value)) <= SEVERITY.index(tiers.band(worse_value))


@given(tiers=valid_tiers(), value=finite)
def test_band_follows_the_docstring_rule_for_any_value(tiers, value):
    assert tiers.band(value) == expected_band(tiers, value)


@given(tiers=valid_tiers())
def test_band_exactly_on_each_line(tiers):
    """On the target line: TARGET. On the acceptable line: not ACCEPTABLE (the spec says
    "< 0.1/min", "> 99.9%"), unless it is also the target. On the critical line: not CRITICAL."""
    if tiers.target is not None:
        assert tiers.band(tiers.target) is Band.TARGET
    on_acceptable = tiers.band(tiers.acceptable)
    if tiers.target is None or tiers.target != tiers.acceptable:
        assert on_acceptable is Band.DEGRADED
    on_critical = tiers.band(tiers.critical)
    assert on_critical is not Band.CRITICAL
    if tiers.target is None or tiers.target != tiers.critical:
        assert on_critical is Band.DEGRADED


@given(tiers=valid_tiers(), distance=st.floats(min_value=1e-3, max_value=1e9))
def test_a_value_past_the_critical_line_is_critical(tiers, distance):
    value = tiers.critical + distance if tiers.better is Better.LOWER else tiers.critical - distance
    assert tiers.band(value) is Band.CRITICAL


@given(tiers=valid_tiers())
def test_nan_has_no_band(tiers):
    with pytest.raises(ValueError, match="NaN"):
        tiers.band(math.nan)


def test_nan_error_names_the_metric_and_points_at_no_data():
    tiers = Tiers("uptime", "%", Better.HIGHER, acceptable=99.9, critical=99.0, target=100.0)
    with pytest.raises(ValueError, match=r"uptime: .*NO_DATA"):
        tiers.band(float("nan"))


def test_infinities_land_at_the_ends_of_the_axis():
    lower = Tiers("error_rate", "errors/min", Better.LOWER, 0.1, 1.0, target=0.0)
    higher = Tiers("uptime", "%", Better.HIGHER, 99.9, 99.0, target=100.0)
    assert lower.band(math.inf) is Band.CRITICAL
    assert lower.band(-math.inf) is Band.TARGET
    assert higher.band(-math.inf) is Band.CRITICAL
    assert higher.band(math.inf) is Band.TARGET


# ---------------------------------------------------------------- the spec's table

UPTIME = Tiers("uptime", "%", Better.HIGHER, acceptable=99.9, critical=99.0, target=100.0)
ERROR_RATE = Tiers(
    "error_rate", "errors/min", Better.LOWER, acceptable=0.1, critical=1.0, target=0.0
)
RESTARTS = Tiers("unplanned_restarts", "restarts", Better.LOWER, 0.0, 0.0, target=0.0)
ALERTS = Tiers("alert_count", "alerts", Better.LOWER, acceptable=3.0, critical=5.0, target=0.0)
CPU = Tiers("cpu", "%", Better.LOWER, acceptable=20.0, critical=50.0)


@pytest.mark.parametrize(
    ("tiers", "value", "band"),
    [
        (UPTIME, 100.0, Band.TARGET),
        (UPTIME, 99.95, Band.ACCEPTABLE),
        (UPTIME, 99.9, Band.DEGRADED),
        (UPTIME, 99.5, Band.DEGRADED),
        (UPTIME, 99.0, Band.DEGRADED),
        (UPTIME, 98.0, Band.CRITICAL),
        (ERROR_RATE, 0.0, Band.TARGET),
        (ERROR_RATE, 0.05, Band.ACCEPTABLE),
        (ERROR_RATE, 0.1, Band.DEGRADED),
        (ERROR_RATE, 0.5, Band.DEGRADED),
        (ERROR_RATE, 1.0, Band.DEGRADED),
        (ERROR_RATE, 2.0, Band.CRITICAL),
        (RESTARTS, 0.0, Band.TARGET),
        (RESTARTS, 1.0, Band.CRITICAL),
        (ALERTS, 0.0, Band.TARGET),
        (ALERTS, 2.0, Band.ACCEPTABLE),
        (ALERTS, 4.0, Band.DEGRADED),
        (ALERTS, 5.0, Band.DEGRADED),
        (ALERTS, 6.0, Band.CRITICAL),
        (CPU, 0.0, Band.ACCEPTABLE),
        (CPU, 35.0, Band.DEGRADED),
        (CPU, 51.0, Band.CRITICAL),
    ],
    ids=lambda p: p.metric if isinstance(p, Tiers) else None,
)
def test_spec_table_examples_land_in_their_band(tiers, value, band):
    assert tiers.band(value) is band


def test_only_target_and_acceptable_pass():
    assert {b for b in Band if b.passes} == {Band.TARGET, Band.ACCEPTABLE}


# ---------------------------------------------------------------- describe()


def test_describe_higher_is_better_uses_greater_for_acceptable_and_less_for_critical():
    assert UPTIME.describe() == "target 100 %, acceptable > 99.9 %, critical < 99 %"


def test_describe_lower_is_better_uses_less_for_acceptable_and_greater_for_critical():
    assert ERROR_RATE.describe() == (
        "target 0 errors/min, acceptable < 0.1 errors/min, critical > 1 errors/min"
    )


def test_describe_acceptable_equal_to_target_is_written_without_a_comparison():
    assert RESTARTS.describe() == (
        "target 0 restarts, acceptable 0 restarts, critical > 0 restarts"
    )


def test_describe_without_target_leaves_the_target_out():
    assert CPU.describe() == "acceptable < 20 %, critical > 50 %"


@given(tiers=valid_tiers(Better.LOWER), value=finite)
def test_the_two_directions_mirror_each_other(tiers, value):
    """Higher-is-better is lower-is-better seen in a mirror: every line and value negated."""
    mirrored = Tiers(
        metric=tiers.metric,
        unit=tiers.unit,
        better=Better.HIGHER,
        acceptable=-tiers.acceptable,
        critical=-tiers.critical,
        target=None if tiers.target is None else -tiers.target,
    )
    assert mirrored.band(-value) is tiers.band(value)
