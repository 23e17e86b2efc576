"""Every criterion, proven both ways: the checkpoint suite runs against the sandbox production in
each scenario, and every test's band must be the one this table expects.

A scenario's entry lists only what does not pass; everything else must pass. A value is either a
band for every phase that runs the criterion, or {phase: band} (unlisted phases pass).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from burnin.sandbox import SCENARIOS
from burnin.sandbox.scenario import resolve
from tests.e2e.suite_run import run_suite

pytestmark = pytest.mark.sandbox

PASS = "pass"

TRUTH: dict[str, dict[str, str | dict[str, str]]] = {
    "healthy": {},
    "flapping": {
        "uptime": "degraded",
        "error-rate": "critical",
        "errors-total": "degraded",
        "logs-clean": {"6h": "critical", "12h": "critical", "24h": "critical"},
    },
    "leak-slow": {"memory-growth": "degraded", "memory-peak": "degraded"},
    "leak-fast": {"memory-growth": "critical", "memory-peak": "critical"},
    "peak-error-burst": {
        "error-rate": "critical",
        "errors-total": "degraded",
        "logs-clean": {"6h": "critical", "12h": "critical", "24h": "critical"},
    },
    "restart": {
        "restarts": "critical",
        "logs-clean": {"6h": "critical", "12h": "critical", "24h": "critical"},
    },
    "slow-health": {"health-latency": "degraded"},
    "alert-history": {"alerts": {"6h": "degraded", "12h": "critical", "24h": "degraded"}},
    "scrape-gap": {"coverage": "degraded"},
    "no-process-metrics": {"memory-growth": "skipped", "memory-peak": "skipped", "cpu": "skipped"},
    "offpeak-disconnect": {
        "uptime": "degraded",
        "longest-disconnect": "critical",
        "logs-clean": {"6h": "critical", "12h": "critical", "24h": "critical"},
    },
    "long-drop": {
        "uptime": "degraded",
        "longest-disconnect": "critical",
        "errors-total": {"6h": "degraded"},  # one error: over 6 h's zero, under 12 h's ten
        "logs-clean": {"6h": "critical", "12h": "critical", "24h": "critical"},
    },
}

# Incidents pinned to a time of day fall inside a phase's window or not depending on when the
# test runs: there the phase must pass.
CLOCK_INCIDENTS = {"peak-error-burst": ("19:00", 600), "offpeak-disconnect": ("03:30", 300)}
PHASE_HOURS = {"smoke": 0.25, "6h": 6, "12h": 12, "24h": 24}


def expected_band(scenario: str, criterion: str, phase: str, history_end: float) -> str:
    rule = TRUTH[scenario].get(criterion, PASS)
    band = rule.get(phase, PASS) if isinstance(rule, dict) else rule
    if band != PASS and scenario in CLOCK_INCIDENTS:
        when, duration_s = CLOCK_INCIDENTS[scenario]
        start = resolve(when, history_end)
        window_start = history_end - timedelta(hours=PHASE_HOURS[phase]).total_seconds()
        if start + duration_s < window_start:
            return PASS
    return band


def observed(band: str, outcome: str) -> str:
    """The band, checked against the pytest outcome it must have produced."""
    expected_outcome = {
        "target": "passed",
        "acceptable": "passed",
        "skipped": "skipped",
        "source_error": "error",
    }.get(band, "failed")
    assert outcome == expected_outcome, f"band {band} came out as {outcome}"
    return PASS if outcome == "passed" else band


def test_table_covers_every_scenario():
    assert set(TRUTH) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", list(TRUTH))
def test_truth_table(scenario, sandbox_up, tmp_path):
    info = sandbox_up(scenario)
    run = run_suite(tmp_path)
    assert run.bands, run.output[-3000:]
    actual = {key: observed(run.bands[key], run.outcomes[key]) for key in run.bands}
    expected = {
        key: expected_band(
            scenario, key.split("[")[0], key.split("[")[1].rstrip("]"), info.history_end
        )
        for key in run.bands
    }
    wrong = {
        key: f"expected {expected[key]}, got {actual[key]}: {run.messages.get(key, '')[:300]}"
        for key in actual
        if actual[key] != expected[key]
    }
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))
    assert (run.returncode == 0) == all(v in (PASS, "skipped") for v in expected.values())
