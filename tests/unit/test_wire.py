"""What pytest-xdist's workers send their controller: rows and plotted answers as plain data,
read back to what they were."""

from __future__ import annotations

import execnet
import pytest

from burnin.report.wire import (
    ranges_from_wire,
    ranges_to_wire,
    result_from_wire,
    result_to_wire,
)
from fixtures.session import row_of_nodeid
from tests.report.records import record


@pytest.mark.parametrize("healthy", [True, False])
def test_rows_and_plotted_answers_come_back_as_they_were_sent(healthy):
    run = record(healthy)
    for row in run.results:
        wire = result_to_wire(row)
        # execnet (pytest-xdist's channel) takes only plain data: this is what it would send.
        assert result_from_wire(execnet.loads(execnet.dumps(wire))) == row
    ranges = execnet.loads(execnet.dumps(ranges_to_wire(dict(run.ranges))))
    assert ranges_from_wire(ranges) == run.ranges


def test_an_evidence_value_json_has_no_type_for_goes_as_its_text():
    from datetime import UTC, datetime

    from burnin.bands import Band
    from burnin.report.model import CriterionResult
    from burnin.verdict import Evidence, Verdict

    moment = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    verdict = Verdict("sign-off", Band.TARGET, "x", "", "", "", None, (
        Evidence("file", "signoff.toml", {"signed": moment, "who": ("ana", "ben")}),
    ))  # fmt: skip
    back = result_from_wire(
        result_to_wire(CriterionResult("n", "sign-off", "24h", Band.TARGET, verdict))
    )
    assert back.verdict is not None
    assert back.verdict.evidence[0].values == {"signed": str(moment), "who": ["ana", "ben"]}


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests_production/test_connection.py::test_uptime[bot-3-24h]", ("uptime", "24h", "bot-3")),
        (
            "tests_production/test_host.py::test_logs_clean[sandbox-smoke]",
            ("logs-clean", "smoke", ""),
        ),
        ("tests_production/test_x.py::test_health_up[prod-6h]", ("health-up", "6h", "prod")),
        ("tests_production/test_x.py::test_health_up", ("health-up", "", "")),
    ],
)
def test_a_row_is_read_from_a_test_id_when_its_report_carries_none(nodeid, expected):
    """A dead worker's test (xdist's report has no row data): criterion, phase and bot."""
    row = row_of_nodeid(nodeid, ["smoke", "6h", "12h", "24h"], "sandbox")
    assert (row["criterion"], row["phase"], row["bot"]) == expected
    assert row["verdict"] is None
