"""The day so far in the record: after the 6 h and 12 h checkpoints of a deployment, the 24 h
report shows all three side by side, and the smoke checks so far as a plot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.suite_run import run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


def test_the_24h_report_shows_the_deployments_checkpoints_and_smoke_checks(sandbox_up, tmp_path):
    sandbox_up("healthy")
    deployed = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="seconds")
    history = tmp_path / "history.sqlite"
    common = (f"--deployed-at={deployed}", f"--history-db={history}")
    for n, phase in enumerate(("smoke", "smoke", "6h", "12h", "24h")):
        run = run_suite(
            tmp_path / f"run{n}", *common, f"--phase={phase}", marker=phase_marker(phase)
        )
        assert run.bands, run.output[-2000:]
    reports = tmp_path / "run4" / "reports"
    markdown = (reports / "report.md").read_text()
    section = markdown.split("### Trend Across Checkpoints", 1)[1].split("###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split("|")[1].strip() for row in rows[1:]] == ["6h", "12h", "24h (this run)"]
    assert all("100 %" in row for row in rows[1:]), rows  # uptime of each checkpoint
    html = (reports / "report.html").read_text()
    assert (
        'data-plot="smoke-trend"' in html
        and 'class="plot missing" data-plot="smoke-trend"' not in html
    )


def phase_marker(phase: str) -> str:
    return "smoke" if phase == "smoke" else f"checkpoint_{phase}"
