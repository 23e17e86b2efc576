"""Clock agreement with a source: the reading, the tolerance, the message."""

from __future__ import annotations

import pytest

from burnin.clock import MAX_CLOCK_SKEW_S, skew, skew_cause
from burnin.probes.ssh import CommandResult, host_clock_skew


@pytest.mark.parametrize("remote", [99.0, 100.0])
def test_a_reading_inside_the_request_span_is_no_skew(remote):
    # truncated to the second: 99 and 100 both fit a request from 99.9 to 100.3
    assert skew(remote, 99.9, 100.3) == 0.0


@pytest.mark.parametrize(("remote", "expected"), [(400.0, 300.4), (-20.0, -119.6)])
def test_the_skew_is_the_remote_clock_minus_ours(remote, expected):
    assert skew(remote, 100.0, 100.2) == pytest.approx(expected)


@pytest.mark.parametrize("skew_s", [None, 0.0, MAX_CLOCK_SKEW_S, -MAX_CLOCK_SKEW_S])
def test_within_the_tolerance_there_is_no_cause(skew_s):
    assert skew_cause("the host's", "date", skew_s) is None


@pytest.mark.parametrize(("skew_s", "way"), [(300.4, "300 s ahead of"), (-31.0, "31 s behind")])
def test_beyond_the_tolerance_the_cause_says_who_which_way_and_how_measured(skew_s, way):
    cause = skew_cause("the host's", "`date +%s` over SSH", skew_s)
    assert cause is not None
    assert cause.startswith(f"clock skew: the host's clock is {way} this machine's (`date +%s`")
    assert "NTP" in cause


def test_the_hosts_date_is_read_from_its_answer():
    answer = CommandResult("date +%s", 0, "1400\n", "")
    assert host_clock_skew(answer, 1100.0, 1100.2) == pytest.approx(300.4)


@pytest.mark.parametrize(
    "answer",
    [
        CommandResult("date +%s", 127, "", "bash: date: command not found"),
        CommandResult("date +%s", 0, "+%s\n", ""),  # a date without %s
        CommandResult("date +%s", None, "", "", "timed out after 10 s"),
    ],
)
def test_a_host_that_cannot_say_its_time_is_unknown_not_an_error(answer):
    assert host_clock_skew(answer, 100.0, 100.1) is None
