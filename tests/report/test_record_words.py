"""The record a reviewer reads: the answer in words in every artefact, each number linked to
the same query over the same window, actions that fit their criterion, words without reprs or
cut sentences, and a Markdown report under GitHub's comment limit for any fleet."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from burnin.bands import Band
from burnin.decision import Decision, Overall
from burnin.report.evidence import code_html, main_question, value_text
from burnin.report.html import summary_html
from burnin.report.jsonout import summary_json
from burnin.report.links import (
    Asked,
    Consoles,
    asked,
    consoles_of,
    dashboard_link,
    prometheus_link,
    public_url,
)
from burnin.report.markdown import LIMIT, daily_report
from burnin.report.model import CriterionResult
from burnin.report.plots import draw_all
from burnin.report.summary import action_for, headline
from burnin.report.table import add_header, add_row, skip_message
from burnin.schedule import Window
from burnin.verdict import Evidence, Verdict
from tests.report.records import WINDOW, awaiting_signoff, fleet, record
from tests.words import (
    EMOJI,
    html_items,
    json_items,
    markdown_items,
    problems,
)

UTC_ZONE = ZoneInfo("UTC")
AT = datetime(2026, 11, 29, 9, 0, 0, 678000, tzinfo=UTC)


# ---------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://ana:s3cret@mon.example/prometheus/", "https://mon.example/prometheus"),
        ("http://10.0.0.5:9090?token=abc#x", "http://10.0.0.5:9090"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_a_link_never_carries_credentials_and_keeps_the_route_prefix(url, public):
    assert public_url(url) == public


def test_a_value_at_a_moment_links_to_the_same_expression_at_that_moment():
    evidence = Evidence(
        "prometheus",
        'sum(increase(bot_errors_total{env="production"}[86400s])) / 1440',
        {"at": AT.isoformat(), "value": 0.02},
    )
    (question,) = asked(evidence, WINDOW, UTC_ZONE)
    link = prometheus_link("https://ana:pw@mon.example/prometheus", question)
    parts = urlsplit(link)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("mon.example", "/prometheus/graph")
    assert params == {
        "g0.expr": 'sum(increase(bot_errors_total{env="production"}[86400s])) / 1440',
        "g0.tab": "1",
        "g0.range_input": "24h",
        "g0.end_input": "2026-11-29 09:00:00.678",
    }
    assert "pw" not in link and "ana" not in link


def test_raw_samples_link_to_the_series_over_the_phase_window_not_now():
    window = Window(AT - timedelta(hours=6), AT)
    evidence = Evidence("prometheus", 'bot_connected{env="production"}[21600s] (raw samples)')
    (question,) = asked(evidence, window, UTC_ZONE)
    assert (question.expr, question.end, question.range_s) == (
        'bot_connected{env="production"}',
        AT,
        21600,
    )
    params = parse_qs(urlsplit(prometheus_link("http://p:9090", question)).query)
    assert "g0.tab" not in params and params["g0.range_input"] == ["6h"]  # the graph tab


def test_each_query_of_a_period_is_asked_at_its_period_end():
    evidence = Evidence(
        "prometheus",
        "per period, evaluated at each period's end: sum(increase(x[18000s])) ; max(y[18000s])",
        {"periods": [{"period": "2026-11-28 18:00-23:00 UTC", "errors": 0}]},
    )
    found = asked(evidence, WINDOW, UTC_ZONE)
    assert [q.expr for q in found] == ["sum(increase(x[18000s]))", "max(y[18000s])"]
    assert {(q.end, q.range_s) for q in found} == {
        (datetime(2026, 11, 28, 23, 0, tzinfo=UTC), 18000)
    }


def test_commands_and_requests_are_shown_not_linked():
    ssh = asked(Evidence("ssh", "systemctl is-active rosey-bot"), WINDOW, UTC_ZONE)
    assert ssh == [Asked("ssh", "systemctl is-active rosey-bot")] and ssh[0].command
    assert prometheus_link("http://p:9090", ssh[0]) == ""
    api = asked(Evidence("prometheus", "GET http://p:9090/api/v1/rules"), WINDOW, UTC_ZONE)
    assert prometheus_link("http://p:9090", api[0]) == ""


def test_the_dashboard_link_is_grafanas_explore_over_the_same_range():
    question = Asked("prometheus", "up", "up", AT, 3600)
    link = dashboard_link("https://ana:pw@grafana.example/g/d/abc/bot?orgId=1", question)
    assert link.startswith("https://grafana.example/g/explore?left=")
    left = json.loads(parse_qs(urlsplit(link).query)["left"][0])
    end_ms = int(AT.timestamp() * 1000)
    assert left == {
        "queries": [{"refId": "A", "expr": "up"}],
        "range": {"from": str(end_ms - 3600_000), "to": str(end_ms)},
    }
    assert dashboard_link("", question) == ""


def test_consoles_come_from_the_targets_urls_without_credentials():
    found = consoles_of(
        {"prometheus_url": "https://u:p@mon/prom", "dashboard_url": "http://g:3000/d/x"}
    )
    assert found == Consoles("https://mon/prom", "http://g:3000/d/x")


# ---------------------------------------------------------------- evidence


def test_a_query_wraps_at_operators_never_inside_a_name():
    html = code_html('max_over_time(sum(rate(bot_errors_total{env="production"}[5m]))[1d:1m])')
    pieces = html.split("<wbr>")
    assert "bot_errors_total{" in pieces and 'env="production"}' in pieces
    assert all("_" not in p[:1] and "_" not in p[-1:] for p in pieces)
    assert code_html("a < b & c") == "a &lt; b &amp; c"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "none"),
        (True, "yes"),
        (0.123456789, "0.123457"),
        ([1.0, 2.0], "1, 2"),
        (list(range(15)), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, and 3 more"),
        ({"a": 1, "b": {"c": [1, 2]}}, "a 1; b c 1, 2"),
    ],
)
def test_kept_values_are_words_never_a_repr(value, text):
    assert value_text(value) == text


def test_the_question_behind_a_number_is_its_value_at_a_moment_first():
    verdict = Verdict(
        "error-rate", Band.TARGET, 0.0, "errors/min", "", "", WINDOW,
        (
            Evidence("prometheus", "x[86400s] (raw samples)"),
            Evidence("prometheus", "sum(x)", {"at": AT.isoformat(), "value": 0.0}),
            Evidence("ssh", "journalctl -u bot"),
        ),
    )  # fmt: skip
    question = main_question(verdict, UTC_ZONE)
    assert question is not None and question.expr == "sum(x)" and question.instant


def test_the_results_table_gets_band_observed_link_threshold_and_folded_evidence():
    header = ["<th>Result</th>", "<th>Test</th>", "<th>Duration</th>", "<th>Links</th>"]
    add_header(header)
    assert [re.sub("<[^>]+>", "", h) for h in header] == [
        "Result", "Test", "Band", "Observed", "Threshold", "Evidence", "Duration",
    ]  # fmt: skip
    row = record(healthy=False).result("uptime")
    cells = ["<td>r</td>", "<td>t</td>", "<td>d</td>", '<td class="col-links"></td>']
    add_row(cells, row, Consoles("http://p:9090"), UTC_ZONE)
    assert len(cells) == 7 and re.sub("<[^>]+>", "", cells[2]) == "critical"
    assert '<a href="http://p:9090/graph?g0.expr=q_uptime' in cells[3]
    assert "<code>q_uptime</code>" in cells[5] and "&lt;" not in re.sub("<[^>]+>", "", cells[5])


def test_a_skipped_rows_log_is_its_reason_not_a_tuple():
    assert skip_message(("/x/fixtures/verdicts.py", 64, "Skipped: sign-off: PENDING")) == (
        "sign-off: PENDING"
    )
    assert skip_message("a failure") is None


# ---------------------------------------------------------------- the answer, in words


@pytest.mark.parametrize(
    ("run", "overall", "decision", "said"),
    [
        (record(healthy=True), Overall.HEALTHY, Decision.PASS, "Healthy: all 9 checks"),
        (
            awaiting_signoff(),
            Overall.HEALTHY,
            Decision.AWAITING_SIGNOFF,
            "Healthy so far: all 9 checks judged passed; waiting for the team's sign-off",
        ),
        (record(healthy=False), Overall.CRITICAL, Decision.FAIL, "Not healthy: 4 of 10 checks"),
    ],
)
def test_every_artefact_says_the_state_and_decision_in_words(run, overall, decision, said):
    assert (run.overall, run.decision) == (overall, decision)
    assert headline(run).startswith(said)
    html = unescape(summary_html(run, draw_all(run), "BURNIN OK"))
    assert f'id="burnin-overall">{overall.name}<' in html
    assert f'id="burnin-decision">{decision.value}<' in html
    assert said in html and said in daily_report(run)
    summary = json.loads(summary_json(run))
    assert (summary["overall"], summary["decision"]) == (overall.name, decision.value)


def test_a_run_awaiting_the_sign_off_never_speaks_of_issues():
    run = awaiting_signoff()
    html = unescape(summary_html(run, [], "BURNIN WARNING"))
    for text in (html, daily_report(run), summary_json(run)):
        assert "healthy so far" in text.lower() and "waiting for the team's sign-off" in text
        assert "Address issues" not in text and "Issues:" not in text
    assert "Waiting for (1)" in summary_html(run, [], "BURNIN WARNING")


def test_the_html_uses_no_glyph_a_font_may_lack():
    for run in (record(healthy=True), record(healthy=False), awaiting_signoff(), fleet(5, 2)):
        html = summary_html(run, draw_all(run), "BURNIN CRITICAL")
        text = " ".join(html_items(html))
        assert not EMOJI.findall(text), sorted(set(EMOJI.findall(text)))


@pytest.mark.parametrize(
    ("criterion", "band", "said"),
    [
        ("backup", Band.CRITICAL, "Make a backup now"),
        ("sign-off", Band.PENDING, "Record the team's sign-off"),
        ("peak-observed", Band.PENDING, "not in this window yet"),
        ("uptime", Band.CRITICAL, "roll back if the deployment caused it"),
        ("monitoring-operational", Band.CRITICAL, "a rollback would not cure it"),
        ("health-latency", Band.DEGRADED, "Performance issue"),
        ("error-rate", Band.SOURCE_ERROR, "Repair the observer's access"),
    ],
)
def test_each_action_fits_its_criterion(criterion, band, said):
    row = CriterionResult(f"t::{criterion}[24h]", criterion, "24h", band)
    action = action_for(row)
    assert said in action
    if criterion in ("backup", "sign-off", "peak-observed", "monitoring-operational"):
        assert "roll back if" not in action and "Sortie 9" not in action


@pytest.mark.parametrize(
    "run", [record(healthy=True), record(healthy=False), awaiting_signoff(), fleet(12, 4)]
)
def test_no_repr_cut_sentence_or_word_twice_in_any_artefact(run):
    found = [
        *problems(html_items(summary_html(run, draw_all(run), "BURNIN OK - 3 ok")), "html"),
        *problems(markdown_items(daily_report(run)), "md"),
        *problems(json_items(json.loads(summary_json(run))), "json"),
    ]
    assert found == []


def test_the_word_check_finds_what_it_is_for():
    found = problems(
        [
            "('/x/fixtures/verdicts.py', 64, 'Skipped: x')",
            "record it, e.g. '[team-confident]\\nwho = \"Ana\"'",
            "per period, evaluated at each period's end:",
            "uptime (connected 23.8 h",
            "the the bot",
            "Continue to 24 hours",
            "Address issues before proceeding",
        ],
        "x",
    )
    assert len(found) == 6, found


# ---------------------------------------------------------------- where it is attached


@pytest.mark.parametrize("failing", [0, 3, 100])
def test_the_markdown_of_a_100_bot_fleet_fits_a_github_comment(failing):
    run = fleet(100, failing)
    text = daily_report(run)
    assert len(text) <= LIMIT < 65_536, len(text)
    assert text.index("### Overall Status") < text.index("### Fleet (100 bots)")
    assert f"{100 - failing} of 100 bots passed every check; {failing} did not." in text
    if failing > 10:  # the per-bot detail is folded
        assert "<details><summary>The bots that did not pass everything</summary>" in text
    assert text.count("<details>") == text.count("</details>")


def test_a_fleet_failing_alike_is_one_line_per_criterion():
    run = fleet(100, 100)
    text = daily_report(run)
    assert re.search(r"^1\. uptime \[24h\] on 100 bots: bot-1, bot-2, .* and 88 more ", text, re.M)
    assert len(summary_html(run, [], "BURNIN CRITICAL")) < 300_000


def test_the_reports_layout_has_a_print_and_narrow_window_form():
    html = summary_html(record(healthy=True), [], "BURNIN OK")
    assert "@media print" in html and "size: A4" in html and "min-width: 0" in html


def test_an_interrupted_awaiting_run_is_still_said_to_be_partial():
    run = replace(awaiting_signoff(), interrupted=True)
    assert "interrupted" in summary_html(run, [], "BURNIN UNKNOWN")
    assert "interrupted" in daily_report(run)


def test_the_summary_is_self_contained():
    """It loads nothing from elsewhere (images are data: URIs); links only point at sources."""
    html = summary_html(record(healthy=False), draw_all(record(healthy=False)), "BURNIN")
    assert not re.search(r'src="(?!data:)|<link |@import|url\(', html)


def test_many_notable_events_are_folded_behind_their_count_in_the_markdown():
    from burnin.report.model import RangeAnswer
    from burnin.series import Series

    start = WINDOW.start.timestamp()
    points = [(start + 60.0 * i, 0.0 if i % 100 == 50 else 1.0) for i in range(24 * 60)]
    answer = RangeAnswer("bot_connected", WINDOW.start, WINDOW.end, 60, (Series({}, points),))
    text = daily_report(replace(record(healthy=True), ranges={"bot_connected": answer}))
    assert "<details><summary>15 events (14 disconnect, 1 peak)</summary>" in text
    assert text.count("<details>") == text.count("</details>")
