"""The "Compared with the previous release" record: HTML and Markdown tables, the plots, JSON,
the history's rows and the trend across releases (`python -m burnin history --releases`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from burnin.__main__ import main
from burnin.bands import Band
from burnin.config.thresholds import Comparison
from burnin.criteria.releases import ComparisonMeasurement, judge_comparison
from burnin.history import ResultRow, RunRow, record, runs, table
from burnin.report.html import summary_html
from burnin.report.jsonout import summary
from burnin.report.markdown import daily_report
from burnin.report.model import CriterionResult, RunRecord
from burnin.report.releases import (
    compared,
    comparison_plot,
    history_rows,
    release_rows,
    releases_html,
    releases_markdown,
    releases_table,
)
from burnin.report.wire import verdict_from_wire, verdict_to_wire
from burnin.schedule import Baseline, Window
from tests.report.records import END
from tests.report.records import record as a_record
from tests.unit.test_releases import QUERIES, side

NOW = Window(END - timedelta(hours=24), END)
BEFORE = Window(NOW.start - timedelta(hours=24), NOW.start)


def comparison_row(regressed: bool) -> CriterionResult:
    before = side(BEFORE, error_ratio=0.01, memory_mb_per_hr=0.5)
    now = side(
        NOW,
        error_ratio=0.04 if regressed else 0.01,
        memory_mb_per_hr=8.0 if regressed else 0.5,
        seed=3,
    )
    measured = ComparisonMeasurement(Baseline("previous-day"), before, now, QUERIES)
    verdict = judge_comparison(measured, Comparison(), 1.0, NOW, 99.0)
    return CriterionResult(
        "t::vs-previous-release[24h]", "vs-previous-release", "24h", verdict.band, verdict
    )


def with_comparison(regressed: bool) -> RunRecord:
    base = a_record(healthy=True)
    return replace(base, results=(*base.results, comparison_row(regressed)))


def test_a_regression_is_a_table_of_each_metric_with_its_verdict():
    run = with_comparison(regressed=True)
    [item] = compared(run)
    assert item.band is Band.DEGRADED and item.phase == "24h"
    markdown = "\n".join(releases_markdown(run))
    assert "### Compared with the previous release" in markdown
    assert "| Metric | Before | Now | Change | Verdict |" in markdown
    assert "24h: baseline previous-day: 2026-11-27 09:00 .. 2026-11-28 09:00 against" in markdown
    error_line = next(line for line in markdown.splitlines() if line.startswith("| error ratio"))
    assert "% of requests" in error_line and "⚠️ worse" in error_line and "(p " in error_line
    assert "| memory slope |" in markdown and "MB/hr" in markdown
    assert "DEGRADED: worse: a yellow flag" in markdown


def test_the_daily_report_and_the_html_carry_the_comparison():
    run = with_comparison(regressed=True)
    assert "### Compared with the previous release" in daily_report(run)
    html = summary_html(run, [], "BURNIN OK")
    assert 'id="burnin-releases"' in html
    assert 'data-verdict="worse"' in html and "<td>error ratio</td>" in html
    assert 'data-plot="releases-error_ratio_percent"' in html
    assert 'data-plot="releases-memory_mb"' in html


def test_a_run_without_the_criterion_has_no_section():
    run = a_record(healthy=True)
    assert releases_markdown(run) == [] and releases_html(run) == ""
    assert summary(run)["comparison"] == {}


def test_a_declared_first_deployment_says_not_compared():
    measured = ComparisonMeasurement(Baseline("none"), None, None)
    verdict = judge_comparison(measured, Comparison(), 1.0, NOW, 99.0)
    row = CriterionResult("t::v[24h]", "vs-previous-release", "24h", verdict.band, verdict)
    base = a_record(healthy=True)
    run = replace(base, results=(*base.results, row))
    markdown = "\n".join(releases_markdown(run))
    assert "24h: not compared" in markdown and 'baseline = "none"' in markdown
    assert "| Metric |" not in markdown


def test_both_releases_are_drawn_on_one_plot():
    summary_values = comparison_row(regressed=True).values("comparison")[0]
    image = comparison_plot(summary_values, "memory_mb", "Resident memory", "MB")
    assert image is not None and image.startswith(b"<svg")
    assert b"previous release" in image and b"+0 h" in image
    assert comparison_plot({}, "memory_mb", "Resident memory", "MB") is None


def test_the_json_holds_the_table_without_the_plot_series():
    found = summary(with_comparison(regressed=True))["comparison"]["24h"]
    assert found["band"] == "degraded" and found["baseline"] == "previous-day"
    assert "series" not in found
    rows = {row["metric"]: row for row in found["rows"]}
    assert rows["error ratio"]["verdict"] == "worse"
    assert rows["error ratio"]["query_before"].startswith(QUERIES["errors"])
    assert found["before"]["window"][0].startswith("2026-11-27T09:00:00")
    json.dumps(found)  # plain data


def test_rows_survive_the_trip_from_a_worker():
    row = comparison_row(regressed=True)
    assert row.verdict is not None
    back = verdict_from_wire(json.loads(json.dumps(verdict_to_wire(row.verdict))))
    run = replace(a_record(healthy=True), results=(replace(row, verdict=back),))
    assert releases_markdown(run) == releases_markdown(
        replace(a_record(healthy=True), results=(row,))
    )


def test_the_history_keeps_each_metric_and_its_verdict():
    rows = {r.criterion: r for r in history_rows(with_comparison(regressed=True))}
    error = rows["compare:error ratio"]
    assert error.band == "worse" and error.phase == "24h"
    assert error.value == pytest.approx(4.0, rel=0.15)
    assert " -> " in error.observed and "% of requests" in error.observed


def checkpoint_run(deployment: str, regressed: bool, version: str) -> RunRow:
    run = with_comparison(regressed)
    results = tuple(
        ResultRow(r.criterion, r.phase, r.band.value, None, r.observed_text) for r in run.results
    ) + history_rows(run)
    results += (ResultRow("health-version", "24h", "target", None, version),)
    return RunRow(
        "production", deployment, ("24h",), deployment, deployment, {}, "OK", False, {}, results
    )


def test_the_trend_across_releases_lists_each_deployment_s_latest_checkpoint(tmp_path, capsys):
    db = tmp_path / "history.sqlite"
    record(db, checkpoint_run("2026-11-27T09:00:00+00:00", False, "v1.0.0"))
    record(db, checkpoint_run("2026-11-28T09:00:00+00:00", True, "v1.1.0"))
    rows = release_rows(runs(db, "production"))
    assert [(r.deployment, r.version, r.compared) for r in rows] == [
        ("2026-11-27T09:00:00+00:00", "v1.0.0", "target"),
        ("2026-11-28T09:00:00+00:00", "v1.1.0", "degraded"),
    ]
    assert set(rows[1].worse) == {"error ratio", "memory slope"}
    text = releases_table(rows)
    assert "degraded (" in text and "% of requests" in text and "MB/hr" in text
    # The runs table lists criteria that failed, not the comparison's rows.
    assert "compare:" not in table(runs(db, "production"))
    assert main(["history", "--db", str(db), "--releases"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split()[:4] == ["deployment", "version", "checkpoint", "vs"]
    assert "v1.1.0" in printed
    assert main(["history", "--db", str(db), "--releases", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[1]["compared"] == "degraded" and listed[1]["values"]["error ratio"]
