"""The HTML block shown above pytest-html's test table, the answer first: the state and the
decision in words and colour, what did not pass with its cause and what to do, then the metrics
table (each value one click from its query), the checklist, the trend, notable events,
observations, plots, and the environment folded.

Readable anywhere it is opened: badges are words and CSS (never a glyph a font may lack), body
text at normal contrast, queries wrap at operators, nothing wider than the page, and a print
(A4) or narrow window gets one column."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from burnin.bands import Band
from burnin.decision import Decision, Overall
from burnin.report.evidence import code_html, links_html, main_question
from burnin.report.model import PROVEN_FIRST, CriterionResult, RunRecord
from burnin.report.plots import Plot
from burnin.report.releases import releases_html
from burnin.report.summary import (
    STATUS,
    action_for,
    bots_text,
    cause_line,
    checklist,
    grouped,
    headline,
    metric_rows,
    observations,
    peak_users,
)
from burnin.report.timeline import notable_events, spans_days, when
from burnin.report.trend import COLUMNS, checkpoint_trend

STYLE = """
<style>
/* pytest-html's light grey body text fails WCAG AA: normal contrast everywhere. */
body { color: #1b1b1b; }
a { color: #0b4f9c; }
#results-table { color: #1b1b1b; }
span.skipped, span.xfailed, span.rerun, .skipped .col-result, .xfailed .col-result,
.rerun .col-result { color: #8a4500; }
span.error, span.failed, span.xpassed, .error .col-result, .failed .col-result,
.xpassed .col-result { color: #b00000; }
span.passed, .passed .col-result { color: #0b6b1f; }
.filters button, .collapse button { color: #0b4f9c; }
.logwrapper .log { box-sizing: border-box; }
.logwrapper .logexpander { margin-left: calc(100% - 120px); }
/* The environment is shown folded in the summary, after the answer; the answer is the summary. */
#environment-header, #environment, .summary__data > h2 { display: none; }
.burnin-summary { font-size: 14px; line-height: 1.45; color: #1b1b1b; max-width: 1360px; }
.burnin-summary h3 { font-size: 16px; margin: 18px 0 6px; color: #1b1b1b; }
.burnin-summary p, .burnin-summary li { color: #1b1b1b; }
.burnin-summary table { border-collapse: collapse; margin: 4px 0; width: 100%; }
.burnin-summary th, .burnin-summary td { border: 1px solid #c8c8c8; padding: 4px 8px;
  text-align: left; vertical-align: top; }
.burnin-summary th { background: #f0f0f0; }
.burnin-summary table.narrow { width: auto; }
.answer { border-left: 8px solid #767676; background: #f6f6f6; padding: 8px 14px; margin: 6px 0; }
.answer.s-ok { border-color: #1e7b34; } .answer.s-warn { border-color: #b35c00; }
.answer.s-bad { border-color: #b00000; } .answer.s-unknown { border-color: #4b4b7a; }
.answer .headline { font-size: 18px; font-weight: bold; margin: 6px 0; }
.answer p { margin: 4px 0; }
.badge { display: inline-block; padding: 1px 8px; border: 1px solid; border-radius: 4px;
  font-weight: bold; font-size: 13px; white-space: nowrap; }
.b-ok { background: #e3f3e6; color: #0b5d1e; }
.b-warn { background: #fff1dc; color: #7a3e00; }
.b-bad { background: #fde6e6; color: #9e0000; }
.b-unknown { background: #ebebf5; color: #2e2e5c; }
.b-wait { background: #e6eefc; color: #0b3a8c; }
.b-skip { background: #f0f0f0; color: #3d3d3d; }
.burnin-summary code, #results-table code { font-family: "DejaVu Sans Mono", Menlo, Consolas,
  monospace; font-size: 12px; white-space: pre-wrap; word-break: normal;
  overflow-wrap: break-word; }
.burnin-summary pre, #results-table pre { white-space: pre-wrap; overflow-wrap: break-word;
  font-size: 12px; }
.src { color: #4a4a4a; font-size: 12px; }
.id, .why, .note { color: #4a4a4a; font-size: 13px; }
.vals { font-size: 12px; color: #333; }
details > summary { cursor: pointer; color: #0b4f9c; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { margin: 3px 0; }
.plots { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px 16px; }
.plot { margin: 0; }
.plot img { width: 100%; height: auto; border: 1px solid #d0d0d0; }
.plot figcaption { font-size: 12px; color: #333; overflow-wrap: break-word; }
#results-table td { overflow-wrap: break-word; }
@media print, screen and (max-width: 820px) {
  body { min-width: 0 !important; }
  .plots { grid-template-columns: minmax(0, 1fr); }
  #results-table .col-testId, #results-table .col-duration { overflow-wrap: anywhere; }
  #results-table { font-size: 10px; }
  #results-table th, #results-table td { padding: 3px; }
  #results-table code, .burnin-summary code { font-size: 10px; }
  .controls, p.filter { display: none; }
}
@media print { @page { size: A4; margin: 10mm; } .burnin-summary { font-size: 11px; } }
</style>
"""

STATE_CLASS = {
    Overall.HEALTHY: "ok",
    Overall.ISSUES: "warn",
    Overall.CRITICAL: "bad",
    Overall.UNKNOWN: "unknown",
}
DECISION_CLASS = {
    Decision.PASS: "ok",
    Decision.AWAITING_SIGNOFF: "wait",
    Decision.PARTIAL: "warn",
    Decision.FAIL: "bad",
    Decision.CANNOT_DECIDE: "unknown",
}
BAND_CLASS = {
    Band.TARGET: "ok",
    Band.ACCEPTABLE: "ok",
    Band.DEGRADED: "warn",
    Band.NO_DATA: "warn",
    Band.SOURCE_ERROR: "unknown",
    Band.PENDING: "wait",
    Band.CRITICAL: "bad",
    Band.SKIPPED: "skip",
}
ITEM_CLASS = {"done": "ok", "open": "bad", "pending": "wait", "not checked": "skip"}
GROUPS_SHOWN = 40  # rows of "what did not pass" before the rest is left to the table below
BOTS_NAMED = 12  # bots named in one row of a fleet before "and N more"
EVENTS_SHOWN = 10  # notable events listed open; more are folded


def badge(word: str, kind: str, element_id: str = "") -> str:
    ident = f' id="{element_id}"' if element_id else ""
    return f'<span class="badge b-{kind}"{ident}>{escape(word)}</span>'


def _list(items: Sequence[str], empty: str, ordered: bool = True) -> str:
    tag = "ol" if ordered else "ul"
    if not items:
        return f"<p>{escape(empty)}</p>"
    return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"


def _source_html(record: RunRecord, row: CriterionResult, with_links: bool = True) -> str:
    """The query or command behind a row, monospace, with its Prometheus and dashboard links."""
    question = main_question(row.verdict, record.timezone)
    if question is None:
        return ""
    links = links_html(question, record.consoles_of(row)) if with_links else ""
    label = "command" if question.command else question.source
    return f'<span class="src">{escape(label)}</span> <code>{code_html(question.text)}</code>' + (
        f"<br>{links}" if links else ""
    )


def _answer(record: RunRecord, nagios_line: str) -> str:
    state, decision = record.overall, record.decision
    windows = "; ".join(
        f"{phase} window {record.local(w.start):%Y-%m-%d %H:%M} to "
        f"{record.local(w.end):%Y-%m-%d %H:%M} ({record.timezone.key})"
        for phase, w in record.windows.items()
    )
    phase_decisions = " ".join(
        f"{phase} checkpoint: {record.phase_decision(phase)}." for phase in record.phases
    )
    parts = [
        f'<section class="answer s-{STATE_CLASS[state]}" id="burnin-answer">',
        f"<p>State {badge(state.name, STATE_CLASS[state], 'burnin-overall')} "
        f"Checkpoint decision {badge(decision.value, DECISION_CLASS[decision], 'burnin-decision')}"
        f' <span class="note">{escape(record.target)}: {escape(windows or "no window")}</span></p>',
        f'<p class="headline" id="burnin-headline">{escape(headline(record))}</p>',
        f'<p id="burnin-recommendation">Recommendation: {escape(record.recommendation)}</p>',
        f'<p class="note">{escape(phase_decisions)} Validator {escape(record.validator)}. '
        f"<code>{escape(nagios_line)}</code></p>",
    ]
    if record.interrupted:
        parts.append("<p><strong>The run was interrupted: this record is partial.</strong></p>")
    if record.shard:
        parts.append(f'<p id="burnin-shard"><strong>{escape(record.shard_note)}</strong></p>')
    parts.append("</section>")
    return "".join(parts)


def _not_passed(record: RunRecord) -> str:
    """What did not pass, what the sources proved first, each with its cause, what to do and its source."""
    rows = sorted(record.failed, key=lambda r: PROVEN_FIRST.index(r.band))
    if not rows:
        return ""
    groups = grouped(rows)
    waiting_only = all(r.band is Band.PENDING for r in rows) and record.decision in (
        Decision.AWAITING_SIGNOFF,
    )
    title = "Waiting for" if waiting_only else "What did not pass"
    parts = [
        f"<h3>{title} ({len(rows)})</h3>",
        '<table id="burnin-not-passed"><tr><th>Check</th><th>Status</th><th>What was seen</th>'
        "<th>What to do</th><th>Source</th></tr>",
    ]
    for group in groups[:GROUPS_SHOWN]:
        row = group[0]
        bots = bots_text(group, BOTS_NAMED)
        threshold = row.verdict.threshold if row.verdict is not None else ""
        seen = escape(cause_line(row))
        if threshold and row.band in (Band.DEGRADED, Band.CRITICAL):
            seen += f'<br><span class="why">threshold: {escape(threshold)}</span>'
        place = f"{row.criterion} [{row.phase}]" + (f", {bots}" if bots else "")
        parts.append(
            f'<tr data-band="{row.band.name}"><td>{escape(row.title)}<br>'
            f'<span class="id">{escape(place)}</span></td>'
            f"<td>{badge(STATUS[row.band], BAND_CLASS[row.band])}</td>"
            f"<td>{seen}</td><td>{escape(action_for(row))}</td>"
            f"<td>{_source_html(record, row)}</td></tr>"
        )
    parts.append("</table>")
    if len(groups) > GROUPS_SHOWN:
        parts.append(
            f'<p class="note">{len(groups) - GROUPS_SHOWN} more rows did not pass: see the '
            "table of every check below.</p>"
        )
    return "".join(parts)


def _fleet(record: RunRecord) -> str:
    fleet = record.fleet()
    if not fleet:
        return ""
    unhealthy = [(bot, state, failed) for bot, state, failed in fleet if failed]
    healthy = [bot for bot, _, failed in fleet if not failed]
    parts = [
        f'<h3>Fleet ({len(fleet)} bots)</h3><p id="burnin-fleet">{len(healthy)} of {len(fleet)} '
        f"bots passed every check; {len(unhealthy)} did not.</p>"
    ]
    if unhealthy:
        items = "".join(
            f"<li>{escape(bot)} {badge(state.name, STATE_CLASS[state])} "
            + escape(", ".join(f"{r.criterion} [{r.phase}] {STATUS[r.band]}" for r in failed))
            + "</li>"
            for bot, state, failed in unhealthy
        )
        opened = " open" if len(unhealthy) <= EVENTS_SHOWN else ""
        parts.append(
            f"<details{opened}><summary>The {len(unhealthy)} bots that did not pass "
            f'everything</summary><ul class="fleet">{items}</ul></details>'
        )
    if healthy:
        parts.append(f'<p class="note">Passed everything: {escape(", ".join(healthy))}</p>')
    return "".join(parts)


def _metrics(record: RunRecord, phase: str) -> str:
    parts = [
        f"<h3>Metrics Summary ({escape(phase)})</h3>",
        f'<table class="metrics-summary" id="burnin-metrics-{escape(phase)}"><tr><th>Metric</th>'
        "<th>Value</th><th>Target</th><th>Status</th><th>Source</th></tr>",
    ]
    for metric in metric_rows(record, phase):
        row = record.result(metric.criterion, phase) if metric.criterion else None
        value = escape(metric.value)
        source = ""
        if row is not None:
            question = main_question(row.verdict, record.timezone)
            links = links_html(question, record.consoles_of(row)) if question else ""
            if links:
                value += f"<br>{links}"
            source = _source_html(record, row, with_links=False)
            if metric.bot:
                value += f' <span class="id">(worst: {escape(metric.bot)})</span>'
        kind = BAND_CLASS[Band[metric.band]] if metric.band in Band.__members__ else "skip"
        parts.append(
            f'<tr data-band="{escape(metric.band)}"><td>{escape(metric.metric)}</td>'
            f"<td>{value}</td><td>{escape(metric.target)}</td>"
            f"<td>{badge(metric.status, kind)}</td><td>{source}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def _checklist(record: RunRecord, phase: str) -> str:
    parts = [f'<h3>{escape(phase)} checkpoint</h3><ul class="checklist">']
    for item in checklist(record, phase):
        parts.append(
            f'<li data-state="{escape(item.state)}">'
            f"{badge(item.state.upper(), ITEM_CLASS[item.state])} {escape(item.text)} "
            f'<span class="why">({escape(item.why)})</span></li>'
        )
    parts.append("</ul>")
    return "".join(parts)


def _trend(record: RunRecord) -> str:
    trend = checkpoint_trend(record.earlier, record, peak_users(record))
    if not trend:
        return (
            "<h3>Trend Across Checkpoints</h3><p>No checkpoint of this deployment recorded yet.</p>"
        )
    parts = [
        '<h3>Trend Across Checkpoints</h3><table class="trend narrow">',
        "<tr><th>Checkpoint</th><th>Run</th>"
        + "".join(f"<th>{escape(c)}</th>" for c, _ in COLUMNS)
        + "</tr>",
    ]
    for trend_row in trend:
        mark = " (this run)" if trend_row.current else ""
        parts.append(
            f'<tr data-phase="{escape(trend_row.phase)}"><td>{escape(trend_row.phase + mark)}</td>'
            f"<td>{escape(trend_row.started)}</td>"
            + "".join(f"<td>{escape(trend_row.values[c] or '-')}</td>" for c, _ in COLUMNS)
            + "</tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def _events(record: RunRecord) -> str:
    multi_day = spans_days(record.windows, record.timezone)
    events = notable_events(record)
    lines = [f"{when(e, record.timezone, multi_day)} - {e.text}" for e in events]
    head = f"<h3>Notable Events ({escape(record.timezone.key)})</h3>"
    if len(lines) <= EVENTS_SHOWN:
        return head + _list(lines, "Nothing notable in the evidence.", ordered=False)
    kinds: dict[str, int] = {}
    for event in events:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
    counted = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return (
        head
        + f"<details><summary>{len(lines)} events ({escape(counted)})</summary>"
        + _list(lines, "", ordered=False)
        + "</details>"
    )


def _plots(plots: Sequence[Plot]) -> str:
    parts = ['<h3>Plots</h3><div class="plots">']
    for plot in plots:
        if plot.image:
            parts.append(
                f'<figure class="plot" data-plot="{escape(plot.name)}">'
                f'<img alt="{escape(plot.title)}" src="{plot.data_uri}">'
                f"<figcaption>{escape(plot.note)}</figcaption></figure>"
            )
        else:
            parts.append(
                f'<figure class="plot missing" data-plot="{escape(plot.name)}">'
                f"<figcaption><strong>{escape(plot.title)}</strong>: {escape(plot.note)}"
                "</figcaption></figure>"
            )
    parts.append("</div>")
    return "".join(parts)


def _environment(record: RunRecord) -> str:
    rows = "".join(
        f"<tr><td>{escape(key)}</td><td>{escape(value)}</td></tr>"
        for key, value in record.environment
    )
    return (
        '<details id="burnin-environment"><summary>Environment: what was judged, where the data '
        f"came from, which thresholds ({len(record.environment)} rows)</summary>"
        f'<table class="narrow">{rows}</table></details>'
    )


def summary_html(record: RunRecord, plots: list[Plot], nagios_line: str) -> str:
    parts = [STYLE, '<div class="burnin-summary">']
    parts.append(_answer(record, nagios_line))
    parts.append(_not_passed(record))
    parts.append(_fleet(record))
    for phase in record.phases:
        parts.append(_metrics(record, phase))
        parts.append(_checklist(record, phase))
    parts.append(_trend(record))
    parts.append(releases_html(record))
    parts.append(_events(record))
    parts.append("<h3>Observations</h3>" + _list(observations(record), "", ordered=False))
    parts.append(_plots(plots))
    parts.append(_environment(record))
    parts.append("</div>")
    return "\n".join(parts)
