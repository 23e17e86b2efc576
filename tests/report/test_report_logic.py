"""burnin.report as plain functions: fake verdicts in, summary rows, events, Markdown, JSON, plots out."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from burnin.report.html import summary_html
from burnin.report.jsonout import summary_json
from burnin.report.markdown import daily_report
from burnin.report.model import Decision, redact_url
from burnin.report.plots import PLOTS, draw_all
from burnin.report.summary import checklist, issues, metric_rows
from burnin.report.timeline import notable_events
from burnin.verdict import Overall
from tests.report.records import record

# The spec's Daily Report Template, section by section, in order.
TEMPLATE_SECTIONS = [
    r"^# Production Validation Report - Day \d+$",
    r"^## Date: \d{4}-\d{2}-\d{2}$",
    r"^## Validator: .+$",
    r"^### Overall Status: (✅ HEALTHY|⚠️ ISSUES|❌ CRITICAL)$",
    r"^### Metrics Summary$",
    r"^\| Metric \| Value \| Target \| Status \|$",
    r"^### Notable Events$",
    r"^### Issues Encountered$",
    r"^### Action Items$",
    r"^### Observations$",
    r"^### Recommendation$",
]


def test_healthy_run_passes_with_every_box_ticked():
    healthy = record(healthy=True)
    assert healthy.overall is Overall.HEALTHY and healthy.decision is Decision.PASS
    rows = {r.metric: r for r in metric_rows(healthy, "24h")}
    assert rows["Uptime"].value == "100 %" and rows["Uptime"].target == "> 99.9 %"
    assert rows["Restarts"].target == "0 restarts" and rows["Restarts"].status == "✅"
    assert rows["Peak Users"].value == "87" and rows["Peak Users"].status == "ℹ️"
    states = {item.text: item.state for item in checklist(healthy, "24h")}
    assert states["Uptime > 99.9%"] == "done"
    assert states["Team confident in stability"] == "pending"  # manual: never ticked by a probe
    assert issues(healthy) == []


def test_bad_run_fails_and_lists_each_failed_criterion_with_evidence():
    bad = record(healthy=False)
    assert bad.overall is Overall.CRITICAL and bad.decision is Decision.FAIL
    rows = {r.metric: r for r in metric_rows(bad, "24h")}
    assert rows["Uptime"].status == "❌" and rows["Uptime"].value == "98 %"
    lines = issues(bad)
    assert len(lines) == len(bad.failed) == 5  # uptime, error-rate, peak, sign-off, coverage
    uptime_line = next(line for line in lines if line.startswith("uptime"))
    assert (
        "CRITICAL" in uptime_line and "observed 98 %" in uptime_line and "q_uptime" in uptime_line
    )
    assert any("coverage [24h] SOURCE_ERROR" in line and "not reachable" in line for line in lines)
    states = {item.text: item.state for item in checklist(bad, "24h")}
    assert states["Uptime > 99.9%"] == "open" and states["Zero unplanned restarts"] == "done"


def test_timeline_shows_disconnections_restarts_alerts_and_peaks_in_local_time():
    bad = record(healthy=False)
    texts = [e.text for e in notable_events(bad)]
    assert "Bot disconnected for 3m00s, then reconnected" in texts
    assert "Service restarted (systemd restart job)" in texts
    assert "Alert BotDown (critical) fired for 5m00s" in texts
    assert "Peak hour 18:00-23:00, 87 users, 40 errors" in texts
    berlin = replace(
        bad,
        thresholds=replace(
            bad.thresholds,
            traffic=replace(
                bad.thresholds.traffic, timezone=__import__("zoneinfo").ZoneInfo("Europe/Berlin")
            ),
        ),
    )
    assert "- **11-28 13:00** - Service restarted" in daily_report(berlin)  # 12:00 UTC


@pytest.mark.parametrize("healthy", [True, False])
def test_markdown_follows_the_template(healthy):
    text = daily_report(record(healthy))
    lines = text.splitlines()
    position = 0
    for pattern in TEMPLATE_SECTIONS:
        found = next((i for i, line in enumerate(lines) if re.match(pattern, line)), None)
        assert found is not None and found >= position, f"{pattern} missing or out of order"
        position = found
    assert "## Validator: Ana" in text
    if healthy:
        assert "1. **None**" in text and "✅ Continue to Day 2 validation" in text
    else:
        assert "❌ Rollback and investigate" in text and "- [ ] Uptime > 99.9%" in text


def test_json_summary_has_verdict_bands_values_and_window():
    data = json.loads(summary_json(record(healthy=False)))
    assert data["overall"] == "CRITICAL" and data["decision"] == "FAIL"
    assert data["windows"]["24h"]["seconds"] == 86400
    uptime = next(c for c in data["criteria"] if c["criterion"] == "uptime")
    assert uptime["band"] == "critical" and uptime["observed"] == 98.0 and uptime["unit"] == "%"


def test_plots_drawn_from_fetched_data_and_notes_for_the_rest():
    plots = {p.name: p for p in draw_all(record(healthy=False))}
    assert set(plots) == {name for name, _, _ in PLOTS}
    for name in ("connection", "error-rate", "health-latency", "users"):
        assert plots[name].png and plots[name].png.startswith(b"\x89PNG"), name
    assert plots["memory"].png is None and "left out" in plots["memory"].note


def test_missing_data_and_a_broken_plot_still_give_a_summary():
    empty = replace(record(healthy=True), results=(), ranges={})
    plots = draw_all(empty)
    assert all(p.png is None and p.note for p in plots)
    html = summary_html(empty, plots, "BURNIN WARNING - 0 ok")
    assert "⚠️ ISSUES" in html and "left out" in html
    broken = replace(record(healthy=True), ranges={"bot_connected": "not an answer"})  # type: ignore[dict-item]
    connection = next(p for p in draw_all(broken) if p.name == "connection")
    assert connection.png is None and connection.note.startswith("plotting failed")


def test_summary_html_holds_status_table_checklist_and_images():
    html = summary_html(record(healthy=False), draw_all(record(healthy=False)), "BURNIN CRITICAL")
    assert 'id="burnin-overall">Overall Status: ❌ CRITICAL' in html
    assert "<strong>FAIL</strong>" in html
    assert html.count('<img alt="') == 4
    assert 'data-state="pending"' in html


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://bot:s3cret@10.0.0.5:9090/", "http://bot:***@10.0.0.5:9090/"),
        (
            "http://10.0.0.5:8000/api/health?token=abc&x=1",
            "http://10.0.0.5:8000/api/health?token=***&x=1",
        ),
        ("http://10.0.0.5:9090", "http://10.0.0.5:9090"),
    ],
)
def test_secrets_in_urls_are_redacted(url, shown):
    assert redact_url(url) == shown
