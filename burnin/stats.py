"""The statistics behind release-against-release comparisons, in plain Python (no scipy): the
Mann-Whitney U test (normal approximation, tie and continuity corrections, as Kayenta and
scipy's `method="asymptotic"` compute it), an exact test of two event rates, a test of two
fitted slopes, and the least-squares slope fitted within several segments (a process's
lifetimes: a restart resets its memory, which is not a slope).

Every p-value here is two-sided: which way a change goes is the effect's business, so swapping
the two samples leaves the p-value as it was."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def normal_two_sided(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z."""
    return min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, tied values sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranked = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        shared = (i + j) / 2 + 1  # the average of ranks i+1 .. j+1
        for k in range(i, j + 1):
            ranked[order[k]] = shared
        i = j + 1
    return ranked


@dataclass(frozen=True)
class RankTest:
    """The Mann-Whitney U test of `now` against `before`."""

    u: float  # pairs (before, now) with now above before, ties counted half
    n_before: int
    n_now: int
    z: float  # continuity-corrected; 0 when the samples cannot be told apart
    p_value: float  # two-sided

    @property
    def superiority(self) -> float:
        """The common-language effect size: P(a new value is above an old one), ties counted
        half. 0.5: no shift; 1: every new value above every old one."""
        pairs = self.n_before * self.n_now
        return self.u / pairs if pairs else 0.5


def mann_whitney(before: Sequence[float], now: Sequence[float]) -> RankTest:
    """U of `now` from the ranks of both samples together; its normal approximation with the
    tie correction of the variance and a continuity correction of 0.5. Samples whose values
    are all one value (a constant series, no data) have no variance: p = 1."""
    n1, n2 = len(before), len(now)
    if n1 == 0 or n2 == 0:
        return RankTest(0.0, n1, n2, 0.0, 1.0)
    joined = [*before, *now]
    ranked = ranks(joined)
    u = sum(ranked[n1:]) - n2 * (n2 + 1) / 2
    mean = n1 * n2 / 2
    n = n1 + n2
    tied = _tie_sum(joined)
    variance = n1 * n2 / 12 * ((n + 1) - tied / (n * (n - 1)))
    distance = abs(u - mean) - 0.5
    if variance <= 0 or distance <= 0:
        return RankTest(u, n1, n2, 0.0, 1.0)
    z = math.copysign(distance / math.sqrt(variance), u - mean)
    return RankTest(u, n1, n2, z, normal_two_sided(z))


def _tie_sum(values: Sequence[float]) -> float:
    """Sum of t^3 - t over the groups of t equal values."""
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return float(sum(t**3 - t for t in counts.values() if t > 1))


def _log_binomial(k: int, i: int, p: float) -> float:
    """log P(X = i) for X ~ Binomial(k, p), 0 < p < 1."""
    return (
        math.lgamma(k + 1)
        - math.lgamma(i + 1)
        - math.lgamma(k - i + 1)
        + i * math.log(p)
        + (k - i) * math.log1p(-p)
    )


def rate_test(
    count_before: int, exposure_before: float, count_now: int, exposure_now: float
) -> float:
    """Two-sided p-value that two event counts (restarts, disconnections) come from one rate,
    given how long each window watched (the exposures, in any one unit). Conditioned on the
    total, the new count is binomial with p = its share of the exposure; the p-value adds
    the probabilities no likelier than the one seen (as an exact binomial test does)."""
    total = count_before + count_now
    if total == 0 or exposure_before <= 0 or exposure_now <= 0:
        return 1.0
    share = exposure_now / (exposure_before + exposure_now)
    seen = _log_binomial(total, count_now, share)
    tolerance = 1e-7  # relative: probabilities that tie with the one seen count with it
    p = math.fsum(
        math.exp(logp)
        for i in range(total + 1)
        if (logp := _log_binomial(total, i, share)) <= seen + math.log1p(tolerance)
    )
    return min(1.0, p)


def slope_test(slope_before: float, se_before: float, slope_now: float, se_now: float) -> float:
    """Two-sided p-value that two fitted slopes are one: their difference over its standard
    error (the two fits independent), as a normal z. Two exact fits (no error at all) that
    differ are as different as can be: p = 0."""
    error = math.hypot(se_before, se_now)
    difference = slope_now - slope_before
    if error == 0:
        return 1.0 if difference == 0 else 0.0
    return normal_two_sided(difference / error)


@dataclass(frozen=True)
class Slope:
    """A least-squares slope (y per x) and its standard error, from `points` points in
    `segments` segments, each with its own intercept."""

    slope: float
    stderr: float
    points: int
    segments: int


def pooled_slope(segments: Sequence[Sequence[tuple[float, float]]]) -> Slope | None:
    """The one slope that fits every segment best, each segment free to start at its own level
    (least squares with an intercept per segment): a process restarted in the window is judged
    on how its memory grew while it ran, not on the drop at the restart. One segment: the
    ordinary least-squares slope. None when fewer than 3 points, beyond one per segment, say
    anything about a slope, or no segment spans time."""
    used = [list(s) for s in segments if len(s) >= 2]
    n = sum(len(s) for s in used)
    freedom = n - len(used) - 1
    if freedom < 1:
        return None
    sxx = sxy = 0.0
    centred: list[list[tuple[float, float]]] = []
    for segment in used:
        mean_x = math.fsum(x for x, _ in segment) / len(segment)
        mean_y = math.fsum(y for _, y in segment) / len(segment)
        moved = [(x - mean_x, y - mean_y) for x, y in segment]
        centred.append(moved)
        sxx += math.fsum(dx * dx for dx, _ in moved)
        sxy += math.fsum(dx * dy for dx, dy in moved)
    if sxx <= 0:
        return None
    slope = sxy / sxx
    residual = math.fsum((dy - slope * dx) ** 2 for moved in centred for dx, dy in moved)
    return Slope(slope, math.sqrt(residual / freedom / sxx), n, len(used))
