"""The spec's Daily Report Template, filled in: ready for `gh issue comment --body-file`.

Summary first (the state, the decision and the answer in one line, in words beside each emoji),
and under GitHub's comment limit for any fleet: a fleet's per-bot detail is folded
(<details>), rows failing alike on several bots are one line, and long lists end with how many
more the HTML report holds."""

from __future__ import annotations

import math

from burnin.report.model import Decision, RunRecord
from burnin.report.releases import releases_markdown
from burnin.report.summary import (
    action_items,
    checklist,
    headline,
    issues,
    metric_rows,
    observations,
    peak_users,
)
from burnin.report.timeline import notable_events, spans_days, when
from burnin.report.trend import checkpoint_trend, markdown_table

DECISION_MARK = {
    Decision.PASS: "✅",
    Decision.AWAITING_SIGNOFF: "⏳",
    Decision.PARTIAL: "⚠️",
    Decision.FAIL: "❌",
    Decision.CANNOT_DECIDE: "❓",
}


# GitHub refuses a comment over 65,536 characters; ci/post-comment adds a line with the run's
# link. The report stays under LIMIT: past it, its lists are shortened (CAPS, then smaller).
LIMIT = 60_000
CAPS = (40, 20, 10, 5, 2)  # lines of each long list (issues, action items, events, bots)
FLEET_OPEN = 10  # a fleet's bots, or events, listed open; more are folded in <details>


def recommendation_line(record: RunRecord, next_day: int) -> str:
    """The template's recommendation, following the cause (burnin.decision); the final
    checkpoint's own decision when it passed."""
    if record.decision is Decision.PASS:
        final = list(record.thresholds.phases)[-1] if record.thresholds.phases else ""
        if final in record.phases:
            return f"✅ {record.phase_decision(final)}"
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


def _fleet(record: RunRecord, cap: int) -> list[str]:
    """The fleet in a line, then the bots that did not pass everything (folded when many),
    then the others folded: summary first, detail one click away."""
    fleet = record.fleet()
    if not fleet:
        return []
    unhealthy = [(bot, state, failed) for bot, state, failed in fleet if failed]
    healthy = [bot for bot, _, failed in fleet if not failed]
    lines = [
        f"### Fleet ({len(fleet)} bots)",
        "",
        f"{len(healthy)} of {len(fleet)} bots passed every check; {len(unhealthy)} did not.",
        "",
    ]
    bot_lines = [
        f"- {bot}: {state.value} — "
        + _cell(", ".join(f"{r.criterion}[{r.phase}] {r.band.name}" for r in failed))
        for bot, state, failed in unhealthy[:cap]
    ]
    if len(unhealthy) > cap:
        bot_lines.append(f"- {len(unhealthy) - cap} more: see the HTML report")
    if len(unhealthy) > FLEET_OPEN:
        lines += ["<details><summary>The bots that did not pass everything</summary>", ""]
        lines += [*bot_lines, "", "</details>", ""]
    elif bot_lines:
        lines += [*bot_lines, ""]
    if healthy:
        lines += [
            f"<details><summary>The {len(healthy)} bots that passed everything</summary>",
            "",
            ", ".join(healthy),
            "",
            "</details>",
            "",
        ]
    return lines


def daily_report(record: RunRecord) -> str:
    """The daily report, under LIMIT characters whatever the fleet's size."""
    for cap in CAPS:
        text = _report(record, cap)
        if len(text) <= LIMIT:
            return text
    return text


def _report(record: RunRecord, cap: int) -> str:
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
    if record.shard:
        lines.append(f"**{record.shard_note}.**")
    lines += [
        "",
        f"### Overall Status: {record.overall.value}",
        "",
        f"**Checkpoint decision: {DECISION_MARK[record.decision]} {record.decision.value}** — "
        f"{headline(record)}",
        "",
    ]
    lines += _fleet(record, cap)
    lines += ["### Metrics Summary", ""]
    for phase in record.phases:
        if len(record.phases) > 1:
            lines += [f"Phase {phase}:", ""]
        lines += ["| Metric | Value | Target | Status |", "|--------|-------|--------|--------|"]
        lines += [
            f"| {_cell(r.metric)} | {_cell(r.value)} | {_cell(r.target)} | {r.mark} {r.status} |"
            for r in metric_rows(record, phase)
        ]
        lines.append("")
    trend = checkpoint_trend(record.earlier, record, peak_users(record))
    lines += ["### Trend Across Checkpoints", "", *markdown_table(trend), ""]
    lines += releases_markdown(record)
    multi_day = spans_days(record.windows, record.timezone)
    events = notable_events(record)
    lines += ["### Notable Events", ""]
    listed = [
        f"- **{when(e, record.timezone, multi_day)}** - {_cell(e.text)}" for e in events[:cap]
    ] or ["- None in the evidence"]
    if len(events) > cap:
        listed.append(f"- {len(events) - cap} more: see the HTML report")
    if len(events) > FLEET_OPEN:  # many: folded, the count first
        kinds: dict[str, int] = {}
        for event in events:
            kinds[event.kind] = kinds.get(event.kind, 0) + 1
        counted = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        listed = [f"<details><summary>{len(events)} events ({counted})</summary>", "", *listed]
        listed += ["", "</details>"]
    lines += listed
    lines += ["", "### Issues Encountered", "", *_numbered(issues(record, cap), "None")]
    lines += ["", "### Action Items", "", *_numbered(action_items(record, cap), "None")]
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
            suffix = "" if item.state == "done" else f" _({item.state}: {_cell(item.why)})_"
            lines.append(f"- {item.box} {item.text}{suffix}")
        lines.append("")
    return "\n".join(lines)
