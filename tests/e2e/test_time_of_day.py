"""A healthy deployment passes at every hour of the day: the healthy sandbox (48 h of history)
judged with --at at clock times spread over the day, the evening peak included.

The only rows that may not pass: sign-off (pending: nobody recorded it), alerts-functional
(skipped: not opted in), at 12 h, peak-observed while the window does not yet hold every
peak hour (pending: neither a pass nor a flag on the service), and vs-previous-release where its
baseline, the same hours a day earlier, starts before the history does (no data: 48 h of history
hold a 12 h window's day before only in the last 12 hours). Where the baseline is there, the
same bot on the day before is no worse: TARGET.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.suite_run import run_suite
from tests.e2e.test_truth_table import EDGE_S, holds_full_peak

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]

# UTC; 18:00-23:00 is the peak, 02:00-07:00 off-peak.
CLOCK_TIMES = ("01:00", "05:30", "09:00", "13:00", "19:30", "22:50")
PHASES = "checkpoint_12h or checkpoint_24h"


def latest(clock: str, before: float) -> datetime:
    """The latest moment at `clock` UTC before `before` (epoch seconds)."""
    hours, minutes = (int(x) for x in clock.split(":"))
    end = datetime.fromtimestamp(before, UTC)
    moment = end.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return moment if moment <= end else moment - timedelta(days=1)


@pytest.mark.parametrize("clock", CLOCK_TIMES)
def test_healthy_passes_at_every_hour(clock, sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    at = latest(clock, time.time() - 120)
    assert at.timestamp() - 24 * 3600 >= info.history_start, "history too short for --at"
    run = run_suite(tmp_path, f"--at={at.isoformat()}", marker=PHASES)
    assert run.bands, run.output[-3000:]
    allowed = {"sign-off": {"pending"}, "alerts-functional": {"skipped"}}
    if not holds_full_peak(at.timestamp(), 12, EDGE_S):
        allowed["peak-observed[12h]"] = {"pending"}
    compared: dict[str, float] = {}
    for phase, hours in (("12h", 12), ("24h", 24)):
        baseline_start = at.timestamp() - (hours + 24) * 3600
        if baseline_start < info.history_start + EDGE_S:
            allowed[f"vs-previous-release[{phase}]"] = {"no_data"}
        else:
            compared[f"vs-previous-release[{phase}]"] = baseline_start
    not_passed = {
        key: f"{band}: {run.messages.get(key, '')[:300]}"
        for key, band in run.bands.items()
        if run.outcomes[key] != "passed"
        and band not in allowed.get(key, allowed.get(key.split("[")[0], set()))
    }
    assert not not_passed, f"at {at.isoformat()}:\n" + "\n".join(
        f"{k}: {v}" for k, v in sorted(not_passed.items())
    )
    if not holds_full_peak(at.timestamp(), 12, -EDGE_S):
        assert run.bands["peak-observed[12h]"] == "pending", run.messages.get("peak-observed[12h]")
    for key in compared:
        assert run.bands[key] == "target", run.messages.get(key)
    short = [k for k in run.bands if k.startswith("vs-previous") and run.bands[k] == "no_data"]
    for key in short:
        assert "cannot prove no regression: the baseline" in run.messages[key], key
    # No data is not a pass: the run says so (its history, not the bot, is short).
    assert (run.returncode == 0) == (not short), run.output[-2000:]
