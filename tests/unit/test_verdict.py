"""Verdicts as people and monitors read them: digits enough for the band, nagios states."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers
from burnin.verdict import Nagios, Verdict, digits_for, nagios

UPTIME = Tiers("uptime", "%", Better.HIGHER, acceptable=99.9, critical=99.0, target=100.0)
ERRORS = Tiers("error_rate", "errors/min", Better.LOWER, acceptable=0.1, critical=1.0, target=0.0)


def shown(value: float, tiers: Tiers) -> str:
    return Verdict.from_tiers(tiers.metric, value, tiers, None, ()).observed_text


def test_an_uptime_just_under_the_line_is_not_printed_as_the_line():
    assert shown(99.896, UPTIME) == "99.896 %"
    assert shown(99.8999, UPTIME) == "99.8999 %"


def test_values_far_from_every_line_keep_four_digits():
    assert shown(98.51234, UPTIME) == "98.51 %"
    assert shown(0.012345, ERRORS) == "0.01235 errors/min"


def test_a_value_on_the_line_prints_as_the_line():
    assert shown(99.9, UPTIME) == "99.9 %"
    assert shown(100.0, UPTIME) == "100 %"


@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    tiers=st.sampled_from([UPTIME, ERRORS]),
)
def test_the_printed_value_sits_on_the_same_side_of_every_line(value, tiers):
    digits = digits_for(value, tiers)
    printed = float(f"{value:.{digits}g}")
    for line in (tiers.target, tiers.acceptable, tiers.critical):
        if line is None or math.isclose(value, line, rel_tol=1e-11, abs_tol=1e-12):
            continue  # closer than 12 digits can tell
        assert (printed > line) == (value > line) and (printed < line) == (value < line)


# ---------------------------------------------------------------- nagios states


def test_nagios_states_follow_the_worst_band():
    ok = [Band.TARGET, Band.ACCEPTABLE, Band.SKIPPED]
    assert nagios(ok) is Nagios.OK
    assert nagios([*ok, Band.PENDING]) is Nagios.WARNING
    assert nagios([*ok, Band.DEGRADED]) is Nagios.WARNING
    assert nagios([*ok, Band.DEGRADED, Band.NO_DATA]) is Nagios.UNKNOWN
    assert nagios([*ok, Band.SOURCE_ERROR]) is Nagios.UNKNOWN
    assert nagios([*ok, Band.SOURCE_ERROR, Band.CRITICAL]) is Nagios.CRITICAL


def test_nothing_judged_or_interrupted_is_unknown_never_ok():
    assert nagios([]) is Nagios.UNKNOWN
    assert nagios([Band.SKIPPED, Band.PENDING]) is Nagios.UNKNOWN
    assert nagios([Band.TARGET], interrupted=True) is Nagios.UNKNOWN
    assert [int(s) for s in Nagios] == [0, 1, 2, 3]
