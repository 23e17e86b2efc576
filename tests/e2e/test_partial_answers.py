"""A Prometheus whose remote read store is down (scenario remote-read-down): every answer holds
the healthy day and warns it may be partial. The checkpoint verdicts are the truth table's
(every Prometheus criterion NO_DATA); here `burnin doctor` says it before the first checkpoint,
one line with its fix."""

from __future__ import annotations

import pytest

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
