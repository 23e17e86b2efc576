"""The judges fed by Prometheus: connection (longest-disconnect, coverage), errors, resources,
restarts, alerts and consistency, with hand-made measurements and the real thresholds.toml."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.config import load_thresholds
from burnin.criteria.alerts import AlertMeasurement, Firing, episodes, judge_alerts
from burnin.criteria.connection import (
    MAX_POINTS,
    MIN_STEP_S,
    ConnectionSeries,
    judge_coverage,
    judge_longest_disconnect,
    longest_run,
    step_for,
)
from burnin.criteria.consistency import ConsistencyMeasurement, judge_consistency
from burnin.criteria.errors import judge_error_rate, judge_errors_total
from burnin.criteria.reading import Reading
from burnin.criteria.resources import judge_cpu, judge_memory_growth, judge_memory_peak
from burnin.criteria.restarts import RestartMeasurement, judge_restarts
from burnin.probes.health import HealthPayload, HealthReading
from burnin.probes.prometheus import Series
from burnin.probes.ssh import CommandResult
from burnin.window import Window

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
START_S = WINDOW.start.timestamp()
END_S = WINDOW.end.timestamp()
STEP_S = 15
SERIES_QUERY = 'bot_connected{env="production"}'


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml")


def reading(value: float | None, query: str = "q") -> Reading:
    return Reading(query, NOW, value)


def grid(first_s: float = START_S, last_s: float = END_S, step_s: int = STEP_S) -> list[float]:
    """Timestamps every step from first to last, both included, as a range query returns them."""
    count = int((last_s - first_s) // step_s) + 1
    return [first_s + n * step_s for n in range(count)]


def connection(*series_points: list[tuple[float, float]], step_s: int = STEP_S) -> ConnectionSeries:
    return ConnectionSeries(
        SERIES_QUERY,
        step_s,
        [Series({"instance": f"bot{n}"}, p) for n, p in enumerate(series_points)],
    )


def connected_with_drops(drops: dict[int, int]) -> list[tuple[float, float]]:
    """A full window of connected points; `drops` maps a point index to how many 0s start there."""
    down = {index + k for index, length in drops.items() for k in range(length)}
    return [(t, 0.0 if n in down else 1.0) for n, t in enumerate(grid())]


# ---------------------------------------------------------------- step_for


def test_step_for_short_windows_is_the_minimum_step():
    assert step_for(WINDOW) == MIN_STEP_S
    assert step_for(Window(NOW - timedelta(hours=24), NOW)) == MIN_STEP_S


def test_step_for_long_windows_keeps_under_the_point_limit():
    two_days = Window(NOW - timedelta(hours=48), NOW)
    assert step_for(two_days) == 18  # ceil(172800 / 10000)


@given(seconds=st.integers(min_value=1, max_value=90 * 86400))
def test_step_for_never_asks_for_more_points_than_the_limit(seconds):
    step = step_for(Window(NOW - timedelta(seconds=seconds), NOW))
    assert step >= MIN_STEP_S
    assert seconds / step <= MAX_POINTS


# ---------------------------------------------------------------- longest_run


def test_longest_run_of_contiguous_points_is_count_times_step():
    points = [(0.0, 1.0), (15.0, 0.0), (30.0, 0.0), (45.0, 0.0), (60.0, 1.0), (75.0, 0.0)]
    assert longest_run(points, 15, 0.0) == (45.0, 15.0)


def test_longest_run_is_broken_by_a_gap_in_the_points():
    # 30 s apart at a 15 s step: more than 1.5 steps, so two runs, not one of 3 points.
    points = [(0.0, 0.0), (15.0, 0.0), (45.0, 0.0)]
    assert longest_run(points, 15, 0.0) == (30.0, 0.0)


def test_longest_run_tolerates_jitter_up_to_one_and_a_half_steps():
    points = [(0.0, 0.0), (22.0, 0.0), (44.0, 0.0)]
    assert longest_run(points, 15, 0.0) == (45.0, 0.0)


def test_longest_run_without_a_match_is_zero_with_no_start():
    assert longest_run([(0.0, 1.0), (15.0, 1.0)], 15, 0.0) == (0.0, None)
    assert longest_run([], 15, 0.0) == (0.0, None)


def test_longest_run_keeps_the_first_of_equally_long_runs():
    points = [(0.0, 0.0), (15.0, 1.0), (30.0, 0.0)]
    assert longest_run(points, 15, 0.0) == (15.0, 0.0)


points_strategy = st.lists(
    st.tuples(st.integers(min_value=1, max_value=60), st.sampled_from([0.0, 1.0])),
    max_size=80,
).map(
    # (gap to the previous point in seconds, value) -> increasing timestamps
    lambda steps: [
        (float(sum(gap for gap, _ in steps[: n + 1])), value) for n, (_, value) in enumerate(steps)
    ]
)


@given(points=points_strategy, step_s=st.sampled_from([15, 30, 60]))
def test_longest_run_never_exceeds_the_matching_points_times_the_step(points, step_s):
    seconds, start = longest_run(points, step_s, 0.0)
    zeros = [t for t, v in points if v == 0.0]
    assert seconds <= len(points) * step_s
    assert seconds <= len(zeros) * step_s
    assert seconds % step_s == 0
    if zeros:
        assert seconds >= step_s
        assert start in zeros
    else:
        assert (seconds, start) == (0.0, None)


# ---------------------------------------------------------------- longest-disconnect


def test_always_connected_is_target_with_no_disconnections(thresholds):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    verdict = judge_longest_disconnect(connection(connected_with_drops({})), tiers, WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert verdict.cause == ""
    assert verdict.evidence[0].values["disconnections"] == 0
    assert "(range, step 15s)" in verdict.evidence[0].query


@pytest.mark.parametrize(
    ("zero_points", "band"),
    [
        (1, Band.ACCEPTABLE),  # 15 s
        (3, Band.ACCEPTABLE),  # 45 s
        (4, Band.DEGRADED),  # exactly 60 s: not under the acceptable line, not over critical
        (5, Band.CRITICAL),  # 75 s: "disconnected for > 1 minute"
    ],
)
def test_longest_disconnect_bands_by_the_run_length(thresholds, zero_points, band):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    data = connection(connected_with_drops({100: zero_points}))
    verdict = judge_longest_disconnect(data, tiers, WINDOW)
    assert verdict.band is band
    assert verdict.observed == zero_points * STEP_S
    assert verdict.evidence[0].values["started_at"] == START_S + 100 * STEP_S


def test_longest_disconnect_counts_every_drop_and_reports_the_longest(thresholds):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    data = connection(connected_with_drops({10: 1, 50: 3, 900: 2}))
    verdict = judge_longest_disconnect(data, tiers, WINDOW)
    assert verdict.observed == 45.0
    assert verdict.cause == "3 disconnection(s)"
    assert verdict.evidence[0].values["started_at"] == START_S + 50 * STEP_S


def test_longest_disconnect_takes_the_worst_series_and_sums_drops_over_series(thresholds):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    data = connection(connected_with_drops({10: 1}), connected_with_drops({20: 6, 40: 1}))
    verdict = judge_longest_disconnect(data, tiers, WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 90.0
    assert verdict.cause == "3 disconnection(s)"


def test_zeros_either_side_of_a_hole_in_the_data_are_two_disconnections(thresholds):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    points = [(START_S, 0.0), (START_S + 600, 0.0), (START_S + 615, 1.0)]
    verdict = judge_longest_disconnect(connection(points), tiers, WINDOW)
    assert verdict.observed == 15.0
    assert verdict.evidence[0].values["disconnections"] == 2


@pytest.mark.parametrize("series_points", [(), ([],)])
def test_longest_disconnect_without_points_is_no_data(thresholds, series_points):
    tiers = thresholds.tiers("longest_disconnect", "12h")
    verdict = judge_longest_disconnect(connection(*series_points), tiers, WINDOW)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "no bot_connected samples in the window"
    assert not verdict.band.passes


# ---------------------------------------------------------------- coverage


def test_coverage_of_a_complete_series_is_target():
    verdict = judge_coverage(connection([(t, 1.0) for t in grid()]), WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.cause == ""
    assert verdict.observed == "12.00 h of data, widest gap 0.2 min"
    assert verdict.evidence[0].values["points"] == 2881


def test_coverage_with_a_late_first_sample_is_degraded():
    verdict = judge_coverage(connection([(t, 1.0) for t in grid(START_S + 600)]), WINDOW)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "first sample 10.0 min after the window's start"


def test_coverage_with_an_early_last_sample_is_degraded():
    verdict = judge_coverage(connection([(t, 1.0) for t in grid(last_s=END_S - 900)]), WINDOW)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "last sample 15.0 min before the window's end"


def test_coverage_within_five_minutes_of_the_edges_is_target():
    points = [(t, 1.0) for t in grid(START_S + 300, END_S - 300)]
    assert judge_coverage(connection(points), WINDOW).band is Band.TARGET


def test_coverage_with_a_hole_inside_the_window_is_degraded_with_its_place():
    hole_start, hole_end = START_S + 3600, START_S + 3600 + 1200
    points = [(t, 1.0) for t in grid() if not hole_start < t < hole_end]
    verdict = judge_coverage(connection(points), WINDOW)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "a 20.0 min hole in the data"
    assert verdict.evidence[0].values["widest_gap_s"] == 1200
    assert verdict.evidence[0].values["widest_gap_at"] == hole_start


@pytest.mark.parametrize(("missing_points", "band"), [(20, Band.TARGET), (21, Band.DEGRADED)])
def test_coverage_hole_limit_is_five_minutes_plus_one_step(missing_points, band):
    # 20 missing points leave a 315 s gap (= 300 s slack + one 15 s step): still fine.
    times = grid()
    points = [(t, 1.0) for n, t in enumerate(times) if not 100 <= n < 100 + missing_points]
    assert judge_coverage(connection(points), WINDOW).band is band


def test_coverage_merges_timestamps_of_all_series():
    times = grid()
    first_half = [(t, 1.0) for t in times[: len(times) // 2]]
    second_half = [(t, 1.0) for t in times[len(times) // 2 :]]
    assert judge_coverage(connection(first_half, second_half), WINDOW).band is Band.TARGET


def test_coverage_several_problems_are_all_listed():
    points = [(t, 1.0) for t in grid(START_S + 600, END_S - 600) if not 5000 < t - START_S < 6000]
    verdict = judge_coverage(connection(points), WINDOW)
    assert verdict.cause.count(";") == 2


def test_coverage_without_samples_is_no_data():
    verdict = judge_coverage(connection([]), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "no bot_connected samples in the window"


# ---------------------------------------------------------------- errors-total


@pytest.mark.parametrize(
    ("increase", "checkpoint", "band", "observed"),
    [
        (0.0, "6h", Band.TARGET, 0.0),
        (0.4, "6h", Band.TARGET, 0.0),  # extrapolation noise, not an error
        (1.2, "6h", Band.DEGRADED, 1.0),  # 6 h: "Zero errors"
        (1.2, "12h", Band.ACCEPTABLE, 1.0),  # 12 h: "< 10 total"
        (9.4, "12h", Band.ACCEPTABLE, 9.0),
        (9.6, "12h", Band.DEGRADED, 10.0),
        (61.0, "12h", Band.CRITICAL, 61.0),
    ],
)
def test_errors_total_rounds_the_extrapolated_increase(
    thresholds, increase, checkpoint, band, observed
):
    verdict = judge_errors_total(
        reading(increase), thresholds.tiers("errors_total", checkpoint), WINDOW
    )
    assert verdict.band is band
    assert verdict.observed == observed
    assert verdict.unit == "errors"


def test_errors_total_without_the_counter_is_no_data(thresholds):
    verdict = judge_errors_total(reading(None), thresholds.tiers("errors_total", "6h"), WINDOW)
    assert verdict.band is Band.NO_DATA
    assert "returned no data" in verdict.cause


# ---------------------------------------------------------------- error-rate


@pytest.mark.parametrize(
    ("average", "band"),
    [(0.0, Band.TARGET), (0.05, Band.ACCEPTABLE), (0.5, Band.DEGRADED), (2.0, Band.CRITICAL)],
)
def test_error_rate_average_bands(thresholds, average, band):
    tiers = thresholds.tiers("error_rate", "12h")
    verdict = judge_error_rate(reading(average), reading(min(average, 0.9)), tiers, WINDOW)
    assert verdict.band is band
    assert verdict.observed == average
    assert verdict.cause.startswith("worst 5m rate")


def test_error_rate_cause_names_the_worst_five_minutes(thresholds):
    tiers = thresholds.tiers("error_rate", "12h")
    verdict = judge_error_rate(reading(0.05), reading(0.8), tiers, WINDOW)
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.cause == "worst 5m rate 0.8 errors/min"
    assert [e.query for e in verdict.evidence] == ["q", "q"]


@pytest.mark.parametrize("average", [0.0, 0.05, 0.5])
def test_error_rate_sustained_worst_above_critical_is_critical(thresholds, average):
    tiers = thresholds.tiers("error_rate", "12h")
    verdict = judge_error_rate(reading(average), reading(3.0), tiers, WINDOW)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == average
    assert verdict.cause == "worst 5m rate 3 errors/min is above the critical 1 (sustained)"


def test_error_rate_worst_exactly_at_the_critical_line_does_not_worsen(thresholds):
    tiers = thresholds.tiers("error_rate", "12h")
    assert judge_error_rate(reading(0.05), reading(1.0), tiers, WINDOW).band is Band.ACCEPTABLE


def test_error_rate_without_worst_reading_keeps_the_average_band(thresholds):
    tiers = thresholds.tiers("error_rate", "12h")
    verdict = judge_error_rate(reading(0.0), reading(None), tiers, WINDOW)
    assert verdict.band is Band.TARGET
    assert verdict.cause == ""


@pytest.mark.parametrize("worst", [None, 0.0, 5.0])
def test_error_rate_without_an_average_is_no_data(thresholds, worst):
    tiers = thresholds.tiers("error_rate", "12h")
    verdict = judge_error_rate(reading(None), reading(worst), tiers, WINDOW)
    assert verdict.band is Band.NO_DATA
    assert not verdict.band.passes


def test_error_rate_of_nan_is_no_data(thresholds):
    tiers = thresholds.tiers("error_rate", "12h")
    assert judge_error_rate(reading(math.nan), reading(0.0), tiers, WINDOW).band is Band.NO_DATA


# ---------------------------------------------------------------- resources


@pytest.mark.parametrize(
    ("mb_per_hour", "band"),
    [
        (-3.0, Band.TARGET),
        (0.0, Band.TARGET),
        (5.0, Band.ACCEPTABLE),
        (20.0, Band.DEGRADED),
        (60.0, Band.CRITICAL),
    ],
)
def test_memory_growth_bands(thresholds, mb_per_hour, band):
    verdict = judge_memory_growth(
        reading(mb_per_hour), thresholds.tiers("memory_growth", "12h"), WINDOW
    )
    assert verdict.band is band
    assert verdict.unit == "MB/hr"


@pytest.mark.parametrize(
    ("megabytes", "band"),
    [(300.0, Band.ACCEPTABLE), (700.0, Band.DEGRADED), (1200.0, Band.CRITICAL)],
)
def test_memory_peak_bands(thresholds, megabytes, band):
    verdict = judge_memory_peak(reading(megabytes), thresholds.tiers("memory_peak", "12h"), WINDOW)
    assert verdict.band is band


@pytest.mark.parametrize("judge", [judge_memory_growth, judge_memory_peak])
@pytest.mark.parametrize("value", [None, math.nan])
def test_missing_memory_metric_is_skipped_never_a_pass(thresholds, judge, value):
    verdict = judge(reading(value), thresholds.tiers("memory_growth", "12h"), WINDOW)
    assert verdict.band is Band.SKIPPED
    assert not verdict.band.passes
    assert verdict.observed is None
    assert "process_resident_memory_bytes is not exported" in verdict.cause


@pytest.mark.parametrize(
    ("average", "busiest", "band"),
    [
        (5.0, 10.0, Band.ACCEPTABLE),
        (5.0, 30.0, Band.DEGRADED),  # the busiest 5 minutes worsen the band
        (5.0, 60.0, Band.CRITICAL),
        (30.0, 10.0, Band.DEGRADED),  # a quiet 5 minutes never improve it
        (60.0, 60.0, Band.CRITICAL),
    ],
)
def test_cpu_is_the_worse_of_average_and_busiest_five_minutes(thresholds, average, busiest, band):
    verdict = judge_cpu(reading(average), reading(busiest), thresholds.tiers("cpu", "12h"), WINDOW)
    assert verdict.band is band
    assert verdict.observed == average
    assert verdict.cause == f"busiest 5 min {busiest:.3g} %"


def test_cpu_without_the_busiest_reading_is_judged_on_the_average(thresholds):
    verdict = judge_cpu(reading(30.0), reading(None), thresholds.tiers("cpu", "12h"), WINDOW)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == ""


@pytest.mark.parametrize("busiest", [None, 90.0])
def test_cpu_without_the_metric_is_skipped(thresholds, busiest):
    verdict = judge_cpu(reading(None), reading(busiest), thresholds.tiers("cpu", "12h"), WINDOW)
    assert verdict.band is Band.SKIPPED
    assert "process_cpu_seconds_total is not exported" in verdict.cause


# ---------------------------------------------------------------- restarts

JOURNAL_COMMAND = "sudo -n journalctl --no-pager -q -u rosey-bot -o json"
NRESTARTS_COMMAND = "sudo -n systemctl show -p NRestarts --value rosey-bot"


def restarts(
    resets: float | None,
    start_changes: float | None = 0.0,
    journal_starts: tuple[datetime, ...] = (),
) -> RestartMeasurement:
    return RestartMeasurement(
        reading(resets, "sum(resets(bot_uptime_seconds[43200s]))"),
        reading(start_changes, "sum(changes(process_start_time_seconds[43200s]))"),
        CommandResult(JOURNAL_COMMAND, 0, "", ""),
        CommandResult(NRESTARTS_COMMAND, 0, "0\n", ""),
        list(journal_starts),
    )


def judge_restarts_12h(thresholds, measurement: RestartMeasurement, planned=()):
    return judge_restarts(
        measurement, list(planned), thresholds.tiers("unplanned_restarts", "12h"), WINDOW
    )


def test_no_restarts_is_target(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(0.0))
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert verdict.cause == "Prometheus saw 0, the journal 0 systemd restart(s); 0 planned"
    assert [e.source for e in verdict.evidence] == ["prometheus", "prometheus", "ssh", "ssh"]


def test_one_unplanned_restart_is_critical(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(1.0))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1.0


def test_planned_restart_inside_the_window_is_excluded(thresholds):
    planned = [WINDOW.start + timedelta(hours=3)]
    verdict = judge_restarts_12h(thresholds, restarts(1.0), planned)
    assert verdict.band is Band.TARGET
    assert verdict.cause.endswith("; 1 planned")


@pytest.mark.parametrize("edge", [WINDOW.start, WINDOW.end])
def test_planned_restart_on_the_window_edge_counts_as_inside(thresholds, edge):
    assert judge_restarts_12h(thresholds, restarts(1.0), [edge]).band is Band.TARGET


@pytest.mark.parametrize(
    "outside", [WINDOW.start - timedelta(seconds=1), WINDOW.end + timedelta(hours=1)]
)
def test_planned_restart_outside_the_window_excuses_nothing(thresholds, outside):
    verdict = judge_restarts_12h(thresholds, restarts(1.0), [outside])
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.endswith("; 0 planned")


def test_journal_restart_lines_count_when_prometheus_missed_them(thresholds):
    lines = (WINDOW.start + timedelta(hours=1), WINDOW.start + timedelta(hours=2))
    verdict = judge_restarts_12h(thresholds, restarts(1.0, 0.0, lines))
    assert verdict.observed == 2.0
    assert "the journal 2 systemd restart(s)" in verdict.cause
    assert verdict.evidence[2].values["restart_lines"] == [t.isoformat() for t in lines]


def test_restarts_takes_the_largest_count_of_all_sources(thresholds):
    journal = (WINDOW.start + timedelta(hours=1),)
    verdict = judge_restarts_12h(thresholds, restarts(1.0, 3.0, journal))
    assert verdict.observed == 3.0
    assert verdict.cause.startswith("Prometheus saw 3,")


def test_restarts_without_process_start_metric_uses_uptime_resets(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(2.0, None))
    assert verdict.observed == 2.0


def test_more_planned_than_seen_is_not_negative(thresholds):
    planned = [WINDOW.start + timedelta(hours=h) for h in (1, 2, 3)]
    verdict = judge_restarts_12h(thresholds, restarts(1.0), planned)
    assert verdict.observed == 0.0
    assert verdict.band is Band.TARGET


def test_restarts_without_uptime_samples_is_no_data(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(None, 0.0))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "no bot_uptime_seconds samples in the window"
    assert verdict.evidence[3].values == {"NRestarts": "0"}


# ---------------------------------------------------------------- alerts: episodes


def alert_series(name: str, severity: str, times: list[float]) -> Series:
    labels = {"alertname": name, "severity": severity, "alertstate": "firing"}
    return Series(labels, [(t, 1.0) for t in times])


def test_episodes_split_a_series_at_gaps():
    series = alert_series("BotDown", "critical", [0.0, 15.0, 30.0, 600.0, 615.0])
    assert episodes([series], 15) == [
        Firing("BotDown", "critical", 0.0, 30.0),
        Firing("BotDown", "critical", 600.0, 15.0),
    ]


def test_episodes_of_several_series_are_sorted_by_start():
    late = alert_series("HighErrorRate", "warning", [900.0])
    early = alert_series("BotDown", "critical", [100.0, 115.0])
    assert [f.alertname for f in episodes([late, early], 15)] == ["BotDown", "HighErrorRate"]


def test_episode_of_one_point_lasts_zero_seconds_and_missing_labels_are_marked():
    [firing] = episodes([Series({}, [(42.0, 1.0)])], 15)
    assert firing == Firing("?", "", 42.0, 0.0)


def test_episodes_of_empty_series_are_none():
    assert episodes([], 15) == []
    assert episodes([Series({"alertname": "BotDown"}, [])], 15) == []


@given(
    gaps=st.lists(st.integers(min_value=1, max_value=100), max_size=60),
    step_s=st.sampled_from([15, 30]),
)
def test_episodes_are_one_more_than_the_long_gaps(gaps, step_s):
    times = [0.0]
    for gap in gaps:
        times.append(times[-1] + gap)
    found = episodes([alert_series("BotDown", "critical", times)], step_s)
    long_gaps = sum(1 for gap in gaps if gap > step_s * 1.5)
    assert len(found) == long_gaps + 1
    assert sum(f.seconds for f in found) <= times[-1] - times[0]
    assert all(f.seconds >= 0 for f in found)


# ---------------------------------------------------------------- alerts: judge


def alerts(*firings: Firing, rules_loaded: int | None = 5) -> AlertMeasurement:
    return AlertMeasurement('ALERTS{alertstate="firing"}', STEP_S, list(firings), rules_loaded)


def warning(name: str = "HighErrorRate", at: float = START_S) -> Firing:
    return Firing(name, "warning", at, 120.0)


@pytest.mark.parametrize(
    ("count", "checkpoint", "band"),
    [
        (0, "6h", Band.TARGET),
        (1, "6h", Band.DEGRADED),  # 6 h: "No alerts"
        (0, "12h", Band.TARGET),
        (2, "12h", Band.ACCEPTABLE),
        (4, "12h", Band.DEGRADED),
        (6, "12h", Band.CRITICAL),
    ],
)
def test_alert_count_tiers(thresholds, count, checkpoint, band):
    measurement = alerts(*(warning(at=START_S + n) for n in range(count)))
    verdict = judge_alerts(measurement, thresholds.tiers("alert_count", checkpoint), WINDOW, False)
    assert verdict.band is band
    assert verdict.observed == float(count)


def test_alerts_cause_names_each_firing(thresholds):
    measurement = alerts(warning("HighErrorRate"), Firing("ChannelEmpty", "info", START_S, 0.0))
    verdict = judge_alerts(measurement, thresholds.tiers("alert_count", "12h"), WINDOW, False)
    assert verdict.cause == "HighErrorRate(warning), ChannelEmpty(info)"
    assert verdict.evidence[0].values["rules_loaded"] == 5


def test_one_critical_alert_fails_when_critical_alerts_are_forbidden(thresholds):
    measurement = alerts(Firing("BotDown", "critical", START_S, 60.0))
    verdict = judge_alerts(measurement, thresholds.tiers("alert_count", "12h"), WINDOW, True)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1.0
    assert verdict.cause == "1 critical alert(s) fired: BotDown"
    assert verdict.threshold.endswith("; no critical alerts")


def test_one_critical_alert_is_only_counted_when_not_forbidden(thresholds):
    measurement = alerts(Firing("BotDown", "critical", START_S, 60.0))
    verdict = judge_alerts(measurement, thresholds.tiers("alert_count", "24h"), WINDOW, False)
    assert verdict.band is Band.ACCEPTABLE


def test_forbidding_critical_alerts_leaves_warnings_to_the_count(thresholds):
    verdict = judge_alerts(alerts(warning()), thresholds.tiers("alert_count", "12h"), WINDOW, True)
    assert verdict.band is Band.ACCEPTABLE


@pytest.mark.parametrize("firings", [(), (warning(),)])
def test_no_alerting_rules_loaded_is_no_data(thresholds, firings):
    measurement = alerts(*firings, rules_loaded=0)
    verdict = judge_alerts(measurement, thresholds.tiers("alert_count", "12h"), WINDOW, True)
    assert verdict.band is Band.NO_DATA
    assert "no alerting rules loaded" in verdict.cause


def test_unknown_rule_count_is_still_judged(thresholds):
    verdict = judge_alerts(
        alerts(rules_loaded=None), thresholds.tiers("alert_count", "12h"), WINDOW, True
    )
    assert verdict.band is Band.TARGET


# ---------------------------------------------------------------- consistency

HEALTH_URL = "http://bot.example:8080/api/health"


def health(connected: bool = True, users: int = 42, errors: int = 7) -> HealthReading:
    payload = HealthPayload("healthy", connected, "#production", 3600, "v1.0.0", users, 100, errors)
    return HealthReading(HEALTH_URL, 12.5, 200, payload, "", "")


def consistency(
    reading_of_health: HealthReading | None = None,
    connected: float | None = 1.0,
    users: tuple[float | None, float | None] = (40.0, 44.0),
    errors: tuple[float | None, float | None] = (7.0, 7.0),
) -> ConsistencyMeasurement:
    return ConsistencyMeasurement(
        reading_of_health or health(),
        reading(connected, "max(bot_connected)"),
        (reading(users[0], "min users"), reading(users[1], "max users")),
        (reading(errors[0], "min errors"), reading(errors[1], "max errors")),
    )


def test_health_and_prometheus_agreeing_is_target():
    verdict = judge_consistency(consistency())
    assert verdict.band is Band.TARGET
    assert verdict.cause == ""
    assert verdict.observed == (
        "health connected=true users=42 errors=7; Prometheus connected=1 users=40..44 errors=7"
    )
    assert verdict.evidence[0].source == "health"
    assert len(verdict.evidence) == 6


@pytest.mark.parametrize(("claimed", "metric"), [(True, 0.0), (False, 1.0)])
def test_connected_mismatch_is_critical(claimed, metric):
    verdict = judge_consistency(consistency(health(connected=claimed), connected=metric))
    assert verdict.band is Band.CRITICAL
    assert (
        f"health says connected={str(claimed).lower()}, bot_connected is {metric:g}"
        in verdict.cause
    )


@pytest.mark.parametrize("users", [36, 48])  # 40..44 widened by 10 % of 44 (more than 3 users)
def test_users_at_the_edge_of_the_tolerance_agree(users):
    assert judge_consistency(consistency(health(users=users))).band is Band.TARGET


@pytest.mark.parametrize("users", [35, 49])
def test_users_outside_the_recent_range_and_tolerance_is_degraded(users):
    verdict = judge_consistency(consistency(health(users=users)))
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == f"health says {users} users, bot_users was 40..44 over the last 2m"


def test_users_tolerance_is_relative_for_large_counts():
    measurement = consistency(health(users=1100), users=(1000.0, 1000.0))
    assert judge_consistency(measurement).band is Band.TARGET
    measurement = consistency(health(users=1101), users=(1000.0, 1000.0))
    assert judge_consistency(measurement).band is Band.DEGRADED


def test_users_tolerance_is_three_users_for_small_counts():
    assert judge_consistency(consistency(health(users=8), users=(5.0, 5.0))).band is Band.TARGET
    assert judge_consistency(consistency(health(users=9), users=(5.0, 5.0))).band is Band.DEGRADED


def test_errors_outside_the_tolerance_is_degraded():
    verdict = judge_consistency(consistency(health(errors=10)))
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == "health says 10 errors, bot_errors_total was 7 over the last 2m"


def test_connected_mismatch_stays_critical_with_other_mismatches():
    measurement = consistency(health(connected=False, users=100, errors=50))
    verdict = judge_consistency(measurement)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.count(";") == 2


def test_health_without_a_payload_is_no_data():
    broken = HealthReading(HEALTH_URL, 5.0, 502, None, "HTTP 502", "Bad Gateway")
    verdict = judge_consistency(consistency(broken))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "health endpoint gave no valid answer: HTTP 502"


@pytest.mark.parametrize(
    ("changes", "query"),
    [
        ({"connected": None}, "max(bot_connected)"),
        ({"users": (40.0, None)}, "max users"),
        ({"errors": (None, 7.0)}, "min errors"),
    ],
)
def test_missing_prometheus_value_is_no_data_naming_the_query(changes, query):
    verdict = judge_consistency(consistency(**changes))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == f"Prometheus has no current value for {query}"
