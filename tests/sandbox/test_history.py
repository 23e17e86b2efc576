"""Unit tests of the history generator: no servers, fast."""

from __future__ import annotations

import shutil
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from burnin.sandbox import history
from burnin.sandbox.scenario import (
    HOUR,
    SCENARIOS,
    AlertEvent,
    ScrapeGap,
    resolve,
)

# A fixed moment (a Sunday noon, UTC): what the history holds never depends on when the
# tests run.
END = history.history_end(datetime(2026, 11, 29, 12, 0, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def hist(request: pytest.FixtureRequest) -> history.History:
    return history.generate(SCENARIOS[request.param], END)


def _samples(h: history.History, family: str) -> list[tuple[int, float]]:
    return h.samples(family)


def _increase(samples: list[tuple[int, float]]) -> float:
    """Counter increase with resets, like PromQL's increase() without extrapolation."""
    total = 0.0
    for (_, a), (_, b) in zip(samples, samples[1:], strict=False):
        total += b - a if b >= a else b
    return total


def test_openmetrics_format(hist: history.History) -> None:
    text = history.openmetrics(hist)
    lines = text.splitlines()
    assert text.endswith("# EOF\n")
    assert lines.count("# EOF") == 1 and "" not in lines
    for line in lines[:-1]:
        if line.startswith("#"):
            continue
        ts = int(line.rsplit(" ", 1)[1])
        # Seconds, not milliseconds (milliseconds would land in the year 58000).
        assert hist.start <= ts <= hist.end <= END


def test_series_sorted_and_on_grid(hist: history.History) -> None:
    for family, by_labels in hist.series.items():
        # Scraped series every scrape interval; ALERTS at every rule evaluation.
        step = history.EVALUATION_S if family == "ALERTS" else hist.stack.scrape_s
        late = set() if family == "ALERTS" else _late_stamps(hist)
        for samples in by_labels.values():
            times = [t for t, _ in samples]
            assert times == sorted(set(times))
            assert all((t - hist.end) % step == 0 for t in times if t not in late)


def _late_stamps(hist: history.History) -> set[int]:
    step = hist.stack.scrape_s
    first = int(hist.end) - (int(hist.end) - int(hist.start)) // step * step
    _missed, late = history.busy_scrapes(
        SCENARIOS[hist.scenario].late_scrapes, first, int(hist.end), step
    )
    return set(late.values())


def test_a_busy_prometheus_misses_a_scrape_and_stamps_the_next_late() -> None:
    """healthy's Prometheus every 2 h: one scrape missed, the next 1-6 s late (31-36 s after
    the one before), never two missed in a row; not one gap of 37.5 s (2.5 intervals) or more."""
    h = history.generate(SCENARIOS["healthy"], END)
    times = [t for t, _ in _samples(h, "bot_connected")]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    long = [g for g in gaps if g > 2 * h.stack.scrape_s]
    assert len(long) == SCENARIOS["healthy"].late_scrapes == 24
    assert all(31 <= g <= 36 for g in long), long
    assert {b - a for a, b in zip(times, times[1:], strict=False) if b - a < 15} <= set(
        range(9, 15)
    )
    assert [t for t, _ in _samples(h, "up")] == times  # every family stamped alike
    assert times[-1] == h.end


def test_span_covers_the_history_hours_plus_margin(hist: history.History) -> None:
    scenario = SCENARIOS[hist.scenario]
    hours = scenario.history_hours
    connected = _samples(hist, "bot_connected")
    assert connected[0][0] == hist.start == hist.end - hours * 3600 - 600
    if scenario.live_scrape:
        assert connected[-1][0] == hist.end
    if scenario.restarts or scenario.scrape_gaps or scenario.previous or scenario.late_scrapes:
        return  # holes (or missed scrapes) by design (a deployment is a stop and a start)
    step = hist.stack.scrape_s
    assert len(connected) == (hours * 3600 + 600) // step + 1  # the hours + 10 min, both ends


def test_healthy_history_lets_a_24h_window_end_at_any_clock_time() -> None:
    assert SCENARIOS["healthy"].history_hours >= 48


def test_prefixed_scenario_prefixes_only_the_bots_own_names() -> None:
    text = history.openmetrics(history.generate(SCENARIOS["prefixed-metrics"], END))
    assert "\nrosey_bot_connected{" in text and "\nrosey_bot_errors_total{" in text
    assert "\nprocess_resident_memory_bytes{" in text and "\nbot_connected{" not in text


def test_late_journal_starts_at_its_hours() -> None:
    scenario = SCENARIOS["journal-late"]
    hist = history.generate(scenario, END)
    first_s = min(int(e["__REALTIME_TIMESTAMP"]) for e in hist.journal) / 1e6
    assert (
        END - scenario.journal_hours * 3600 <= first_s < END - scenario.journal_hours * 3600 + 600
    )


def test_same_labels_as_live_scrape(hist: history.History) -> None:
    labels = dict(history.TARGET_LABELS)
    assert labels == {"job": "rosey-bot", "instance": "127.0.0.1:18000", "env": "production"}


def test_uptime_percentages() -> None:
    def uptime(name: str) -> float:
        s = _samples(history.generate(SCENARIOS[name], END), "bot_connected")
        return 100 * sum(v for _, v in s) / len(s)

    assert uptime("healthy") == 100.0
    assert 99.3 <= uptime("flapping") <= 99.7


def test_journal_sorted_and_consistent_with_error_counter(hist: history.History) -> None:
    stamps = [int(e["__REALTIME_TIMESTAMP"]) for e in hist.journal]
    assert stamps == sorted(stamps)
    if hist.stack.log_file:  # the bot's lines are in its log file; the journal has systemd's
        errors = [line for _, line in hist.log_lines if "] [ERROR] " in line]
    else:
        errors = [e["MESSAGE"] for e in hist.journal if e["PRIORITY"] == "3"]
        units = {e["_SYSTEMD_UNIT"] for e in hist.journal if e["PRIORITY"] == "3"}
        assert units <= {"rosey-bot.service"}
    assert all("[ERROR]" in line for line in errors)
    assert len(errors) == _increase(_samples(hist, "bot_errors")) == len(hist.error_times)


def test_healthy_is_clean() -> None:
    h = history.generate(SCENARIOS["healthy"], END)
    assert not [e for e in h.journal if int(e["PRIORITY"]) <= 4]
    assert "ALERTS" not in h.series
    assert _increase(_samples(h, "process_start_time_seconds")) == 0
    mem = _samples(h, "process_resident_memory_bytes")
    growth_mb_per_hr = (mem[-1][1] - mem[0][1]) / 2**20 / ((mem[-1][0] - mem[0][0]) / HOUR)
    assert growth_mb_per_hr < 1


def test_flapping_logs_reconnects_and_error_burst() -> None:
    s = SCENARIOS["flapping"]
    h = history.generate(s, END)
    msgs = [e["MESSAGE"] for e in h.journal]
    lost = [m for m in msgs if "Connection lost" in m]
    assert len(lost) == len(s.disconnects)
    assert sum("Reconnecting to " in m for m in msgs) >= len(s.disconnects)
    burst = s.error_bursts[0]
    b0 = resolve(burst.start, END)
    in_burst = [t for t in h.error_times if b0 <= t < b0 + burst.duration_s]
    assert len(in_burst) / (burst.duration_s / 60) > 1  # more than 1 error/min for 10 min


def test_users_follow_the_day(hist: history.History) -> None:
    if SCENARIOS[hist.scenario].history_hours < 24:
        pytest.skip("a history shorter than a day holds no whole day to compare")

    def mean(hours: range) -> float:
        vals = [
            v
            for t, v in _samples(hist, "bot_users")
            if datetime.fromtimestamp(t, UTC).hour in hours and v > 0
        ]
        return sum(vals) / len(vals)

    assert mean(range(18, 23)) > 1.5 * mean(range(8, 17)) > 3 * mean(range(2, 7))


def test_variant_restart_gap_alert_and_missing_process_metrics() -> None:
    s = SCENARIOS["healthy"].variant(
        "t",
        "restart, gap, alert",
        restarts=(6 * HOUR,),
        scrape_gaps=(ScrapeGap(12 * HOUR, 1800),),
        alerts=(AlertEvent("HighErrorRate", "warning", 3 * HOUR, 600),),
        process_metrics=False,
    )
    h = history.generate(s, END)
    uptime = _samples(h, "bot_uptime_seconds")
    drops = [b for (_, a), (_, b) in zip(uptime, uptime[1:], strict=False) if b < a]
    assert len(drops) == 1 and drops[0] < 60
    assert 0 in [v for _, v in _samples(h, "up")]
    times = [t for t, _ in _samples(h, "bot_connected")]
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) >= 1800
    assert not any(f.startswith("process_") for f in h.series)
    (alert,) = h.series["ALERTS"].values()
    assert 119 <= len(alert) <= 121  # 600 s at the 5 s evaluation step
    assert any("Scheduled restart job" in e["MESSAGE"] for e in h.journal)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_promtool_and_journal_remote_accept_the_files(tmp_path: Path) -> None:
    h = history.generate(SCENARIOS["flapping"], END)
    om = tmp_path / "h.om"
    om.write_text(history.openmetrics(h))
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om), str(tmp_path / "data")],
        check=True,
        capture_output=True,
    )
    assert any((tmp_path / "data").iterdir())
    journal = tmp_path / "history.journal"
    subprocess.run(
        ["/lib/systemd/systemd-journal-remote", "--split-mode=none", "-o", str(journal), "-"],
        input=history.journal_export(h),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["journalctl", "--file", str(journal), "--verify"], check=True, capture_output=True
    )
    out = subprocess.run(
        ["journalctl", "--file", str(journal), "-u", "rosey-bot", "-p", "err", "-o", "cat"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert len(out.splitlines()) == len(h.error_times)


@pytest.mark.parametrize("name", ["healthy", "lying-health", "flapping"])
def test_users_drift_as_a_channel_does_never_jumping_between_scrapes(name):
    """The live bot and the history read the same curve; between two readings a minute apart
    it moves by at most 2 users, within consistency's tolerance (± 3) at every hour."""
    from burnin.sandbox.scenario import users_at

    users, seed = SCENARIOS[name].users, SCENARIOS[name].seed
    steps = [
        abs(users_at(users, t + 60, seed) - users_at(users, t, seed))
        for t in range(END - 2 * 86400, END, 15)
    ]
    assert max(steps) <= 2


def test_a_neighbour_on_the_same_prometheus_is_backfilled_under_its_own_labels(
    tmp_path: Path,
) -> None:
    """shared-prometheus: the staging bot's series share the bot's names and families, keep
    their own env, instance and job (a fleet's instances never rename them), and stay out of
    the production bot's own samples and journal."""
    scenario = SCENARIOS["shared-prometheus"]
    assert scenario.neighbour is not None
    staging = dict(scenario.neighbour.labels)
    h = history.generate(scenario, END)
    day = SCENARIOS["healthy"].variant("p", "p", history_hours=24.0, late_scrapes=0)
    production = history.generate(day, END)
    assert _samples(h, "bot_connected") == _samples(production, "bot_connected")
    assert len(h.journal) == len(production.journal)
    alerts = {dict(labels)["alertname"]: points for labels, points in h.series["ALERTS"].items()}
    assert set(alerts) == {"BotDown", "CriticalErrorRate"}
    assert all(dict(labels)["env"] == "staging" for labels in h.series["ALERTS"])
    # Over before live rules could see them (a 5 minute lookback).
    assert max(t for points in alerts.values() for t, _ in points) < END - 3600
    text = history.openmetrics(h, ("bot-1", "bot-2"))
    lines = text.splitlines()
    assert lines.count("# TYPE bot_connected gauge") == 1  # one family, both systems in it
    first = {'env="staging"': 0, 'instance="bot-1"': 0, 'instance="bot-2"': 0}
    for line in lines:
        if line.startswith("bot_connected{"):
            for key in first:
                first[key] += key in line
    assert first['env="staging"'] == first['instance="bot-1"'] == first['instance="bot-2"']
    assert f'instance="{staging["instance"]}",job="{staging["job"]}"' in text
    if shutil.which("promtool"):
        om = tmp_path / "h.om"
        om.write_text(text)
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om), str(tmp_path)],
            check=True,
            capture_output=True,
        )


def _split(samples: list[tuple[int, float]], at: float) -> tuple[list, list]:
    return [p for p in samples if p[0] < at], [p for p in samples if p[0] >= at]


@pytest.mark.parametrize("name", ["release-regressed", "release-improved"])
def test_a_release_scenario_deploys_its_version_inside_the_history(name: str) -> None:
    scenario = SCENARIOS[name]
    assert scenario.previous is not None and scenario.history_hours >= 48
    h = history.generate(scenario, END)
    deployed = END - scenario.previous.replaced
    lines = [(int(e["__REALTIME_TIMESTAMP"]) / 1e6, e["MESSAGE"]) for e in h.journal]
    starting = [(t, m) for t, m in lines if "Starting rosey-bot" in m]
    assert [m.rsplit(" ", 1)[1] for t, m in starting if t >= deployed] == [scenario.version]
    stop = [t for t, m in lines if m.startswith("Stopping rosey-bot.service")]
    assert stop == [deployed - history.DEPLOY_STOP_S]  # a stop and a start, not a crash
    assert sum("Scheduled restart job" in m for _, m in lines) == len(scenario.restarts)
    # The new process starts at the deployment: its uptime counts from there.
    uptime = [(t, v) for t, v in _samples(h, "bot_uptime_seconds") if t >= deployed]
    assert uptime[0][0] - uptime[0][1] == pytest.approx(deployed, abs=1)
    # Errors are each release's share of its requests.
    for part, release in zip(
        (
            _split(_samples(h, "bot_requests"), deployed),
            _split(_samples(h, "bot_errors"), deployed),
        ),
        ("requests", "errors"),
        strict=True,
    ):
        assert all(len(side) > 1000 for side in part), release
    requests = [_increase(side) for side in _split(_samples(h, "bot_requests"), deployed)]
    errors = [_increase(side) for side in _split(_samples(h, "bot_errors"), deployed)]
    ratios = [e / r for e, r in zip(errors, requests, strict=True)]
    assert ratios[0] == pytest.approx(scenario.previous.error_ratio, rel=0.15)
    assert ratios[1] == pytest.approx(scenario.error_ratio, rel=0.15)


def test_release_regressed_grows_memory_faster_after_the_deployment() -> None:
    scenario = SCENARIOS["release-regressed"]
    h = history.generate(scenario, END)
    deployed = END - scenario.previous.replaced

    def growth(points: list[tuple[int, float]]) -> float:
        """MiB/hr, least squares (the samples wander a few MB either way)."""
        slope = statistics.linear_regression([t for t, _ in points], [v for _, v in points])
        return slope.slope / 2**20 * HOUR

    before, after = _split(_samples(h, "process_resident_memory_bytes"), deployed)
    assert growth(before) == pytest.approx(0.5, abs=0.1)  # the generator's MB are MiB
    assert growth(after) == pytest.approx(8, abs=0.1)
