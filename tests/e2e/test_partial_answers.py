"""A Prometheus whose remote read store is down (scenario remote-read-down): every answer holds
the healthy day and warns it may be partial. The checkpoint verdicts are the truth table's
(every Prometheus criterion NO_DATA); here `burnin doctor` says it before the first checkpoint,
one line with its fix, and the record says what to mend."""

from __future__ import annotations

import json

import pytest

from tests.e2e.suite_run import run_suite
from tests.e2e.test_doctor import doctor, fix_lines

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("remote-read-down")]


def test_doctor_says_prometheus_answers_may_be_partial(sandbox_up):
    sandbox_up("remote-read-down")
    done = doctor("--target", "sandbox")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    missing = [line for line in out.splitlines() if line.startswith("MISSING")]
    assert len(missing) == 1, out
    assert missing[0].startswith(
        "MISSING  prometheus answers: prometheus said its answers to 'count(last_over_time("
    ), out
    assert "may be partial: remote_read: " in missing[0] and "connection refused" in missing[0]
    assert missing[0].endswith("while it says so, every Prometheus criterion is NO_DATA"), out
    assert fix_lines(out) == [
        "fix: make every store Prometheus reads from answer (its remote_read, Thanos stores), or "
        "point prometheus_url at one that answers whole"
    ], out
    assert "ok       metric bot_connected" in out  # what it holds is there, and said so


def test_the_record_says_to_make_prometheus_answer_whole(sandbox_up, tmp_path):
    """A row that is NO_DATA for partial answers: its evidence lists them; its action item is
    Prometheus's to mend, never a rollback."""
    sandbox_up("remote-read-down")
    run = run_suite(tmp_path, "-k", "uptime or health_up", marker="checkpoint_24h")
    assert run.bands == {"uptime[24h]": "no_data", "health-up[24h]": "target"}, run.output[-3000:]
    record = json.loads(next(run.reports_dir.glob("*.json")).read_text())
    (uptime,) = [row for row in record["criteria"] if row["criterion"] == "uptime"]
    assert "answers their source said may be partial" in uptime["queries"]
    markdown = next(run.reports_dir.glob("*.md")).read_text()
    assert "1. uptime [24h]: Make Prometheus answer whole (" in markdown, markdown
    assert "roll back" not in markdown.lower(), markdown
