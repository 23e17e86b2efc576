"""The burn-in day replayed against the sandbox: `python -m burnin watch --speed max` runs the
spec's schedule as pytest sessions of the suite, is stopped with Ctrl-C in the middle, resumes
from the history, and ends with the 24 h checkpoint's decision."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.history import runs
from tests.conftest import interruptible
from tests.e2e.suite_run import ROOT

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


def _schedule() -> list[tuple[str, timedelta]]:
    """The spec's schedule, written out here rather than taken from burnin.watch."""
    smoke = [("smoke", timedelta(minutes=15 * i)) for i in range(16)]  # hours 0-4
    hourly = [("6h" if h == 6 else "smoke", timedelta(hours=h)) for h in range(4, 12)]
    late = [("12h", timedelta(hours=12)), ("smoke", timedelta(hours=16))]
    return smoke + hourly + late + [("smoke", timedelta(hours=20)), ("24h", timedelta(hours=24))]


def _watch(deployed: datetime, tmp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "burnin",
            "watch",
            "--target=sandbox",
            f"--deployed-at={deployed.isoformat()}",
            f"--history-db={tmp / 'history.sqlite'}",
            "--speed=max",
            "--",
            f"--reports-dir={tmp / 'reports'}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible,  # stopped by SIGINT below
    )


def test_a_replayed_day_runs_the_schedule_once_through_a_restart(sandbox_up, tmp_path):
    sandbox_up("healthy")
    deployed = (datetime.now(UTC) - timedelta(hours=24, minutes=5)).replace(microsecond=0)
    db = tmp_path / "history.sqlite"
    first = _watch(deployed, tmp_path)
    deadline = time.monotonic() + 120
    while len(runs(db)) < 8 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)  # Ctrl-C in the middle of the day
    stopped, _ = first.communicate(timeout=60)
    assert first.returncode == 130, stopped
    assert "stopped; the same command resumes" in stopped
    second = _watch(deployed, tmp_path)
    resumed, _ = second.communicate(timeout=300)
    finished = [r for r in runs(db) if not r.interrupted]
    judged = [
        (r.phases[0], datetime.fromisoformat(r.windows[r.phases[0]][1]) - deployed)
        for r in finished
    ]
    assert judged == _schedule(), stopped + resumed  # each check once, at its moment
    assert "missed" not in resumed
    lines = resumed.strip().splitlines()
    assert lines[-2].startswith("burnin watch: the day is over: 24h checkpoint "), resumed
    decision = json.loads(Path(finished[-1].reports["json"]).read_text())["decision"]
    assert f"decision {decision}" in lines[-2]
    # Healthy but the team's sign-off is a manual item still open: WARNING (1), never OK unseen;
    # the 24 h checkpoint waits for it, open.
    assert (second.returncode, finished[-1].state) == (1, "WARNING"), resumed
    assert (decision, finished[-1].decision) == ("AWAITING SIGN-OFF", "AWAITING SIGN-OFF")
    assert lines[-2].endswith(
        "stays open until the team records its sign-off, then run it again "
        "(--phase 24h, or --phase auto)"
    )
    assert lines[-1].startswith("burnin watch: report ") and lines[-1].endswith(".html")
