"""The HTML block shown above pytest-html's test table: status, decision, metrics summary,
checklist, notable events, issues, action items and plots."""

from __future__ import annotations

from html import escape

from burnin.report.model import RunRecord
from burnin.report.plots import Plot
from burnin.report.releases import releases_html
from burnin.report.summary import (
    action_items,
    checklist,
    fleet_lines,
    issues,
    metric_rows,
    observations,
    peak_users,
)
from burnin.report.timeline import notable_events, spans_days, when
from burnin.report.trend import COLUMNS, checkpoint_trend

STYLE = """
<style>
.burnin-summary table { border-collapse: collapse; margin: 0.5em 0; }
.burnin-summary th, .burnin-summary td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
.burnin-summary .status { font-size: 1.4em; }
.burnin-summary .plot img { max-width: 100%; border: 1px solid #ddd; }
.burnin-summary .note { color: #666; font-style: italic; }
.burnin-summary .pending { color: #a60; }
.burnin-summary code { word-break: break-all; }
</style>
"""


def _list(items: list[str], empty: str, ordered: bool = True) -> str:
    tag = "ol" if ordered else "ul"
    if not items:
        return f"<p>{escape(empty)}</p>"
    return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"


def summary_html(record: RunRecord, plots: list[Plot], nagios_line: str) -> str:
    parts = [STYLE, '<div class="burnin-summary">']
    parts.append(
        f'<h2 class="status" id="burnin-overall">Overall Status: {escape(record.overall.value)}</h2>'
        f'<p id="burnin-decision">Checkpoint decision: <strong>{record.decision.value}</strong>'
        + "".join(f" — {escape(p)}: {escape(record.phase_decision(p))}" for p in record.phases)
        + "</p>"
        f'<p id="burnin-recommendation">Recommendation: {escape(record.recommendation)}</p>'
        f"<p><code>{escape(nagios_line)}</code></p>"
    )
    if record.interrupted:
        parts.append("<p><strong>The run was interrupted: this record is partial.</strong></p>")
    if record.bots:
        parts.append(
            f'<h3>Fleet ({len(record.bots)} bots)</h3><ul class="fleet" id="burnin-fleet">'
            + "".join(f"<li>{escape(line)}</li>" for line in fleet_lines(record))
            + "</ul>"
        )
    for phase in record.phases:
        parts.append(f"<h3>Metrics Summary ({escape(phase)})</h3>")
        parts.append(
            '<table class="metrics-summary"><tr><th>Metric</th><th>Value</th><th>Target</th>'
            "<th>Status</th></tr>"
        )
        for row in metric_rows(record, phase):
            parts.append(
                f'<tr data-band="{escape(row.band)}"><td>{escape(row.metric)}</td>'
                f"<td>{escape(row.value)}</td><td>{escape(row.target)}</td>"
                f"<td>{escape(row.status)}</td></tr>"
            )
        parts.append("</table>")
        parts.append(f'<h3>{escape(phase)} checkpoint</h3><ul class="checklist">')
        for item in checklist(record, phase):
            mark = {"done": "☑", "open": "☐", "pending": "⏳", "not checked": "☐"}[item.state]
            css = ' class="pending"' if item.state == "pending" else ""
            parts.append(
                f'<li data-state="{escape(item.state)}"{css}>{mark} {escape(item.text)} '
                f'<span class="note">({escape(item.state)}: {escape(item.why)})</span></li>'
            )
        parts.append("</ul>")
    trend = checkpoint_trend(record.earlier, record, peak_users(record))
    parts.append('<h3>Trend Across Checkpoints</h3><table class="trend">')
    parts.append(
        "<tr><th>Checkpoint</th><th>Run</th>"
        + "".join(f"<th>{escape(c)}</th>" for c, _ in COLUMNS)
        + "</tr>"
    )
    for trend_row in trend:
        mark = " (this run)" if trend_row.current else ""
        parts.append(
            f'<tr data-phase="{escape(trend_row.phase)}"><td>{escape(trend_row.phase + mark)}</td>'
            f"<td>{escape(trend_row.started)}</td>"
            + "".join(f"<td>{escape(trend_row.values[c] or '-')}</td>" for c, _ in COLUMNS)
            + "</tr>"
        )
    parts.append("</table>")
    if not trend:
        parts.append("<p>No checkpoint of this deployment recorded yet.</p>")
    parts.append(releases_html(record))
    multi_day = spans_days(record.windows, record.timezone)
    events = notable_events(record)
    parts.append(f"<h3>Notable Events ({escape(record.timezone.key)})</h3>")
    parts.append(
        _list(
            [f"{when(e, record.timezone, multi_day)} - {e.text}" for e in events],
            "Nothing notable in the evidence.",
            ordered=False,
        )
    )
    parts.append(
        "<h3>Issues Encountered</h3>" + _list([i.replace("`", "") for i in issues(record)], "None")
    )
    parts.append("<h3>Action Items</h3>" + _list(action_items(record), "None"))
    parts.append("<h3>Observations</h3>" + _list(observations(record), "", ordered=False))
    parts.append("<h3>Plots</h3>")
    for plot in plots:
        if plot.image:
            parts.append(
                f'<div class="plot" data-plot="{escape(plot.name)}"><h4>{escape(plot.title)}</h4>'
                f'<img alt="{escape(plot.title)}" src="{plot.data_uri}">'
                f'<p class="note">{escape(plot.note)}</p></div>'
            )
        else:
            parts.append(
                f'<div class="plot missing" data-plot="{escape(plot.name)}"><h4>{escape(plot.title)}</h4>'
                f'<p class="note">{escape(plot.note)}</p></div>'
            )
    parts.append("</div>")
    return "\n".join(parts)
