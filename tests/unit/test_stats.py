"""burnin.stats against values worked out by hand (each test shows the working), and the
properties every two-sample test here must have."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burnin.stats import (
    mann_whitney,
    normal_two_sided,
    pooled_slope,
    ranks,
    rate_test,
    slope_test,
)


def test_ranks_share_the_average_of_the_ranks_they_span():
    assert ranks([10, 20, 20, 30, 20]) == [1, 3, 3, 5, 3]
    assert ranks([]) == []


def test_normal_two_sided_at_known_points():
    assert normal_two_sided(0.0) == 1.0
    assert normal_two_sided(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert normal_two_sided(-2.575829) == pytest.approx(0.01, abs=1e-6)


def test_mann_whitney_without_ties():
    # now's ranks 4, 5, 6: R = 15, U = 15 - 3*4/2 = 9 (every pair has now above before);
    # mean 4.5, variance 3*3/12 * 7 = 5.25; z = (9 - 4.5 - 0.5) / sqrt(5.25) = 1.745743;
    # p = 2 * (1 - Phi(1.745743)) = 0.080856.
    test = mann_whitney([1, 2, 3], [4, 5, 6])
    assert test.u == 9
    assert test.z == pytest.approx(1.745743, abs=1e-6)
    assert test.p_value == pytest.approx(0.080856, abs=1e-6)
    assert test.superiority == 1.0


def test_mann_whitney_with_ties():
    # Joined 1 2 2 3 | 2 3 4 5: 1 -> 1; the three 2s share ranks 2-4 (3); the two 3s share 5-6
    # (5.5); 4 -> 7; 5 -> 8. now's ranks 3 + 5.5 + 7 + 8 = 23.5, U = 23.5 - 10 = 13.5.
    # Ties: (27 - 3) + (8 - 2) = 30; variance 16/12 * (9 - 30/56) = 11.285714;
    # z = (13.5 - 8 - 0.5) / 3.359422 = 1.488351; p = 0.136658.
    test = mann_whitney([1, 2, 2, 3], [2, 3, 4, 5])
    assert test.u == 13.5
    assert test.z == pytest.approx(1.488351, abs=1e-6)
    assert test.p_value == pytest.approx(0.136658, abs=1e-6)
    assert test.superiority == pytest.approx(13.5 / 16)


def test_mann_whitney_of_one_value_everywhere_cannot_tell_anything():
    test = mann_whitney([5.0] * 10, [5.0] * 12)
    assert (test.u, test.z, test.p_value) == (60.0, 0.0, 1.0)


def test_mann_whitney_of_an_empty_sample():
    assert mann_whitney([], [1.0, 2.0]).p_value == 1.0


def test_rate_test_by_hand():
    # 0 then 3 events in equal windows: X ~ Bin(3, 1/2); P(3) = 1/8, as unlikely: X = 0.
    assert rate_test(0, 1.0, 3, 1.0) == pytest.approx(0.25)
    # 1 then 9: Bin(10, 1/2), P(X in {0, 1, 9, 10}) = (1 + 10 + 10 + 1) / 1024.
    assert rate_test(1, 1.0, 9, 1.0) == pytest.approx(22 / 1024)
    # 2 in 24 h, then 2 in 6 h: Bin(4, 0.2); P(2) = 0.1536; no likelier: 2, 3, 4 -> 0.1808.
    assert rate_test(2, 24.0, 2, 6.0) == pytest.approx(0.1808)
    assert rate_test(0, 6.0, 0, 6.0) == 1.0


def test_slope_test_by_hand():
    # difference 0.3 over sqrt(0.1^2 + 0.1^2) = 0.141421: z = 2.121320, p = 0.033895.
    assert slope_test(1.0, 0.1, 1.3, 0.1) == pytest.approx(0.033895, abs=1e-6)
    assert slope_test(1.0, 0.0, 1.0, 0.0) == 1.0
    assert slope_test(1.0, 0.0, 2.0, 0.0) == 0.0


def test_pooled_slope_of_one_segment_is_least_squares():
    # x 0..3, y 0 1.2 1.9 3.1: sxx 5, sxy 5, slope 1; residuals -.05 .15 -.15 .05: RSS 0.05;
    # stderr sqrt(0.05 / 2 / 5) = 0.070711.
    fit = pooled_slope([[(0, 0), (1, 1.2), (2, 1.9), (3, 3.1)]])
    assert fit is not None
    assert fit.slope == pytest.approx(1.0)
    assert fit.stderr == pytest.approx(0.070711, abs=1e-6)


def test_pooled_slope_ignores_the_drop_between_segments():
    # Two lifetimes growing 1 per unit, the second restarted 10 lower: the slope is 1, where
    # one line through all six points would fall.
    fit = pooled_slope([[(0, 10), (1, 11), (2, 12)], [(3, 0), (4, 1), (5, 2)]])
    assert fit is not None and fit.slope == pytest.approx(1.0) and fit.segments == 2


def test_pooled_slope_needs_points_to_spare():
    assert pooled_slope([[(0, 1), (1, 2)]]) is None
    assert pooled_slope([[(0, 1)], [(5, 2)]]) is None
    assert pooled_slope([[(3, 1), (3, 2), (3, 5)]]) is None


values = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_subnormal=False), max_size=40
)


@settings(deadline=None)
@given(values, values)
def test_mann_whitney_is_symmetric(before, now):
    forward, backward = mann_whitney(before, now), mann_whitney(now, before)
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.z == pytest.approx(-backward.z)
    assert forward.u + backward.u == pytest.approx(len(before) * len(now))
    assert 0.0 <= forward.p_value <= 1.0


@settings(deadline=None)
@given(values)
def test_identical_samples_are_never_told_apart(sample):
    assert mann_whitney(sample, list(sample)).p_value == 1.0


@settings(deadline=None)
@given(st.integers(0, 30), st.floats(0.5, 48), st.integers(0, 30), st.floats(0.5, 48))
def test_rate_test_is_symmetric_and_a_probability(k1, e1, k2, e2):
    p = rate_test(k1, e1, k2, e2)
    assert 0.0 < p <= 1.0
    assert p == pytest.approx(rate_test(k2, e2, k1, e1))
    if k1 == k2 and math.isclose(e1, e2):
        assert p == pytest.approx(1.0)
