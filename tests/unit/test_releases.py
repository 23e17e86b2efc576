"""vs-previous-release: the baseline window, each metric compared like for like, the band, and
the properties of the comparison (Hypothesis)."""

from __future__ import annotations

import bisect
import itertools
import math
import re
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import ConfigError, load_thresholds
from burnin.config.thresholds import Comparison
from burnin.coverage import coverage_of
from burnin.criteria.connection import SeriesSamples
from burnin.criteria.releases import (
    BETTER,
    INCONCLUSIVE,
    SAME,
    WORSE,
    ComparisonMeasurement,
    Side,
    baseline_window,
    compare_distributions,
    compare_rates,
    compare_slopes,
    interval_runs,
    judge_comparison,
    measure_comparison,
    previous_deployment,
    process_starts,
)
from burnin.history import ResultRow, RunRow, record
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Baseline, Window, parse_baseline
from burnin.series import Series

ROOT = Path(__file__).resolve().parents[2]
RULES = Comparison(worse_ratio=1.5, p_value=0.01)
STABLE = 1.0
END = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
NOW = Window(END - timedelta(hours=6), END)
BEFORE = Window(NOW.start - timedelta(hours=24), NOW.end - timedelta(hours=24))
SELECTOR = 'bot_connected{env="production"}'


def grid(window: Window, step_s: float = 15.0) -> list[float]:
    start = window.start.timestamp()
    count = int(window.seconds // step_s) + 1
    return [start + n * step_s for n in range(count)]


def raw(name: str, points: list[tuple[float, float]], window: Window) -> SeriesSamples:
    selector = f'{name}{{env="production"}}'
    series = [Series({"instance": "bot"}, points)]
    return SeriesSamples(selector, series, coverage_of(selector, [[t for t, _ in points]], window))


def wobble(i: int) -> float:
    """A deterministic wobble in [-1, 1]."""
    return math.sin(i * 12.9898) * 0.999


def side(
    window: Window,
    *,
    requests_per_interval: float = 20.0,
    error_ratio: float = 0.005,
    cpu_per_request_s: float = 0.3,
    memory_mb_per_hr: float = 0.2,
    restarts_at: tuple[float, ...] = (),  # seconds into the window
    down: tuple[tuple[float, float], ...] = (),  # disconnected (start, end), seconds into it
    hole: tuple[float, float] | None = None,  # no samples at all, seconds into the window
    seed: int = 0,
    latency_ms: tuple[float, ...] = (),
    process_metrics: bool = True,
) -> Side:
    start = window.start.timestamp()
    times = [t for t in grid(window) if hole is None or not hole[0] <= t - start < hole[1]]
    connected = [(t, 0.0 if any(a <= t - start < b for a, b in down) else 1.0) for t in times]
    uptime, memory = [], []
    for t in times:
        into = t - start
        began = max([0.0, *[r for r in restarts_at if r <= into]])
        lifetime = into - began + (3600.0 * 72 if began == 0 else 0)
        uptime.append((t, lifetime))
        mb = 85 + memory_mb_per_hr * (into - began) / 3600 + 3 * wobble(int(t // 60) + seed)
        memory.append((t, mb * 1e6))
    requests, errors, cpu = [], [], []
    debt = 0.5  # errors come whole: a steady share of the requests, carried over
    for k in range(1, window.seconds // 300 + 1):
        t = start + 300 * k
        if hole is not None and hole[0] <= 300 * k - 300 < hole[1]:
            continue
        served = requests_per_interval * (1 + 0.3 * wobble(k + seed))
        requests.append((t, served))
        debt += error_ratio * served
        errors.append((t, float(math.floor(debt))))
        debt -= math.floor(debt)
        cpu.append((t, cpu_per_request_s * served * (1 + 0.05 * wobble(k * 7 + seed))))
    return Side(
        window,
        raw("bot_connected", connected, window),
        raw("bot_uptime_seconds", uptime, window),
        raw("process_resident_memory_bytes", memory, window) if process_metrics else None,
        {"requests": requests, "errors": errors, **({"cpu": cpu} if process_metrics else {})},
        latency_ms,
        "2026-11-28T09:00:00+00:00",
    )


QUERIES = {
    "requests": 'sum(max without (job)(increase(bot_requests_total{env="production"}[5m])))',
    "errors": 'sum(max without (job)(increase(bot_errors_total{env="production"}[5m])))',
    "cpu": 'sum(max without (job)(increase(process_cpu_seconds_total{env="production"}[5m])))',
}


def judged(before: Side, now: Side, queries: dict[str, str] | None = None) -> object:
    measured = ComparisonMeasurement(Baseline("previous-day"), before, now, queries or QUERIES)
    return judge_comparison(measured, RULES, STABLE, now.window, 99.0)


def rows_of(verdict) -> dict[str, dict]:
    return {
        e.values["comparison_row"]["metric"]: e.values["comparison_row"]
        for e in verdict.evidence
        if "comparison_row" in e.values
    }


# ---------------------------------------------------------------- the band


def test_the_same_release_twice_is_target_every_metric_the_same():
    verdict = judged(side(BEFORE), side(NOW, seed=5))
    assert verdict.band is Band.TARGET, verdict.message()
    rows = rows_of(verdict)
    assert set(rows) == {
        "error ratio", "CPU per request", "disconnections", "restarts", "memory slope"
    }  # fmt: skip
    assert {r["verdict"] for r in rows.values()} == {SAME}, rows


def test_a_four_times_error_ratio_is_degraded_naming_it():
    verdict = judged(side(BEFORE, error_ratio=0.01), side(NOW, error_ratio=0.04, seed=5))
    assert verdict.band is Band.DEGRADED
    assert verdict.observed == "worse: error ratio"
    row = rows_of(verdict)["error ratio"]
    assert row["verdict"] == WORSE and row["p_value"] < 0.01
    assert row["before"] == pytest.approx(1.0, rel=0.1) and row["now"] == pytest.approx(
        4.0, rel=0.1
    )
    assert "error ratio" in verdict.cause and "p " in verdict.cause
    assert row["query_before"].startswith(QUERIES["errors"])
    assert BEFORE.start.isoformat(timespec="seconds") in row["query_before"]
    assert NOW.start.isoformat(timespec="seconds") in row["query_now"]


def test_twice_the_traffic_at_the_same_error_ratio_is_no_regression():
    before = side(BEFORE, requests_per_interval=20.0, error_ratio=0.02)
    now = side(NOW, requests_per_interval=40.0, error_ratio=0.02, seed=3)
    verdict = judged(before, now)
    assert verdict.band is Band.TARGET, verdict.message()
    assert rows_of(verdict)["error ratio"]["verdict"] == SAME
    assert re.search(r"traffic 4(\.\d+)? -> [78]\.\d+ requests/min \(x(1\.9|2)", verdict.cause)


def test_memory_growing_8_mb_an_hour_against_half_is_degraded():
    verdict = judged(side(BEFORE, memory_mb_per_hr=0.5), side(NOW, memory_mb_per_hr=8.0, seed=2))
    assert verdict.band is Band.DEGRADED
    row = rows_of(verdict)["memory slope"]
    assert row["verdict"] == WORSE
    assert row["before"] == pytest.approx(0.5, abs=0.3) and row["now"] == pytest.approx(8, abs=0.3)
    assert "memory slope" in verdict.observed


def test_an_improvement_is_better_and_target():
    verdict = judged(
        side(BEFORE, memory_mb_per_hr=8.0, error_ratio=0.04), side(NOW, error_ratio=0.01, seed=1)
    )
    assert verdict.band is Band.TARGET
    rows = rows_of(verdict)
    assert rows["memory slope"]["verdict"] == BETTER
    assert rows["error ratio"]["verdict"] == BETTER


def test_a_restart_of_the_previous_release_in_the_baseline_is_shown_and_judged_on_the_rest():
    before = side(BEFORE, memory_mb_per_hr=0.5, restarts_at=(2 * 3600.0,))
    verdict = judged(before, side(NOW, memory_mb_per_hr=0.5, seed=4))
    assert verdict.band is Band.TARGET, verdict.message()
    assert "the baseline holds 1 restart(s) (2026-11-28T05:00:00Z)" in verdict.cause
    rows = rows_of(verdict)
    # Its memory slope is each lifetime's, not the drop at the restart.
    assert rows["memory slope"]["before"] == pytest.approx(0.5, abs=0.3)
    assert rows["memory slope"]["verdict"] == SAME
    assert rows["restarts"]["change"] == "1 -> 0"
    summary = verdict.evidence[0].values["comparison"]
    assert summary["before"]["restarts"] == ["2026-11-28T05:00:00Z"]


def test_a_baseline_with_a_monitoring_gap_is_no_data_with_the_hours_covered():
    before = side(BEFORE, hole=(3600.0, 3600.0 + 1800))
    verdict = judged(before, side(NOW, seed=1))
    assert verdict.band is Band.NO_DATA
    assert "cannot prove no regression: the baseline" in verdict.cause
    assert "5.50 of 6.00 h covered" in verdict.cause
    assert "below the 99 % coverage line" in verdict.cause


def test_a_regression_seen_on_a_partial_baseline_stands():
    before = side(BEFORE, hole=(3600.0, 3600.0 + 1800), memory_mb_per_hr=0.5)
    verdict = judged(before, side(NOW, memory_mb_per_hr=8.0, seed=1))
    assert verdict.band is Band.DEGRADED
    assert "seen on partial data: the baseline" in verdict.cause


def test_a_metric_without_data_in_the_baseline_is_no_data_naming_it():
    before = replace(side(BEFORE), intervals={})
    verdict = judged(before, side(NOW))
    assert verdict.band is Band.NO_DATA
    assert "no data for error ratio (the baseline)" in verdict.cause


def test_declared_first_deployment_is_skipped():
    measured = ComparisonMeasurement(Baseline("none"), None, None)
    verdict = judge_comparison(measured, RULES, STABLE, NOW, 99.0)
    assert verdict.band is Band.SKIPPED and 'baseline = "none"' in verdict.cause


def test_no_process_metrics_compares_the_rest():
    verdict = judged(
        side(BEFORE, process_metrics=False),
        side(NOW, process_metrics=False),
        {k: v for k, v in QUERIES.items() if k != "cpu"},
    )
    assert verdict.band is Band.TARGET
    assert set(rows_of(verdict)) == {"error ratio", "disconnections", "restarts"}


def test_disconnections_are_counted_per_hour_watched():
    down = tuple((3600.0 * h, 3600.0 * h + 40) for h in range(1, 6)) + tuple(
        (3600.0 * h + 1800, 3600.0 * h + 1840) for h in range(0, 6)
    )
    verdict = judged(side(BEFORE), side(NOW, down=down))
    row = rows_of(verdict)["disconnections"]
    assert row["change"] == "0 -> 11" and row["verdict"] == WORSE
    assert row["now"] == pytest.approx(44.0)  # 11 in 6 h: 44 a day


def test_process_starts_are_each_drop_of_the_uptime_counter():
    series = [Series({}, [(100.0, 500.0), (115.0, 515.0), (130.0, 4.0), (145.0, 19.0)])]
    assert process_starts(series) == [126.0]


def test_a_start_seen_in_two_series_of_the_bot_is_one_start():
    """The bot's uptime under two scrape jobs: every restart is in both series."""
    one = [(100.0, 500.0), (115.0, 515.0), (130.0, 4.0), (145.0, 19.0)]
    other = [(t + 0.4, v + 0.4) for t, v in one]  # the other job scrapes 0.4 s later
    series = [Series({"job": "a"}, one), Series({"job": "b"}, other)]
    assert process_starts(series) == [126.0]
    later = Series({"job": "a"}, [(200.0, 900.0), (215.0, 3.0)])  # another process: kept
    assert process_starts([*series, later]) == [126.0, 212.0]


# ---------------------------------------------------------------- the baseline window


def test_the_baseline_is_the_same_hours_a_day_earlier_by_default():
    assert baseline_window(Baseline("previous-day"), NOW) == BEFORE
    day = Window(NOW.end - timedelta(hours=24), NOW.end)
    assert baseline_window(Baseline("previous-day"), day) == Window(
        day.start - timedelta(hours=24), day.start
    )


def test_the_baseline_of_a_previous_deployment_is_its_same_checkpoint():
    deployed = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    assert baseline_window(Baseline("previous-deployment"), NOW, deployed) == Window(
        deployed, deployed + timedelta(hours=6)
    )
    assert baseline_window(Baseline("previous-deployment"), NOW, None) is None


def test_a_named_interval_is_the_baseline_as_named():
    named = parse_baseline("2026-11-20T00:00:00+00:00/2026-11-21T00:00:00+00:00", "baseline")
    assert baseline_window(named, NOW) == named.interval
    assert baseline_window(Baseline("none"), NOW) is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("yesterday", "expected previous-day, previous-deployment, none or an ISO 8601 interval"),
        ("2026-11-21T00:00:00+00:00/2026-11-20T00:00:00+00:00", "ends before it starts"),
        ("2026-11-20T00:00:00/2026-11-21T00:00:00+00:00", "has no UTC offset"),
    ],
)
def test_a_bad_baseline_is_one_line_naming_the_setting(tmp_path, text, said):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        textwrap.dedent(
            f"""\
            [targets.t]
            prometheus_url = "http://p:9090"
            baseline = "{text}"
            """
        )
    )
    from burnin.config import load_target

    with pytest.raises(ConfigError) as caught:
        load_target(targets, {}, {}, "t")
    assert "targets.toml" in str(caught.value) and "baseline" in str(caught.value)
    assert said in str(caught.value)


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        ("worse_ratio = 1.0", "comparison.worse_ratio: expected a number above 1"),
        ("p_value = 0", "comparison.p_value: expected a probability above 0 and below 1"),
        ("p_value = 1.5", "comparison.p_value: expected a probability above 0 and below 1"),
        ('p_value = "0.01"', "comparison.p_value: expected a number"),
        ("margin = 2", "comparison"),
    ],
)
def test_a_bad_comparison_section_is_one_line(tmp_path, lines, said):
    text = (ROOT / "thresholds.toml").read_text()
    text = text.replace("worse_ratio = 1.5\np_value = 0.01\n", lines + "\n")
    path = tmp_path / "thresholds.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_thresholds(path, CRITERIA)
    assert said in str(caught.value) and "thresholds.toml" in str(caught.value)


def test_the_project_thresholds_compare_at_every_checkpoint():
    thresholds = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
    assert thresholds.comparison == Comparison(1.5, 0.01)
    for phase in ("6h", "12h", "24h"):
        assert "vs-previous-release" in thresholds.phases[phase].criteria
    assert "vs-previous-release" not in thresholds.phases["smoke"].criteria
    assert CRITERIA["vs-previous-release"].rollback is False


# ---------------------------------------------------------------- measuring


class RangeProm:
    """Raw samples and 5-minute range answers for both windows; records each question."""

    def __init__(self, before: Side, now: Side, span: Window | None = None) -> None:
        self.sides = (before, now)
        self.span = span
        self.asked: list[tuple[str, str, str]] = []

    def samples(self, selector, window, keep=lambda _s: True):
        self.asked.append(("raw", selector, str(window)))
        found = []
        for s in self.sides:
            for samples in (s.connected, s.uptime, s.memory):
                if samples is not None and samples.selector == selector:
                    found.extend(samples.series)
        return [Series(found[0].labels, sorted(p for x in found for p in x.points))]

    def range(self, query, start, end, step_s):
        self.asked.append(("range", query, f"{start.isoformat()}..{end.isoformat()} {step_s}"))
        name = next(k for k, q in QUERIES.items() if q == query)
        points = [p for s in self.sides for p in s.intervals.get(name, [])]
        return [Series({}, sorted(points))]


METRICS = Metrics(parse_selector('env="production"'))


def test_measuring_asks_each_question_once_over_both_windows():
    prom = RangeProm(side(BEFORE), side(NOW, seed=3), span=NOW)
    measured = measure_comparison(prom, METRICS, NOW, Baseline("previous-day"))
    ranges = [a for a in prom.asked if a[0] == "range"]
    assert len(ranges) == 3  # requests, errors, CPU: one query each, both windows at once
    assert all(f"{BEFORE.start.isoformat()}..{NOW.end.isoformat()} 300" == a[2] for a in ranges)
    baseline_raw = [a for a in prom.asked if a[0] == "raw" and a[2] == str(BEFORE)]
    assert len(baseline_raw) == 3  # connection, uptime, memory of the baseline
    assert measured.before is not None and measured.before.window == BEFORE
    assert len(measured.before.intervals["requests"]) == 72
    assert len(measured.now.intervals["requests"]) == 72
    verdict = judge_comparison(measured, RULES, STABLE, NOW, 99.0)
    assert verdict.band is Band.TARGET, verdict.message()


def test_a_declared_first_deployment_asks_nothing():
    prom = RangeProm(side(BEFORE), side(NOW))
    measured = measure_comparison(prom, METRICS, NOW, Baseline("none"))
    assert prom.asked == [] and measured.before is None


def test_previous_deployment_without_one_recorded_is_no_data(tmp_path):
    prom = RangeProm(side(BEFORE), side(NOW))
    measured = measure_comparison(
        prom, METRICS, NOW, Baseline("previous-deployment"), True, tmp_path / "h.sqlite", "t",
        NOW.start,
    )  # fmt: skip
    verdict = judge_comparison(measured, RULES, STABLE, NOW, 99.0)
    assert verdict.band is Band.NO_DATA
    assert "no deployment before 2026-11-29T03:00:00+00:00 is recorded" in verdict.cause


def smoke_run(deployment: str, at: datetime, latency_ms: float) -> RunRow:
    stamp = at.isoformat(timespec="seconds")
    return RunRow(
        "t", deployment, ("smoke",), stamp, stamp,
        {"smoke": ((at - timedelta(minutes=15)).isoformat(), stamp)}, "OK", False, {},
        (ResultRow("health-latency", "smoke", "target", latency_ms, f"{latency_ms} ms"),),
    )  # fmt: skip


def test_health_latency_comes_from_the_smoke_runs_of_both_deployments(tmp_path):
    db = tmp_path / "history.sqlite"
    previous, current = datetime(2026, 11, 28, 3, 0, tzinfo=UTC), NOW.start
    for n in range(8):
        record(db, smoke_run(previous.isoformat(), previous + timedelta(hours=n), 15 + n % 3))
        record(db, smoke_run(current.isoformat(), current + timedelta(minutes=30 * n), 70 + n % 3))
    # A run after the moment judged is not this window's.
    record(db, smoke_run(current.isoformat(), NOW.end + timedelta(hours=1), 500))
    prom = RangeProm(side(BEFORE), side(NOW, seed=2), span=NOW)
    measured = measure_comparison(
        prom, METRICS, NOW, Baseline("previous-day"), True, db, "t", current
    )
    assert measured.now.latency_ms == tuple(70.0 + n % 3 for n in range(8))
    verdict = judge_comparison(measured, RULES, STABLE, NOW, 99.0)
    row = rows_of(verdict)["health latency"]
    assert row["verdict"] == WORSE and row["now"] == pytest.approx(71, abs=1)
    assert "deployment 2026-11-28T03:00:00+00:00" in row["query_before"]
    assert verdict.band is Band.DEGRADED


def test_without_the_deployment_start_latency_is_not_compared_and_says_so():
    prom = RangeProm(side(BEFORE), side(NOW), span=NOW)
    measured = measure_comparison(prom, METRICS, NOW, Baseline("previous-day"))
    verdict = judge_comparison(measured, RULES, STABLE, NOW, 99.0)
    assert "health latency" not in rows_of(verdict)
    assert "health latency: compared only when the deployment start is known" in verdict.cause


def test_previous_deployment_is_the_latest_recorded_before_this_one():
    runs = [
        smoke_run("2026-11-20T09:00:00+00:00", END, 1),
        smoke_run("2026-11-27T09:00:00+01:00", END, 1),
        smoke_run("2026-11-29T09:00:00+00:00", END, 1),
        smoke_run("", END, 1),
    ]
    assert previous_deployment(runs, END) == "2026-11-27T09:00:00+01:00"
    assert previous_deployment(runs, datetime(2026, 11, 1, tzinfo=UTC)) is None


# ---------------------------------------------------------------- properties

positive = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_subnormal=False)
samples = st.lists(positive, min_size=0, max_size=60)
MIRROR = {WORSE: BETTER, BETTER: WORSE, SAME: SAME, INCONCLUSIVE: INCONCLUSIVE}


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


@settings(deadline=None)
@given(samples, samples)
def test_swapping_the_windows_swaps_better_and_worse(before, now):
    forward = compare_distributions(before, now, mean(before), mean(now), RULES)
    backward = compare_distributions(now, before, mean(now), mean(before), RULES)
    assert backward[0] == MIRROR[forward[0]]
    assert backward[1] == pytest.approx(forward[1])


@settings(deadline=None)
@given(st.integers(0, 20), positive, st.integers(0, 20), positive)
def test_swapping_swaps_better_and_worse_for_rates_and_slopes(k1, h1, k2, h2):
    assume(h1 > 0.01 and h2 > 0.01)
    assert (
        compare_rates(k2, h2, k1, h1, RULES)[0] == MIRROR[compare_rates(k1, h1, k2, h2, RULES)[0]]
    )
    forward = compare_slopes((k1 / 3, h1 / 1e4), (k2 / 3, h2 / 1e4), STABLE, RULES)[0]
    backward = compare_slopes((k2 / 3, h2 / 1e4), (k1 / 3, h1 / 1e4), STABLE, RULES)[0]
    assert backward == MIRROR[forward]


@settings(deadline=None)
@given(samples)
def test_identical_samples_never_flag(values):
    verdict, p, _ = compare_distributions(values, list(values), mean(values), mean(values), RULES)
    assert verdict in (SAME, INCONCLUSIVE) and p == 1.0


@settings(deadline=None)
@given(positive, st.integers(0, 300), st.integers(0, 300))
def test_a_constant_series_never_flags(value, n1, n2):
    verdict, _, _ = compare_distributions([value] * n1, [value] * n2, value, value, RULES)
    assert verdict in (SAME, INCONCLUSIVE)


@settings(deadline=None)
@given(st.lists(positive, min_size=12, max_size=60), st.floats(0.0, 5.0))
def test_a_shift_past_the_margin_always_flags_with_enough_samples(before, extra):
    """Every new value above every old one (shifted by more than their spread) and the means
    at least the margin apart: worse, and better the other way round."""
    spread = max(before) - min(before)
    shift = max(spread, (RULES.worse_ratio - 1) * mean(before)) * (1 + extra) + 1e-3
    now = [x + shift for x in before]
    assume(mean(now) >= RULES.worse_ratio * mean(before))
    verdict, p, _ = compare_distributions(before, now, mean(before), mean(now), RULES)
    assert verdict == WORSE and p < RULES.p_value
    assert compare_distributions(now, before, mean(now), mean(before), RULES)[0] == BETTER


def test_ten_minutes_of_a_baseline_prove_nothing_about_memory():
    """A history that starts 10 minutes before the baseline ends (24 h kept, a 24 h window):
    its slope is noise, never a regression seen on partial data."""
    short = Window(BEFORE.end - timedelta(minutes=10), BEFORE.end)
    tail = side(short, memory_mb_per_hr=-30.0)
    before = replace(
        tail,
        window=BEFORE,
        connected=raw("bot_connected", list(tail.connected.series[0].points), BEFORE),
        uptime=raw("bot_uptime_seconds", list(tail.uptime.series[0].points), BEFORE),
        memory=raw("process_resident_memory_bytes", list(tail.memory.series[0].points), BEFORE),
    )
    verdict = judged(before, side(NOW, seed=2))
    assert verdict.band is Band.NO_DATA, verdict.message()
    row = rows_of(verdict)["memory slope"]
    assert row["verdict"] == INCONCLUSIVE and "under 1 h of samples to fit" in row["test"]


def test_flat_memory_after_falling_memory_is_no_regression():
    """Growth under the stable line is no growth: +0.6 after -0.5 MB/hr is not worse."""
    verdict = judged(side(BEFORE, memory_mb_per_hr=-0.5), side(NOW, memory_mb_per_hr=0.6, seed=1))
    assert rows_of(verdict)["memory slope"]["verdict"] == SAME, verdict.message()
    assert verdict.band is Band.TARGET


def _runs_sample_by_sample(
    times: list[float], origin: float, starts: list[float]
) -> list[tuple[int, int, int, int]]:
    """interval_runs' rule as first written: every sample's key, then the runs of equal keys."""
    keys = [(bisect.bisect_right(starts, t), int((t - origin) // 300)) for t in times]
    edges = [0, *(i for i in range(1, len(keys)) if keys[i] != keys[i - 1]), len(keys)]
    return [(a, b, *keys[a]) for a, b in zip(edges, edges[1:], strict=False)] if keys else []


@given(
    gaps=st.lists(st.floats(0.001, 900.0), max_size=60),
    first=st.floats(1.7e9, 1.8e9),
    origin=st.floats(1.7e9, 1.8e9) | st.just(0.0),
    starts=st.lists(st.floats(1.7e9, 1.8e9), max_size=4),
)
def test_interval_runs_are_the_runs_of_every_samples_key(
    gaps: list[float], first: float, origin: float, starts: list[float]
) -> None:
    times = list(itertools.accumulate([first, *gaps]))
    starts = sorted(starts + [t for t in times[1::7]])  # some starts exactly at a sample
    assert interval_runs(times, origin, starts) == _runs_sample_by_sample(times, origin, starts)


def test_interval_runs_of_no_samples_are_none() -> None:
    assert interval_runs([], 0.0) == []
