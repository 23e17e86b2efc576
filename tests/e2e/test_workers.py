"""pytest-xdist (`-n 2`) against the sandbox: the record the controller writes from its workers'
reports is the record of a run in one process: the same rows in the same order with the same
bands, values and evidence, the same JUnit cases, HTML rows, plots and daily report, and one
history row. Both runs judge the same past moment (`--at`), so their windows are the same."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.suite_run import ALL_PHASES, SuiteRun, run_suite
from tests.reports import report_blob, report_rows

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]

# Read from the live bot by each run, at the moment it runs whatever --at says (its latency,
# its health answer beside Prometheus's latest values): the value differs between the two
# runs (seconds apart, more on a loaded machine), never the band.
LIVE = {"health-latency", "consistency"}


def _run(tmp: Path, at: str, *args: str) -> SuiteRun:
    return run_suite(tmp, f"--at={at}", f"--history-db={tmp / 'history.sqlite'}", *args)


def _record(run: SuiteRun) -> dict:
    return json.loads(next(run.reports_dir.glob("*.json")).read_text())


def _junit(tmp: Path) -> list[tuple[str, str, dict[str, str]]]:
    cases = ET.parse(tmp / "junit.xml").getroot().iter("testcase")
    return sorted(
        (
            c.get("classname", ""),
            c.get("name", ""),
            {p.get("name"): p.get("value") for p in c.iter("property")},
        )
        for c in cases
    )


def _markdown(run: SuiteRun) -> str:
    text = next(run.reports_dir.glob("*.md")).read_text()
    text = re.sub(r"\d\d:\d\d:\d\d(\.\d+)?", "T", text)  # started / finished
    return re.sub(r"[\d.]+ ms", "X ms", text)  # health latency, measured by each run


def _untimed(summary: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    return {
        phase: [r if r["metric"] != "Health Response Time" else {**r, "value": ""} for r in rows]
        for phase, rows in summary.items()
    }


def test_a_run_split_over_workers_writes_the_record_of_one_process(sandbox_up, tmp_path):
    sandbox_up("healthy")
    at = datetime.fromtimestamp(time.time() - 60, UTC).isoformat(timespec="seconds")
    one = _run(tmp_path / "one", at)
    split = _run(tmp_path / "split", at, "-n", "2")
    assert one.bands and one.returncode == split.returncode, split.output[-3000:]
    assert "INTERNALERROR" not in split.output

    record_one, record_split = _record(one), _record(split)
    rows_one, rows_split = record_one["criteria"], record_split["criteria"]
    assert [r["nodeid"] for r in rows_split] == [r["nodeid"] for r in rows_one]
    for a, b in zip(rows_one, rows_split, strict=True):
        if a["criterion"] in LIVE:
            assert a["band"] == b["band"], (a, b)
        else:
            assert a == b
    for key in ("windows", "overall", "decision", "counts", "checklist"):
        assert record_split[key] == record_one[key], key
    assert _untimed(record_split["metrics_summary"]) == _untimed(record_one["metrics_summary"])

    junit_one, junit_split = _junit(tmp_path / "one"), _junit(tmp_path / "split")
    assert [(c, n, p["band"]) for c, n, p in junit_split] == [
        (c, n, p["band"]) for c, n, p in junit_one
    ]
    html_one, html_split = one.reports_dir / "report.html", split.reports_dir / "report.html"
    assert report_rows(html_split) == report_rows(html_one)
    plots = [
        report_blob(h) and h.read_text().count("data:image/svg+xml") for h in (html_one, html_split)
    ]
    assert plots[0] > 0 and plots[1] == plots[0]
    assert _markdown(split) == _markdown(one)
    for tmp in (tmp_path / "one", tmp_path / "split"):
        with sqlite3.connect(tmp / "history.sqlite") as db:
            assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_everything_is_judged_in_a_split_run_of_every_phase(sandbox_up, tmp_path):
    """All four phases over two workers: every test of the one-process listing has its row."""
    sandbox_up("healthy")
    split = run_suite(tmp_path, "-n", "2", marker=ALL_PHASES)
    record = _record(split)
    assert len(record["criteria"]) == len(split.by_id) > 50, split.output[-2000:]
    passing = {"target", "acceptable", "pending", "skipped"}
    failed = [r for r in record["criteria"] if r["band"] not in passing]
    assert not failed, failed
