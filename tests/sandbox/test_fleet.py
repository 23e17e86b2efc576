"""The sandbox as a fleet: the one bot scraped and backfilled under instance labels bot-1 ...
bot-N, so a selector picks one bot of several (the suite's multi-series paths on real data)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

import burnin.sandbox as sandbox
from burnin.sandbox.configs import prometheus_yml
from burnin.sandbox.history import INSTANCE, fleet_instances, generate, held_until, openmetrics
from burnin.sandbox.paths import default_layout
from burnin.sandbox.scenario import SCENARIOS
from tests.e2e.suite_run import run_suite

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


@pytest.fixture(scope="module")
def fleet() -> Iterator[sandbox.SandboxInfo]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up("healthy", bots=BOTS)
    sandbox.down()


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
    assert all(5750 <= count <= 5765 for count in counts.values()), counts
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
