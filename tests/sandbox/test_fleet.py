"""The sandbox as a fleet: the one bot scraped and backfilled under instance labels bot-1 ...
bot-N, so a selector picks one bot of several (the suite's multi-series paths on real data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from burnin.sandbox.configs import prometheus_yml
from burnin.sandbox.history import INSTANCE, fleet_instances, generate, held_until, openmetrics
from burnin.sandbox.paths import default_layout
from burnin.sandbox.scenario import SCENARIOS
from tests.e2e.suite_run import ROOT, run_suite
from tests.e2e.test_time_of_day import latest
from tests.e2e.test_truth_table import EDGE_S, holds_full_peak
from tests.sandbox.conftest import DAY_OF_SAMPLES

BOTS = 3


def test_one_bot_keeps_its_address_a_fleet_is_numbered():
    assert fleet_instances(1) == (INSTANCE,)
    assert fleet_instances(3) == ("bot-1", "bot-2", "bot-3")


def test_every_series_of_the_bot_is_written_once_per_instance():
    hist = generate(SCENARIOS["healthy"], 1_796_000_000)
    one = openmetrics(hist).splitlines()
    fleet = openmetrics(hist, fleet_instances(BOTS)).splitlines()
    samples = [line for line in one if line.startswith("bot_connected{")]
    for instance in fleet_instances(BOTS):
        mine = [line for line in fleet if f'instance="{instance}"' in line]
        assert len([line for line in mine if line.startswith("bot_connected{")]) == len(samples)
    assert not [line for line in fleet if INSTANCE in line]


def test_prometheus_scrapes_the_bot_once_per_instance():
    text = prometheus_yml(default_layout(), bots=BOTS)
    assert text.count('- targets: ["127.0.0.1:18000"]') == BOTS
    assert all(f"instance: bot-{i}" in text for i in range(1, BOTS + 1))
    assert "instance:" not in prometheus_yml(default_layout())


@pytest.mark.sandbox
def test_each_bot_of_the_fleet_has_its_day_and_is_scraped(fleet):
    def query(promql: str) -> dict[str, float]:
        answer = requests.get(
            f"{fleet.prometheus_url}/api/v1/query", params={"query": promql}, timeout=10
        ).json()["data"]["result"]
        return {r["metric"]["instance"]: float(r["value"][1]) for r in answer}

    assert fleet.bots == BOTS
    counts = query("count_over_time(bot_connected[24h])")
    assert set(counts) == set(fleet_instances(BOTS))
    assert all(count in DAY_OF_SAMPLES for count in counts.values()), counts
    assert query('up{job="rosey-bot"}') == dict.fromkeys(fleet_instances(BOTS), 1.0)


@pytest.mark.sandbox
def test_the_suite_judges_one_bot_of_the_fleet_and_never_passes_a_missing_one(fleet, tmp_path):
    prometheus_rows = "uptime or longest_disconnect or errors_total or memory_growth or coverage"
    one = run_suite(
        tmp_path / "bot-2", "--selector", 'env="production",instance="bot-2"',
        "-k", prometheus_rows, marker="checkpoint_24h",
    )  # fmt: skip
    assert set(one.outcomes.values()) == {"passed"}, one.output[-2000:]
    missing = run_suite(
        tmp_path / "bot-9", "--selector", 'env="production",instance="bot-9"',
        "-k", prometheus_rows, marker="checkpoint_24h",
    )  # fmt: skip
    assert "passed" not in set(missing.outcomes.values()), missing.output[-2000:]
    assert set(missing.bands.values()) == {"no_data"}, missing.bands


# Where the fleet's bots differ: Prometheus's series (the instance label). The health endpoint
# and the host are the one sandbox bot's, shared by every instance.
PROMETHEUS_ROWS = {
    "uptime", "longest-disconnect", "coverage", "consistency", "error-rate", "restarts", "alerts",
    "memory-growth", "memory-peak", "cpu", "peak-observed", "peak-handled", "offpeak-handled",
    "monitoring-operational", "vs-previous-release",
}  # fmt: skip


@pytest.mark.sandbox
@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_fleet_run_judges_every_bot_and_never_passes_one_that_is_not_there(
    fleet, tmp_path, workers
):
    """In one process, and split over two pytest-xdist workers (`-n 2`): the same record."""
    bots = [*fleet_instances(BOTS), "bot-ghost"]
    run = run_suite(
        tmp_path, "--instances", ",".join(bots),
        "--selector", 'env="production", instance="{instance}"', "-n", workers,
        marker="checkpoint_24h",
    )  # fmt: skip
    rows = run.by_id
    # One row per bot for each criterion; the fleet-wide ones once, by the target's name.
    for bot in bots:
        assert f"uptime[{bot}-24h]" in rows and f"logs-clean[{bot}-24h]" in rows, sorted(rows)
    assert [i for i in rows if i.startswith("sign-off[")] == ["sign-off[sandbox-24h]"]
    for bot in fleet_instances(BOTS):
        mine = {i: v for i, v in rows.items() if f"[{bot}-" in i}
        assert {outcome for _, outcome in mine.values()} == {"passed"}, mine
    ghost = {i.split("[")[0]: v for i, v in rows.items() if "[bot-ghost-" in i}
    assert {name for name, (_, outcome) in ghost.items() if outcome == "passed"}.isdisjoint(
        PROMETHEUS_ROWS
    ), ghost
    assert PROMETHEUS_ROWS <= set(ghost)
    record = json.loads(next(run.reports_dir.glob("*.json")).read_text())
    fleet_summary = record["fleet"]
    assert list(fleet_summary) == bots
    assert [fleet_summary[b]["overall"] for b in bots] == ["HEALTHY"] * BOTS + ["CRITICAL"]
    assert {r["criterion"] for r in fleet_summary["bot-ghost"]["not_passed"]} == PROMETHEUS_ROWS
    markdown = next(run.reports_dir.glob("*.md")).read_text()
    assert f"### Fleet ({BOTS + 1} bots)" in markdown
    assert "- bot-ghost: ❌ CRITICAL — uptime[24h] NO_DATA" in markdown
    # The terminal names the bots that did not pass, and only those.
    fleet_lines = [line for line in run.output.splitlines() if line.startswith("burnin fleet:")]
    assert len(fleet_lines) == 1 and "bot-ghost: ❌ CRITICAL — uptime[24h]" in fleet_lines[0]


@pytest.mark.sandbox
def test_doctor_checks_each_bot_of_a_fleet(fleet):
    env = {
        **os.environ,
        "BURNIN_INSTANCES": "bot-1,bot-ghost",
        "BURNIN_SELECTOR": 'env="production", instance="{instance}"',
    }
    done = subprocess.run(
        [sys.executable, "-m", "burnin", "doctor", "--target", "sandbox"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )  # fmt: skip
    real, _, ghost = done.stdout.partition("bot bot-ghost:")
    assert "bot bot-1:" in real and "MISSING" not in real, done.stdout
    assert "MISSING  metric bot_connected: bot_connected exists, but no series under " in ghost
    assert "doctor: 25 ok, 10 missing, 0 not checked" in ghost, ghost
    assert "fix:" not in ghost  # no other bot's instance offered as the ghost's selector
    assert done.returncode == 1


@pytest.mark.sandbox
@pytest.mark.parametrize("clock", ["05:30", "19:30", "22:50"])
def test_a_healthy_fleet_passes_at_every_hour(fleet, tmp_path, clock):
    """The time-of-day rule (tests/e2e/test_time_of_day.py) for a fleet: every bot's rows pass
    at clock times off-peak, in the peak and at its end, judged together."""
    at = latest(clock, time.time() - 120)
    assert at.timestamp() - 24 * 3600 >= fleet.history_start, "history too short for --at"
    run = run_suite(
        tmp_path, f"--at={at.isoformat()}", "--instances", ",".join(fleet_instances(BOTS)),
        "--selector", 'env="production", instance="{instance}"',
        marker="checkpoint_12h or checkpoint_24h",
    )  # fmt: skip
    allowed = {("sign-off", "pending"), ("alerts-functional", "skipped")}
    if not holds_full_peak(at.timestamp(), 12, EDGE_S):
        # 12 h: not every peak hour in the window yet, neither a pass nor a flag.
        allowed |= {(f"peak-observed[{bot}-12h]", "pending") for bot in fleet_instances(BOTS)}
    for phase, hours in (("12h", 12), ("24h", 24)):
        # The same hours a day earlier, before the history begins: no data, never a pass.
        if at.timestamp() - (hours + 24) * 3600 < fleet.history_start + EDGE_S:
            allowed |= {
                (f"vs-previous-release[{bot}-{phase}]", "no_data") for bot in fleet_instances(BOTS)
            }
    not_passed = {
        key: band
        for key, (band, outcome) in run.by_id.items()
        if outcome != "passed"
        and (key, band) not in allowed
        and (key.split("[")[0], band) not in allowed
    }
    assert not not_passed, f"at {at.isoformat()}: {not_passed}\n{run.output[-2000:]}"
    assert len([k for k in run.by_id if k.startswith("uptime[")]) == 2 * BOTS


def test_a_long_backfill_is_bridged_with_the_last_values_on_the_history_s_grid():
    hist = generate(SCENARIOS["healthy"], 1_796_000_000)
    bridge = held_until(hist, hist.end, hist.end + 120)
    connected = bridge.samples("bot_connected")
    assert [t for t, _ in connected] == [hist.end + 15 * k for k in range(1, 9)]
    assert {v for _, v in connected} == {hist.samples("bot_connected")[-1][1]}
    again = held_until(hist, hist.end + 60, hist.end + 120)  # a second bridge adds only its part
    assert [t for t, _ in again.samples("bot_connected")] == [
        hist.end + 15 * k for k in range(5, 9)
    ]
