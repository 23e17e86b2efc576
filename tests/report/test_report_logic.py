"""burnin.report as plain functions: fake verdicts (and some written by the real judges) in,
summary rows, events, Markdown, JSON, plots out."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from burnin.bands import Band
from burnin.coverage import coverage_of
from burnin.criteria.alerts import QUERY as ALERTS_QUERY
from burnin.criteria.alerts import AlertMeasurement, Firing, judge_alerts
from burnin.criteria.connection import SeriesSamples, judge_longest_disconnect
from burnin.criteria.health import LatencySample, judge_health_latency
from burnin.decision import Decision, Overall
from burnin.probes.health import HealthReading
from burnin.probes.prometheus import AlertRule
from burnin.report.html import summary_html
from burnin.report.jsonout import summary_json
from burnin.report.markdown import daily_report
from burnin.report.model import CriterionResult, RangeAnswer, RunRecord, redact_url
from burnin.report.plots import PLOTS, draw_all
from burnin.report.summary import checklist, fleet_lines, issues, metric_rows
from burnin.report.timeline import notable_events
from burnin.series import Series
from burnin.verdict import Verdict
from tests.conftest import fresh_python
from tests.report.records import CONNECTED_QUERY, THRESHOLDS, WINDOW, record

# The spec's Daily Report Template, section by section, in order.
TEMPLATE_SECTIONS = [
    r"^# Production Validation Report - Day \d+$",
    r"^## Date: \d{4}-\d{2}-\d{2}$",
    r"^## Validator: .+$",
    r"^### Overall Status: (✅ HEALTHY|⚠️ ISSUES|❌ CRITICAL|❓ UNKNOWN)$",
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
    assert rows["Restarts"].target == "0 restarts" and rows["Restarts"].status == "OK"
    assert rows["Restarts"].mark == "✅"  # Markdown's emoji, beside the word
    assert rows["Peak Users"].value == "87" and rows["Peak Users"].status == "INFO"
    states = {item.text: item.state for item in checklist(healthy, "24h")}
    assert states["Uptime > 99.9%"] == "done"
    assert states["Team confident in stability"] == "pending"  # manual: never ticked by a probe
    assert issues(healthy) == []


def test_bad_run_fails_and_lists_each_failed_criterion_with_evidence():
    bad = record(healthy=False)
    assert bad.overall is Overall.CRITICAL and bad.decision is Decision.FAIL
    rows = {r.metric: r for r in metric_rows(bad, "24h")}
    assert rows["Uptime"].status == "CRITICAL" and rows["Uptime"].value == "98 %"
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
        # The final checkpoint passed: its own decision, not "continue to day 2" beside it.
        assert "1. **None**" in text and "✅ Declare Sprint 6 success, move to Sortie 11" in text
        assert "Continue to Day" not in text
    else:
        assert "❌ Roll back and investigate: uptime [24h]" in text
        assert "- [ ] Uptime > 99.9%" in text


def test_json_summary_has_verdict_bands_values_and_window():
    data = json.loads(summary_json(record(healthy=False)))
    assert data["overall"] == "CRITICAL" and data["decision"] == "FAIL"
    assert data["windows"]["24h"]["seconds"] == 86400
    uptime = next(c for c in data["criteria"] if c["criterion"] == "uptime")
    assert uptime["band"] == "critical" and uptime["observed"] == 98.0 and uptime["unit"] == "%"


def test_plots_drawn_from_fetched_data_and_notes_for_the_rest():
    plots = {p.name: p for p in draw_all(record(healthy=False))}
    assert set(plots) == {name for name, _, _ in PLOTS}
    for name in ("connection", "error-rate", "users", "health-latency"):
        root = ET.fromstring(plots[name].image or b"")  # SVG written directly
        assert root.tag == "{http://www.w3.org/2000/svg}svg", name
    assert plots["memory"].image is None and "left out" in plots["memory"].note
    latency = ET.fromstring(plots["health-latency"].image or b"")
    texts = [t.text for t in latency.iter("{http://www.w3.org/2000/svg}text")]
    assert {"Health endpoint latency samples", "acceptable", "critical"} <= set(texts)
    assert plots["health-latency"].data_uri.startswith("data:image/svg+xml;base64,")


def test_every_plot_is_drawn_without_a_plotting_library():
    """The plots are SVG written directly: matplotlib's import alone (about 0.6 s) cost a run
    more than its queries."""
    code = (
        "import sys\n"
        "from tests.report.records import record\n"
        "from burnin.report.plots import draw_all\n"
        "drawn = sorted(p.name for p in draw_all(record(healthy=False)) if p.image)\n"
        "print(drawn, [m for m in ('matplotlib', 'numpy') if m in sys.modules])\n"
    )
    printed = fresh_python(code)
    assert printed.strip() == "['connection', 'error-rate', 'health-latency', 'users'] []", printed


def test_missing_data_and_a_broken_plot_still_give_a_summary():
    empty = replace(record(healthy=True), results=(), ranges={})
    plots = draw_all(empty)
    assert all(p.image is None and p.note for p in plots)
    html = summary_html(empty, plots, "BURNIN UNKNOWN - 0 ok")
    assert 'id="burnin-overall">UNKNOWN<' in html and "CANNOT DECIDE" in html
    assert "left out" in html
    broken = replace(record(healthy=True), ranges={"bot_connected": "not an answer"})  # type: ignore[dict-item]
    connection = next(p for p in draw_all(broken) if p.name == "connection")
    assert connection.image is None and connection.note.startswith("plotting failed")


def test_summary_html_holds_status_table_checklist_and_images():
    html = summary_html(record(healthy=False), draw_all(record(healthy=False)), "BURNIN CRITICAL")
    assert 'class="badge b-bad" id="burnin-overall">CRITICAL<' in html
    assert 'class="badge b-bad" id="burnin-decision">FAIL<' in html
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


# ---------------------------------------------------------------- the criteria's real evidence

HEALTH_URL = "http://10.0.0.5:8000/api/health"


def with_result(run: RunRecord, verdict: Verdict) -> RunRecord:
    """The record with one criterion's row replaced by a verdict a real judge wrote."""
    row = CriterionResult(
        f"t::{verdict.criterion}[24h]", verdict.criterion, "24h", verdict.band, verdict
    )
    rows = [r for r in run.results if r.criterion != verdict.criterion]
    return replace(run, results=(*rows, row))


def raw_connected(drop_at_s: float, drop_s: float) -> list[tuple[float, float]]:
    start = WINDOW.start.timestamp()
    return [
        (t, 0.0 if drop_at_s <= t - start < drop_at_s + drop_s else 1.0)
        for t in (start + 15 * n for n in range(24 * 240 + 1))
    ]


def connection_samples(points: list[tuple[float, float]]) -> SeriesSamples:
    times = [t for t, _ in points]
    return SeriesSamples(
        CONNECTED_QUERY, [Series({}, points)], coverage_of(CONNECTED_QUERY, [times], WINDOW)
    )


def test_latency_plot_is_drawn_from_a_real_health_latency_verdict():
    readings = [HealthReading(HEALTH_URL, 8.0 + n, 200, None, "", "", 1.0, 4.0) for n in range(5)]
    verdict = judge_health_latency(
        LatencySample(readings, 2.0), THRESHOLDS.tiers("health_latency", "24h")
    )
    plots = {p.name: p for p in draw_all(with_result(record(healthy=True), verdict))}
    assert plots["health-latency"].image is not None, plots["health-latency"].note


def test_timeline_reads_the_firings_of_a_real_alerts_verdict():
    start = WINDOW.start.timestamp()
    firing = Firing("BotDown", "critical", start + 7200, 315.0)
    rules = [AlertRule("BotDown", "g", "critical", "ok", "", 15.0, "q")]
    presence = coverage_of(CONNECTED_QUERY, [[start + 15 * n for n in range(5761)]], WINDOW)
    measurement = AlertMeasurement(ALERTS_QUERY, [firing], rules, ("BotDown",), presence, 15.0)
    verdict = judge_alerts(measurement, THRESHOLDS.tiers("alert_count", "24h"), WINDOW, 99.0)
    texts = [e.text for e in notable_events(with_result(record(healthy=True), verdict))]
    assert "Alert BotDown (critical) fired for 5m15s" in texts


def test_timeline_falls_back_on_a_real_longest_disconnect_verdicts_evidence():
    data = connection_samples(raw_connected(3600, 75))
    verdict = judge_longest_disconnect(data, THRESHOLDS.tiers("longest_disconnect", "24h"), 99.0)
    assert verdict.band is Band.CRITICAL
    run = replace(with_result(record(healthy=True), verdict), ranges={})
    texts = [e.text for e in notable_events(run)]
    assert "Longest disconnection: 1m15s (1 in the window)" in texts


def test_timeline_and_criterion_agree_on_a_disconnection_in_a_raw_answer():
    points = raw_connected(3600, 75)
    answer = RangeAnswer(CONNECTED_QUERY, WINDOW.start, WINDOW.end, 15, (Series({}, points),))
    run = replace(record(healthy=True), ranges={"bot_connected": answer})
    texts = [e.text for e in notable_events(run)]
    assert "Bot disconnected for 1m15s, then reconnected" in texts
    data = connection_samples(points)
    seen = judge_longest_disconnect(data, THRESHOLDS.tiers("longest_disconnect", "24h"), 99.0)
    assert seen.observed == 75.0


def test_an_unconfigured_optional_source_shows_as_not_checked_in_a_ticked_item():
    healthy = record(healthy=True)
    monitoring = Verdict(
        "monitoring-operational",
        Band.TARGET,
        "all operational, 1 not checked",
        "",
        "dashboard answers",
        "dashboard not checked (no dashboard_url configured)",
        WINDOW,
    )
    row = CriterionResult(
        "t::monitoring-operational[24h]", "monitoring-operational", "24h", Band.TARGET, monitoring
    )
    with_row = replace(healthy, results=(*healthy.results, row))
    item = next(i for i in checklist(with_row, "24h") if i.text.startswith("All monitoring"))
    assert item.state == "done"
    assert "dashboard not checked (no dashboard_url configured)" in item.why


def test_one_firing_seen_by_every_phase_is_one_event():
    start = WINDOW.start.timestamp()
    rules = [AlertRule("BotDown", "g", "critical", "ok", "", 15.0, "q")]
    presence = coverage_of(CONNECTED_QUERY, [[start + 15 * n for n in range(5761)]], WINDOW)
    rows = []
    # The 6 h window starts inside the firing: it sees the firing's tail only.
    for phase, firing in (
        ("6h", Firing("BotDown", "critical", start + 7300, 215.0)),
        ("12h", Firing("BotDown", "critical", start + 7200, 315.0)),
        ("24h", Firing("BotDown", "critical", start + 7200, 315.0)),
    ):
        measurement = AlertMeasurement(ALERTS_QUERY, [firing], rules, ("BotDown",), presence, 15.0)
        verdict = judge_alerts(measurement, THRESHOLDS.tiers("alert_count", phase), WINDOW, 99.0)
        rows.append(CriterionResult(f"t::alerts[{phase}]", "alerts", phase, verdict.band, verdict))
    healthy = record(healthy=True)
    run = replace(healthy, results=(*healthy.results, *rows))
    alerts = [e.text for e in notable_events(run) if e.kind == "alert"]
    assert alerts == ["Alert BotDown (critical) fired for 5m15s"]


def test_the_trend_puts_recorded_checkpoints_beside_this_run():
    from burnin.history import ResultRow, RunRow
    from burnin.report.trend import checkpoint_trend, markdown_table

    earlier = RunRow(
        "sandbox", "", ("6h",), "2026-11-29T03:00:00+00:00", "2026-11-29T03:01:00+00:00", {},
        "OK", False, {}, (ResultRow("uptime", "6h", "target", 100.0, "100 %"),),
    )  # fmt: skip
    interrupted = RunRow(
        "sandbox", "", ("12h",), "2026-11-29T09:00:00+00:00", "", {}, "OK", True, {}, ()
    )
    rows = checkpoint_trend([earlier, interrupted], record(healthy=True), 87.0)
    assert [r.phase for r in rows] == ["6h", "24h"]
    assert rows[0].values["Uptime"] == "100 %" and not rows[0].current
    assert rows[1].current and rows[1].values["Peak users"] == "87"
    table = markdown_table(rows)
    assert table[0].startswith("| Checkpoint | Run | Uptime |") and "24h (this run)" in table[3]


# ---------------------------------------------------------------- a fleet


def _fleet_record(bad_uptime: float) -> RunRecord:
    rows = []
    for bot, uptime in (("bot-1", 100.0), ("bot-2", bad_uptime), ("bot-3", 100.0)):
        row = record(healthy=True).result("uptime")
        assert row is not None
        verdict = replace(
            row.verdict, band=THRESHOLDS.tiers("uptime", "24h").band(uptime), observed=uptime
        )
        rows.append(
            replace(
                row, nodeid=f"t::uptime[{bot}-24h]", bot=bot, band=verdict.band, verdict=verdict
            )
        )
    return replace(record(healthy=True), results=tuple(rows))


def test_a_fleet_s_row_for_a_criterion_is_its_worst_bot_s_and_every_bot_decides_the_checklist():
    fleet = _fleet_record(bad_uptime=98.0)
    worst = fleet.result("uptime", "24h")
    assert worst is not None and worst.bot == "bot-2" and worst.band is Band.CRITICAL
    assert [r.bot for r in fleet.rows("uptime", "24h")] == ["bot-1", "bot-2", "bot-3"]
    item = next(i for i in checklist(fleet, "24h") if "uptime" in i.why)
    assert item.state == "open" and item.why == "uptime TARGET, uptime CRITICAL"
    healthy = _fleet_record(bad_uptime=100.0)
    assert next(i for i in checklist(healthy, "24h") if "uptime" in i.why).state == "done"


def test_a_fleet_summary_says_which_bots_fail_what():
    fleet = _fleet_record(bad_uptime=98.0)
    assert fleet.bots == ["bot-1", "bot-2", "bot-3"]
    assert fleet_lines(fleet) == [
        f"bot-1: {Overall.HEALTHY.value}",
        f"bot-2: {Overall.CRITICAL.value} — uptime[24h] CRITICAL",
        f"bot-3: {Overall.HEALTHY.value}",
    ]
    assert issues(fleet)[0].startswith("uptime [bot-2 24h] CRITICAL")
    summary = json.loads(summary_json(fleet))
    assert summary["fleet"]["bot-2"] == {
        "overall": "CRITICAL",
        "not_passed": [{"criterion": "uptime", "phase": "24h", "band": "critical"}],
    }
    assert [r["bot"] for r in summary["criteria"]] == ["bot-1", "bot-2", "bot-3"]
    assert "### Fleet (3 bots)" in daily_report(fleet)
    assert 'id="burnin-fleet"' in summary_html(fleet, [], "BURNIN CRITICAL")
    one = record(healthy=True)
    assert (
        one.bots == [] and fleet_lines(one) == [] and json.loads(summary_json(one))["fleet"] == {}
    )
    assert "### Fleet" not in daily_report(one)


def test_a_recorded_fleet_checkpoint_shows_its_worst_bot_in_the_trend():
    from burnin.history import ResultRow, RunRow
    from burnin.report.trend import checkpoint_trend

    earlier = RunRow(
        "fleet", "", ("6h",), "2026-11-29T03:00:00+00:00", "2026-11-29T03:01:00+00:00", {},
        "CRITICAL", False, {},
        (
            ResultRow("uptime", "6h", "target", 100.0, "100 %", "bot-1"),
            ResultRow("uptime", "6h", "critical", 98.0, "98 %", "bot-2"),
            ResultRow("uptime", "6h", "target", 100.0, "100 %", "bot-3"),
        ),
    )  # fmt: skip
    (six, _) = checkpoint_trend([earlier], record(healthy=True), None)
    assert six.values["Uptime"] == "98 %"
