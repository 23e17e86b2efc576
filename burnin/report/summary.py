"""The spec's Metrics Summary table, the checkpoint checklists, issues, action items and
observations, as rows computed from a RunRecord."""

from __future__ import annotations

from dataclasses import dataclass

from burnin.bands import Band, Better, Tiers
from burnin.decision import can_roll_back
from burnin.report.model import CriterionResult, RunRecord

STATUS = {
    Band.TARGET: "✅",
    Band.ACCEPTABLE: "✅",
    Band.DEGRADED: "⚠️",
    Band.NO_DATA: "⚠️",
    Band.SOURCE_ERROR: "⚠️",
    Band.PENDING: "⏳",
    Band.CRITICAL: "❌",
    Band.SKIPPED: "➖",
}
INFO = "ℹ️"

# (row label, thresholds.toml metric, criterion id), in the template's order first.
TIERED_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Uptime", "uptime", "uptime"),
    ("Error Count", "errors_total", "errors-total"),
    ("Error Rate", "error_rate", "error-rate"),
    ("Restarts", "unplanned_restarts", "restarts"),
    ("Alerts", "alert_count", "alerts"),
    ("Longest Disconnect", "longest_disconnect", "longest-disconnect"),
    ("Health Response Time", "health_latency", "health-latency"),
    ("Memory Growth", "memory_growth", "memory-growth"),
    ("Memory Peak", "memory_peak", "memory-peak"),
    ("CPU", "cpu", "cpu"),
)


@dataclass(frozen=True)
class MetricRow:
    metric: str
    value: str
    target: str  # the line to stay within, written as the template writes it ("> 99.9%")
    status: str  # an emoji
    band: str  # the band's name, or "info"


def target_text(tiers: Tiers) -> str:
    """The acceptable line as the template writes it: '> 99.9 %', '< 0.1 errors/min', '0'."""
    unit = f" {tiers.unit}" if tiers.unit else ""
    if tiers.target is not None and tiers.acceptable == tiers.target:
        return f"{tiers.acceptable:g}{unit}"
    sign = "<" if tiers.better is Better.LOWER else ">"
    return f"{sign} {tiers.acceptable:g}{unit}"


def _value(row: CriterionResult) -> str:
    if row.band is Band.SOURCE_ERROR:
        return "source error"
    if row.band is Band.SKIPPED:
        return "not measured"
    if row.verdict is None or row.verdict.observed is None:
        return "no data"
    return row.observed_text


def peak_users(record: RunRecord) -> float | None:
    """The most users seen in any period or series the criteria fetched."""
    seen: list[float] = []
    for row in record.results:
        for periods in row.values("periods"):
            seen.extend(p["peak_users"] for p in periods if p.get("peak_users") is not None)
    users = record.ranges.get("bot_users")
    if users is not None:
        seen.extend(v for s in users.series for _, v in s.points)
    return max(seen) if seen else None


def metric_rows(record: RunRecord, phase: str) -> list[MetricRow]:
    """One row per tiered metric the phase judged, then the informational rows (peak users)."""
    rows = []
    for label, metric, criterion in TIERED_ROWS:
        result = record.result(criterion, phase)
        if result is None or metric not in record.thresholds.metrics:
            continue
        tiers = record.thresholds.tiers(metric, phase)
        rows.append(
            MetricRow(
                label, _value(result), target_text(tiers), STATUS[result.band], result.band.name
            )
        )
    users = peak_users(record)
    rows.append(MetricRow("Peak Users", "-" if users is None else f"{users:g}", "-", INFO, "info"))
    return rows


@dataclass(frozen=True)
class ChecklistItem:
    text: str  # the spec's wording
    criteria: tuple[str, ...]  # criterion ids that decide it
    manual: bool = False  # a person answers it (sign-off), not a probe


# The spec's "Checkpoints" section, each box tied to the criteria that decide it.
CHECKLISTS: dict[str, tuple[ChecklistItem, ...]] = {
    "6h": (
        ChecklistItem("Bot connected 100% of time", ("uptime", "longest-disconnect")),
        ChecklistItem("Zero errors", ("errors-total",)),
        ChecklistItem("No alerts", ("alerts",)),
        ChecklistItem("Memory stable", ("memory-growth",)),
        ChecklistItem("Logs clean", ("logs-clean",)),
    ),
    "12h": (
        ChecklistItem("Uptime > 99.9%", ("uptime",)),
        ChecklistItem("Error count < 10 total", ("errors-total",)),
        ChecklistItem("No critical alerts", ("alerts",)),
        ChecklistItem("Performance acceptable", ("health-latency", "cpu", "memory-peak")),
        ChecklistItem("One peak period observed", ("peak-observed",)),
    ),
    "24h": (
        ChecklistItem("Uptime > 99.9%", ("uptime",)),
        ChecklistItem("Error rate acceptable", ("error-rate",)),
        ChecklistItem("Zero unplanned restarts", ("restarts",)),
        ChecklistItem("Passed peak hours", ("peak-handled",)),
        ChecklistItem("Passed off-peak hours", ("offpeak-handled",)),
        ChecklistItem("All monitoring systems operational", ("monitoring-operational", "coverage")),
        ChecklistItem("Team confident in stability", ("sign-off",), manual=True),
    ),
}


@dataclass(frozen=True)
class CheckedItem:
    text: str
    state: str  # "done", "open", "pending", "not checked"
    why: str  # the deciding rows and their bands

    @property
    def box(self) -> str:
        return "[x]" if self.state == "done" else "[ ]"


def checklist(record: RunRecord, phase: str) -> list[CheckedItem]:
    """The phase's checklist: ticked when every deciding criterion that ran passed (skips aside);
    open when one did not; pending for manual items nobody recorded; else not checked."""
    items = CHECKLISTS.get(phase)
    if items is None:  # a phase the spec has no checklist for (smoke): its criteria
        items = tuple(
            ChecklistItem(r.title, (r.criterion,)) for r in record.results if r.phase == phase
        )
    checked = []
    for item in items:
        rows = [r for c in item.criteria for r in record.rows(c, phase)]  # every bot's
        judged = [r for r in rows if r.band is not Band.SKIPPED]
        why = ", ".join(dict.fromkeys(f"{r.criterion} {r.band.name}" for r in rows))
        if any(r.band is Band.PENDING for r in rows) or (item.manual and not judged):
            state = "pending"
            why = why or "manual item: not recorded by this run"
        elif not judged:
            state = "not checked"
            why = why or "no criterion of this run decides it"
        elif all(r.band.passes for r in judged):
            state = "done"
            # What a passing row did not check (an unconfigured optional source) stays visible.
            unchecked = [
                part.strip() for r in judged for part in r.cause.split(";") if "not checked" in part
            ]
            if unchecked:
                why += "; " + "; ".join(unchecked)
        else:
            state = "open"
        checked.append(CheckedItem(item.text, state, why))
    return checked


def evidence_line(row: CriterionResult) -> str:
    """Observed value, threshold, cause and query in one line."""
    parts = []
    if row.verdict is not None and row.band not in (
        Band.SOURCE_ERROR,
        Band.NO_DATA,
        Band.PENDING,
        Band.SKIPPED,
    ):
        parts.append(f"observed {row.observed_text}")
        if row.verdict.threshold:
            parts.append(f"threshold {row.verdict.threshold}")
    if row.cause:
        parts.append(row.cause)
    if row.queries:
        parts.append(f"from `{row.queries[0]}`")
    return "; ".join(parts)


def issues(record: RunRecord) -> list[str]:
    """One line per failed criterion, with its band and evidence."""
    return [
        f"{row.criterion} {row.place} {row.band.name}: {row.title} — {evidence_line(row)}"
        for row in record.failed
    ]


ACTION = {
    Band.CRITICAL: "Red flag: check the logs and metrics now, assess severity, roll back if needed (Sortie 9)",
    Band.DEGRADED: "Yellow flag: document it, keep monitoring, open a ticket to investigate",
    Band.NO_DATA: "Fix the data behind the check (metric, selector or window) and rerun it",
    Band.SOURCE_ERROR: "Repair the observer (source unreachable or refused) and rerun the check",
    Band.PENDING: "Record the manual sign-off",
}


# A red flag of something around the bot: a rollback would not mend it (burnin.decision).
ACTION_AROUND_THE_BOT = (
    "Red flag around the bot: fix it (a rollback would not cure it), then rerun the check"
)


def action_items(record: RunRecord) -> list[str]:
    items = []
    for row in record.failed:
        action = ACTION.get(row.band, "Investigate")
        if row.band is Band.CRITICAL and not can_roll_back(row.criterion):
            action = ACTION_AROUND_THE_BOT
        items.append(
            f"{row.criterion} {row.place}: {action}" + (f" ({row.cause})" if row.cause else "")
        )
    return items


def observations(record: RunRecord) -> list[str]:
    """Plain sentences from what the criteria measured."""
    counts = record.counts
    passed = counts[Band.TARGET] + counts[Band.ACCEPTABLE]
    lines = [
        f"{passed} of {len(record.results)} checks passed"
        + (f", {len(record.failed)} did not" if record.failed else "")
        + (f", {counts[Band.SKIPPED]} skipped" if counts[Band.SKIPPED] else "")
    ]
    for criterion, good, bad in (
        ("peak-handled", "Bot performed well under peak load", "Peak hours showed problems"),
        (
            "offpeak-handled",
            "Bot stayed connected and quiet off-peak",
            "Off-peak hours showed problems",
        ),
        (
            "memory-growth",
            "Resource usage stable (no memory growth to speak of)",
            "Memory is growing",
        ),
        ("alerts", "No unexpected alerts", "Alerts fired"),
        ("coverage", "Monitoring covered the whole window", "Monitoring has holes in the window"),
    ):
        row = record.result(criterion)
        if row is None or row.band in (Band.SKIPPED, Band.SOURCE_ERROR, Band.NO_DATA):
            continue
        text = good if row.band.passes else bad
        detail = row.observed_text if row.verdict is not None else ""
        lines.append(f"{text} ({row.criterion}: {detail})" if detail else text)
    if counts[Band.SOURCE_ERROR]:
        lines.append(f"{counts[Band.SOURCE_ERROR]} check(s) could not ask their source")
    if record.interrupted:
        lines.append("The run was interrupted: this record is partial")
    return lines


def fleet_lines(record: RunRecord) -> list[str]:
    """A fleet's summary, one line per bot: which bots fail what (empty for one bot)."""
    lines = []
    for bot, state, failed in record.fleet():
        what = ", ".join(f"{r.criterion}[{r.phase}] {r.band.name}" for r in failed)
        lines.append(f"{bot}: {state.value}" + (f" — {what}" if what else ""))
    return lines
