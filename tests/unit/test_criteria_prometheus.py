"""The judges fed by Prometheus counters and gauges: errors, resources, restarts and
consistency, with hand-made readings, coverages and the real thresholds.toml. A pass needs the
series' samples to cover the window; a failure stands on partial data."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.criteria.consistency import ConsistencyMeasurement, judge_consistency
from burnin.criteria.errors import (
    judge_error_rate,
    judge_errors_total,
    measure_error_rate,
    measure_errors_total,
)
from burnin.criteria.reading import Reading
from burnin.criteria.resources import (
    NOT_EXPORTED,
    ProcessReading,
    judge_cpu,
    judge_memory_growth,
    judge_memory_peak,
    measure_cpu,
    measure_memory_growth,
    measure_memory_peak,
)
from burnin.criteria.restarts import RestartMeasurement, judge_restarts, measure_restarts
from burnin.probes.health import HealthPayload, HealthReading
from burnin.probes.ssh import CommandResult
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Window
from burnin.series import Series
from tests.unit.hosts import ScriptedSsh
from tests.unit.samples import FakePrometheus, connected, coverage, window_grid, with_hole

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
METRICS = Metrics(parse_selector('env="production"'))
FULL = coverage(WINDOW)
# 11 of 12 hours covered: under the 99 % line.
PARTIAL = coverage(WINDOW, with_hole(WINDOW, 3600, 3600))
LINE = 99.0


@pytest.fixture(scope="module")
def thresholds():
    return load_thresholds(ROOT / "thresholds.toml", CRITERIA)


def reading(value: float | None, query: str = "q") -> Reading:
    return Reading(query, NOW, value)


# ---------------------------------------------------------------- errors-total

ERRORS_SERIES = 'bot_errors_total{env="production"}'
ERRORS_QUERY = f"sum(increase((max without (job)({ERRORS_SERIES}))[43200s:15s]))"
ERRORS_COVERED = coverage(WINDOW, selector=ERRORS_SERIES)


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
    tiers = thresholds.tiers("errors_total", checkpoint)
    verdict = judge_errors_total(reading(increase), FULL, tiers, WINDOW, LINE)
    assert verdict.band is band
    assert verdict.observed == observed
    assert verdict.unit == "errors"


def test_errors_total_without_the_counter_is_no_data(thresholds):
    tiers = thresholds.tiers("errors_total", "6h")
    verdict = judge_errors_total(reading(None), FULL, tiers, WINDOW, LINE)
    assert verdict.band is Band.NO_DATA
    assert "returned no data" in verdict.cause


def test_zero_errors_over_part_of_the_window_is_no_data(thresholds):
    tiers = thresholds.tiers("errors_total", "6h")
    verdict = judge_errors_total(reading(0.0), PARTIAL, tiers, WINDOW, LINE)
    assert verdict.band is Band.NO_DATA
    assert "below the 99 % coverage line" in verdict.cause
    assert verdict.cause.endswith("(the covered part shows 0 errors)")
    assert verdict.evidence[-1].values["coverage"]["covered_percent"] == pytest.approx(91.667)


def test_errors_seen_over_part_of_the_window_still_fail(thresholds):
    tiers = thresholds.tiers("errors_total", "12h")
    verdict = judge_errors_total(reading(61.0), PARTIAL, tiers, WINDOW, LINE)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("seen on partial data: 11.00 of 12.00 h covered")


def test_measure_errors_total_reads_the_increase_and_the_counters_coverage():
    series = ERRORS_SERIES
    fake = FakePrometheus(
        {series: [Series({}, connected(window_grid(WINDOW), 3.0))]}, {ERRORS_QUERY: 2.0}
    )
    total, covered = measure_errors_total(fake, METRICS, WINDOW)  # type: ignore[arg-type]
    assert (total.query, total.value) == (ERRORS_QUERY, 2.0)
    assert covered.series == series
    assert covered.percent == 100
    assert fake.asked == [ERRORS_QUERY, f"{series}[43200s]"]


# ---------------------------------------------------------------- error-rate


def rate(
    thresholds, average: float | None, worst: float | None, covered=ERRORS_COVERED, phase="12h"
):
    tiers = thresholds.tiers("error_rate", phase)
    return judge_error_rate(reading(average), reading(worst), covered, tiers, WINDOW, LINE)


@pytest.mark.parametrize(
    ("average", "band"),
    [(0.0, Band.TARGET), (0.05, Band.ACCEPTABLE), (0.5, Band.DEGRADED), (2.0, Band.CRITICAL)],
)
def test_error_rate_average_bands(thresholds, average, band):
    verdict = rate(thresholds, average, min(average, 0.9))
    assert verdict.band is band
    assert verdict.observed == average
    assert verdict.cause.startswith("worst 5m rate")


def test_error_rate_cause_names_the_worst_five_minutes(thresholds):
    verdict = rate(thresholds, 0.05, 0.8)
    assert verdict.band is Band.ACCEPTABLE
    assert verdict.cause == "worst 5m rate 0.8 errors/min"
    assert [e.query for e in verdict.evidence] == [
        "q",
        "q",
        f"{ERRORS_SERIES}[43200s] (raw samples)",
    ]


@pytest.mark.parametrize("average", [0.0, 0.05, 0.5])
def test_error_rate_sustained_worst_above_critical_is_critical(thresholds, average):
    verdict = rate(thresholds, average, 3.0)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == average
    assert verdict.cause == "worst 5m rate 3 errors/min is above the critical 1 (sustained)"


def test_error_rate_worst_exactly_at_the_critical_line_does_not_worsen(thresholds):
    assert rate(thresholds, 0.05, 1.0).band is Band.ACCEPTABLE


def test_error_rate_without_worst_reading_keeps_the_average_band(thresholds):
    verdict = rate(thresholds, 0.0, None)
    assert verdict.band is Band.TARGET
    assert verdict.cause == ""


@pytest.mark.parametrize("worst", [None, 0.0, 5.0])
def test_error_rate_without_an_average_is_no_data(thresholds, worst):
    verdict = rate(thresholds, None, worst)
    assert verdict.band is Band.NO_DATA
    assert not verdict.band.passes


def test_error_rate_of_nan_is_no_data(thresholds):
    assert rate(thresholds, math.nan, 0.0).band is Band.NO_DATA


def test_a_quiet_error_rate_over_part_of_the_window_is_no_data(thresholds):
    verdict = rate(thresholds, 0.0, 0.0, PARTIAL)
    assert verdict.band is Band.NO_DATA
    assert "(the covered part shows 0 errors/min)" in verdict.cause


def test_a_sustained_burst_over_part_of_the_window_is_still_critical(thresholds):
    verdict = rate(thresholds, 0.05, 3.0, PARTIAL)
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith(
        "worst 5m rate 3 errors/min is above the critical 1 (sustained)"
    )
    assert "; seen on partial data: " in verdict.cause


def test_measure_error_rate_reads_average_worst_and_coverage():
    fake = FakePrometheus()
    average, worst, covered = measure_error_rate(fake, METRICS, WINDOW)  # type: ignore[arg-type]
    assert average.query == f"{ERRORS_QUERY} / 720"
    assert worst.query.startswith(
        'max_over_time(sum(max without (job)(rate(bot_errors_total{env="production"}[5m])))'
    )
    assert covered.samples == 0 and covered.interval_s is None
    assert fake.asked[-1] == f"{ERRORS_SERIES}[43200s]"


# ---------------------------------------------------------------- resources


def measured(value: float | None, covered=FULL, busiest: float | None = None) -> ProcessReading:
    extra = None if busiest is None else reading(busiest, "busiest")
    return ProcessReading(reading(value), covered, extra)


UNDECLARED = ProcessReading(None, None, declared=False)


# TARGET ("stable") needs the slope's confidence interval, from raw samples: those bands are in
# test_criteria_memory_growth.py. A slope alone is at best ACCEPTABLE.
@pytest.mark.parametrize(
    ("mb_per_hour", "band"),
    [
        (-3.0, Band.ACCEPTABLE),
        (0.0, Band.ACCEPTABLE),
        (5.0, Band.ACCEPTABLE),
        (20.0, Band.DEGRADED),
        (60.0, Band.CRITICAL),
    ],
)
def test_memory_growth_bands(thresholds, mb_per_hour, band):
    tiers = thresholds.tiers("memory_growth", "12h")
    verdict = judge_memory_growth(measured(mb_per_hour), METRICS, tiers, WINDOW, LINE)
    assert verdict.band is band
    assert verdict.unit == "MB/hr"


@pytest.mark.parametrize(
    ("megabytes", "band"),
    [(300.0, Band.ACCEPTABLE), (700.0, Band.DEGRADED), (1200.0, Band.CRITICAL)],
)
def test_memory_peak_bands(thresholds, megabytes, band):
    tiers = thresholds.tiers("memory_peak", "12h")
    assert judge_memory_peak(measured(megabytes), METRICS, tiers, WINDOW, LINE).band is band


@pytest.mark.parametrize(
    ("judge", "metric"),
    [
        (judge_memory_growth, "memory_growth"),
        (judge_memory_peak, "memory_peak"),
        (judge_cpu, "cpu"),
    ],
)
def test_process_metrics_declared_absent_are_skipped_never_a_pass(thresholds, judge, metric):
    verdict = judge(UNDECLARED, METRICS, thresholds.tiers(metric, "12h"), WINDOW, LINE)
    assert verdict.band is Band.SKIPPED
    assert not verdict.band.passes
    assert verdict.observed is None
    assert verdict.cause == NOT_EXPORTED


@pytest.mark.parametrize("judge", [judge_memory_growth, judge_memory_peak])
@pytest.mark.parametrize("value", [None, math.nan])
def test_missing_declared_memory_metric_is_no_data(thresholds, judge, value):
    verdict = judge(
        measured(value, coverage(WINDOW, [])),
        METRICS,
        thresholds.tiers("memory_growth", "12h"),
        WINDOW,
        LINE,
    )
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == (
        'no process_resident_memory_bytes{env="production"} samples in the window: the target '
        "declares process metrics (process_metrics = true), so this is missing data (wrong name "
        "or selector?)"
    )


def test_missing_metric_cause_names_the_deployments_metric(thresholds):
    metrics = Metrics(
        parse_selector('job="rosey"'), names={"process_resident_memory_bytes": "rosey_rss_bytes"}
    )
    tiers = thresholds.tiers("memory_peak", "12h")
    verdict = judge_memory_peak(measured(None), metrics, tiers, WINDOW, LINE)
    assert verdict.cause.startswith('no rosey_rss_bytes{job="rosey"} samples in the window')


def test_memory_within_the_lines_over_part_of_the_window_is_no_data(thresholds):
    tiers = thresholds.tiers("memory_peak", "12h")
    verdict = judge_memory_peak(measured(300.0, PARTIAL), METRICS, tiers, WINDOW, LINE)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.endswith("(the covered part shows 300 MB)")


def test_memory_over_the_line_over_part_of_the_window_still_fails(thresholds):
    tiers = thresholds.tiers("memory_peak", "12h")
    verdict = judge_memory_peak(measured(1200.0, PARTIAL), METRICS, tiers, WINDOW, LINE)
    assert verdict.band is Band.CRITICAL


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
    verdict = judge_cpu(
        measured(average, busiest=busiest), METRICS, thresholds.tiers("cpu", "12h"), WINDOW, LINE
    )
    assert verdict.band is band
    assert verdict.observed == average
    assert verdict.cause == f"busiest 5 min {busiest:.3g} %"
    assert [e.query for e in verdict.evidence][:2] == ["q", "busiest"]


def test_cpu_without_the_busiest_reading_is_judged_on_the_average(thresholds):
    verdict = judge_cpu(measured(30.0), METRICS, thresholds.tiers("cpu", "12h"), WINDOW, LINE)
    assert verdict.band is Band.DEGRADED
    assert verdict.cause == ""


@pytest.mark.parametrize("busiest", [None, 90.0])
def test_cpu_missing_while_declared_is_no_data(thresholds, busiest):
    verdict = judge_cpu(
        measured(None, busiest=busiest), METRICS, thresholds.tiers("cpu", "12h"), WINDOW, LINE
    )
    assert verdict.band is Band.NO_DATA
    assert "no process_cpu_seconds_total" in verdict.cause


def test_cpu_busy_over_part_of_the_window_still_fails(thresholds):
    verdict = judge_cpu(
        measured(5.0, PARTIAL, busiest=60.0), METRICS, thresholds.tiers("cpu", "12h"), WINDOW, LINE
    )
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("busiest 5 min 60 %; seen on partial data: ")


@pytest.mark.parametrize("measure", [measure_memory_growth, measure_memory_peak, measure_cpu])
def test_undeclared_process_metrics_are_not_asked_for(measure):
    fake = FakePrometheus()
    result = measure(fake, METRICS, WINDOW, declared=False)  # type: ignore[arg-type]
    assert result == UNDECLARED
    assert fake.asked == []


def test_measure_memory_growth_fetches_the_slope_and_the_raw_samples_the_plot_draws():
    fake = FakePrometheus()
    result = measure_memory_growth(fake, METRICS, WINDOW)  # type: ignore[arg-type]
    series = 'process_resident_memory_bytes{env="production"}'
    assert fake.asked == [
        f"max(deriv({series}[43200s])) * 3600 / 1000000",
        f"{series}[43200s]",
    ]
    assert result.declared and result.coverage is not None
    assert result.coverage.series == series


def test_measure_cpu_keeps_the_busiest_five_minutes_as_extra():
    result = measure_cpu(FakePrometheus(), METRICS, WINDOW)  # type: ignore[arg-type]
    assert result.reading is not None and result.extra is not None
    assert (
        result.reading.query
        == 'max(rate(process_cpu_seconds_total{env="production"}[43200s])) * 100'
    )
    assert result.extra.query.startswith("max_over_time(max(rate(process_cpu_seconds_total")


# ---------------------------------------------------------------- restarts

JOURNAL_COMMAND = "sudo -n journalctl --no-pager -q -u rosey-bot -o json"
NRESTARTS_COMMAND = "sudo -n systemctl show -p NRestarts --value rosey-bot"


def restarts(
    resets: float | None,
    start_changes: float | None = 0.0,
    journal_starts: tuple[datetime, ...] = (),
    covered=FULL,
    process_metrics: bool = True,
) -> RestartMeasurement:
    return RestartMeasurement(
        reading(resets, "sum(resets((max without (job)(bot_uptime_seconds))[43200s:15s]))"),
        reading(
            start_changes,
            "sum(changes((max without (job)(process_start_time_seconds))[43200s:15s]))",
        )
        if process_metrics
        else None,
        CommandResult(JOURNAL_COMMAND, 0, "", ""),
        CommandResult(NRESTARTS_COMMAND, 0, "0\n", ""),
        list(journal_starts),
        covered,
    )


def judge_restarts_12h(thresholds, measurement: RestartMeasurement, planned=()):
    tiers = thresholds.tiers("unplanned_restarts", "12h")
    return judge_restarts(measurement, list(planned), tiers, WINDOW, LINE)


def test_no_restarts_is_target(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(0.0))
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert verdict.cause == "Prometheus saw 0, the journal 0 systemd restart(s); 0 planned"
    assert [e.source for e in verdict.evidence] == [
        "prometheus",
        "prometheus",
        "ssh",
        "ssh",
        "prometheus",
    ]


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
    assert verdict.cause.startswith("Prometheus saw 1, the journal 0 systemd restart(s); 0 planned")


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


def test_restarts_of_a_target_without_process_metrics_leave_that_query_out(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(0.0, process_metrics=False))
    assert verdict.band is Band.TARGET
    assert [e.source for e in verdict.evidence] == ["prometheus", "ssh", "ssh", "prometheus"]
    assert not any("process_start_time_seconds" in e.query for e in verdict.evidence)


def test_more_planned_than_seen_is_not_negative(thresholds):
    planned = [WINDOW.start + timedelta(hours=h) for h in (1, 2, 3)]
    verdict = judge_restarts_12h(thresholds, restarts(1.0), planned)
    assert verdict.observed == 0.0
    assert verdict.band is Band.TARGET


UPTIME_SERIES = 'bot_uptime_seconds{env="production"}'
NO_UPTIME = coverage(WINDOW, [], UPTIME_SERIES)


def test_restarts_without_uptime_samples_is_no_data(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(None, 0.0, covered=NO_UPTIME))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == (
        f"no bot_uptime_seconds samples in the window (0 sample(s) of {UPTIME_SERIES} "
        "in the 12.00 h window)"
    )
    assert verdict.evidence[3].values == {"NRestarts": "0"}


def test_without_uptime_samples_the_journal_alone_proves_an_unplanned_restart(thresholds):
    lines = (WINDOW.start + timedelta(hours=1),)
    verdict = judge_restarts_12h(thresholds, restarts(None, None, lines, NO_UPTIME))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1.0
    assert "seen on partial data" in verdict.cause


def test_without_uptime_samples_planned_journal_restarts_prove_nothing(thresholds):
    planned = [WINDOW.start + timedelta(hours=1)]
    verdict = judge_restarts_12h(
        thresholds, restarts(None, None, tuple(planned), NO_UPTIME), planned
    )
    assert verdict.band is Band.NO_DATA


def test_no_restart_over_part_of_the_window_is_no_data(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(0.0, covered=PARTIAL))
    assert verdict.band is Band.NO_DATA
    assert "below the 99 % coverage line" in verdict.cause


def test_a_restart_over_part_of_the_window_is_still_critical(thresholds):
    verdict = judge_restarts_12h(thresholds, restarts(1.0, covered=PARTIAL))
    assert verdict.band is Band.CRITICAL


def test_measure_restarts_asks_both_sources_and_reads_the_journals_restart_jobs():
    at = WINDOW.start + timedelta(hours=4)
    stdout = "\n".join(
        [
            json_line("Scheduled restart job, restart counter is at 1.", at),
            json_line("Started rosey-bot.service.", at + timedelta(seconds=5)),
        ]
    )
    ssh = ScriptedSsh(lambda argv: (0, stdout if argv[0] == "journalctl" else "1\n", ""))
    fake = FakePrometheus()
    result = measure_restarts(fake, ssh, METRICS, "rosey-bot", WINDOW, process_metrics=False)  # type: ignore[arg-type]
    assert result.journal_starts == [at]
    assert result.start_changes is None
    assert fake.asked == [
        f"sum(resets((max without (job)({UPTIME_SERIES}))[43200s:15s]))",
        f"{UPTIME_SERIES}[43200s]",
    ]
    assert [argv[:2] for argv, _ in ssh.asked] == [
        ["journalctl", "--no-pager"],
        ["systemctl", "show"],
    ]


def json_line(message: str, at: datetime) -> str:
    return f'{{"MESSAGE": "{message}", "__REALTIME_TIMESTAMP": "{int(at.timestamp() * 1e6)}"}}'


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
