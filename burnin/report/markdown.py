"""The spec's Daily Report Template, filled in: ready for `gh issue comment --body-file`."""

from __future__ import annotations

import math

from burnin.report.model import Decision, RunRecord
from burnin.report.releases import releases_markdown
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
from burnin.report.trend import checkpoint_trend, markdown_table

DECISION_MARK = {
    Decision.PASS: "✅",
    Decision.PARTIAL: "⚠️",
    Decision.FAIL: "❌",
    Decision.CANNOT_DECIDE: "❓",
}


def recommendation_line(record: RunRecord, next_day: int) -> str:
    """The template's recommendation, following the cause (burnin.decision)."""
    if record.decision is Decision.PASS:
        return f"✅ Continue to Day {next_day} validation"
    return f"{DECISION_MARK[record.decision]} {record.recommendation}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _numbered(items: list[str], empty: str) -> list[str]:
    if not items:
        return [f"1. **{empty}**"]
    return [f"{n}. {_cell(item)}" for n, item in enumerate(items, 1)]


def day_number(record: RunRecord) -> int:
    window = record.main_window
    hours = window.seconds / 3600 if window else 0
    return max(1, math.ceil(hours / 24 - 1e-9))


def daily_report(record: RunRecord) -> str:
    day = day_number(record)
    lines = [
        f"# Production Validation Report - Day {day}",
        "",
        f"## Date: {record.report_date}",
        f"## Validator: {record.validator}",
        "",
        f"Target: {record.target} — phase(s): {', '.join(record.phases) or 'none'}",
    ]
    for phase, window in record.windows.items():
        lines.append(
            f"Window {phase}: {record.local(window.start):%Y-%m-%d %H:%M} .. "
            f"{record.local(window.end):%Y-%m-%d %H:%M} ({record.timezone.key})"
        )
    if record.interrupted:
        lines.append("**The run was interrupted: this report is partial.**")
    lines += ["", f"### Overall Status: {record.overall.value}", ""]
    if record.bots:
        lines += [f"### Fleet ({len(record.bots)} bots)", ""]
        lines += [f"- {_cell(line)}" for line in fleet_lines(record)] + [""]
    lines += ["### Metrics Summary", ""]
    for phase in record.phases:
        if len(record.phases) > 1:
            lines += [f"Phase {phase}:", ""]
        lines += ["| Metric | Value | Target | Status |", "|--------|-------|--------|--------|"]
        lines += [
            f"| {_cell(r.metric)} | {_cell(r.value)} | {_cell(r.target)} | {r.status} |"
            for r in metric_rows(record, phase)
        ]
        lines.append("")
    trend = checkpoint_trend(record.earlier, record, peak_users(record))
    lines += ["### Trend Across Checkpoints", "", *markdown_table(trend), ""]
    lines += releases_markdown(record)
    multi_day = spans_days(record.windows, record.timezone)
    events = notable_events(record)
    lines += ["### Notable Events", ""]
    lines += [f"- **{when(e, record.timezone, multi_day)}** - {_cell(e.text)}" for e in events] or [
        "- None in the evidence"
    ]
    lines += ["", "### Issues Encountered", "", *_numbered(issues(record), "None")]
    lines += ["", "### Action Items", "", *_numbered(action_items(record), "None")]
    lines += ["", "### Observations", "", *[f"- {_cell(o)}" for o in observations(record)]]
    lines += [
        "",
        "### Recommendation",
        "",
        recommendation_line(record, day + 1),
        "",
    ]
    for phase in record.phases:
        lines.append(
            f"**{phase} checkpoint: {DECISION_MARK[record.decision]} {record.decision.value}** — "
            f"{record.phase_decision(phase)}"
        )
        lines.append("")
        for item in checklist(record, phase):
            suffix = "" if item.state == "done" else f" _({item.state}: {item.why})_"
            lines.append(f"- {item.box} {item.text}{suffix}")
        lines.append("")
    return "\n".join(lines)
