"""The benchmark's tools against the sandbox: the trace of a checkpoint run (which also shows
the host's commands sent once, at session start, while the other criteria run) and the floor
replaying it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.e2e.suite_run import ROOT, run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


def test_a_traced_run_sends_each_host_command_once_ahead_and_the_floor_replays_it(
    sandbox_up, tmp_path
):
    info = sandbox_up("healthy")
    trace = tmp_path / "trace.jsonl"
    run = run_suite(
        tmp_path, "-p", "ci.trace", marker="checkpoint_24h", env={"BURNIN_TRACE": str(trace)}
    )
    assert run.returncode in (0, 1), run.output[-2000:]
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    kinds = Counter(r["kind"] for r in records)
    assert kinds["ssh-connect"] == 1 and kinds["http"] > 10 and kinds["health"] >= 10
    commands = Counter(r["command"] for r in records if r["kind"] == "ssh")
    assert commands and max(commands.values()) == 1, commands  # nothing asked twice
    # Sent at session start: every command of the plan was on its way before the last
    # Prometheus request of the run (the criteria that ask the host run last).
    last_http = max(r["t0"] for r in records if r["kind"] == "http")
    assert all(r["t0"] < last_http for r in records if r["kind"] == "ssh")
    floor = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "floor.py"), str(trace), "--key", info.ssh_key,
         "--known-hosts", info.known_hosts],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    replayed = json.loads(floor.stdout)
    # The host's commands went in one session (burnin.probes.ssh_batch): the floor runs each.
    batched = [c for r in records if r["kind"] == "ssh-batch" for c in r["commands"]]
    assert kinds["ssh"] == 1 and len(batched) > 5, kinds
    assert replayed["counts"] == {
        "http": kinds["http"],
        "health": kinds["health"],
        "ssh": len(batched),
    }
    assert replayed["wall_s"] > 0
    one = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "floor.py"), str(trace), "--key", info.ssh_key,
         "--known-hosts", info.known_hosts, "--one-session"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(one.stdout)["counts"] == replayed["counts"]
