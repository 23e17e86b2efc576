"""The spec's Metrics Summary table, the checkpoint checklists, issues, action items and
observations, as rows computed from a RunRecord."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from burnin.bands import Band, Better, Tiers
from burnin.decision import can_roll_back, is_manual
from burnin.partial import read_partial
from burnin.report.model import CriterionResult, Decision, RunRecord

# Each band in one word, for every artefact (HTML badges, Markdown, JSON); Markdown adds
# MARK's emoji beside the word (HTML never uses glyphs a font may lack).
STATUS = {
    Band.TARGET: "OK",
    Band.ACCEPTABLE: "OK",
    Band.DEGRADED: "DEGRADED",
    Band.NO_DATA: "NO DATA",
    Band.SOURCE_ERROR: "SOURCE ERROR",
    Band.PENDING: "PENDING",
    Band.CRITICAL: "CRITICAL",
    Band.SKIPPED: "SKIPPED",
}
MARK = {
    Band.TARGET: "✅",
    Band.ACCEPTABLE: "✅",
    Band.DEGRADED: "⚠️",
    Band.NO_DATA: "⚠️",
    Band.SOURCE_ERROR: "⚠️",
    Band.PENDING: "⏳",
    Band.CRITICAL: "❌",
    Band.SKIPPED: "➖",
}
INFO = "INFO"
INFO_MARK = "ℹ️"

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
    status: str  # in one word: OK, DEGRADED, CRITICAL, NO DATA, ... (STATUS), or INFO
    band: str  # the band's name, or "info"
    mark: str = ""  # the status as an emoji, beside the word in Markdown
    criterion: str = ""  # the criterion whose row it shows (its worst bot's in a fleet)
    bot: str = ""  # that row's bot in a fleet


def target_text(tiers: Tiers) -> str:
    """The acceptable line as the template writes it: '> 99.9 %', '< 0.1 errors/min', '0'."""
    unit = f" {tiers.unit}" if tiers.unit else ""
    if tiers.target is not None and tiers.acceptable == tiers.target:
        return f"{tiers.acceptable:g}{unit}"
    sign = "<" if tiers.better is Better.LOWER else ">"
    return f"{sign} {tiers.acceptable:g}{unit}"


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
                label,
                result.shown_value,
                target_text(tiers),
                STATUS[result.band],
                result.band.name,
                MARK[result.band],
                criterion,
                result.bot,
            )
        )
    users = peak_users(record)
    rows.append(
        MetricRow(
            "Peak Users", "-" if users is None else f"{users:g}", "-", INFO, "info", INFO_MARK
        )
    )
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


def grouped(rows: Sequence[CriterionResult]) -> list[list[CriterionResult]]:
    """A fleet's rows grouped by criterion, phase and band, in order (one bot's stay one each)."""
    groups: dict[tuple[str, str, Band], list[CriterionResult]] = {}
    for row in rows:
        groups.setdefault((row.criterion, row.phase, row.band), []).append(row)
    return list(groups.values())


def bots_text(group: Sequence[CriterionResult], named: int = 12) -> str:
    """`3 bots: bot-1, bot-2, bot-3` (the first `named`, then how many more); "" for none."""
    bots = [r.bot for r in group if r.bot]
    if not bots:
        return ""
    more = len(bots) - named
    shown = ", ".join(bots[:named]) + (f" and {more} more" if more > 0 else "")
    return f"{len(bots)} bot{'s' if len(bots) > 1 else ''}: {shown}"


def place_of(group: Sequence[CriterionResult]) -> str:
    """Where a group did not pass: `[24h]`, `[bot-3 24h]`, or `[24h] on 3 bots: ...`."""
    first = group[0]
    if len(group) == 1:
        return first.place
    return f"[{first.phase}] on {bots_text(group)}"


def issues(record: RunRecord, limit: int | None = None) -> list[str]:
    """One line per failed criterion (a fleet's bots failing it alike, one line), with its band
    and evidence; past `limit` lines, how many more."""
    groups = grouped(record.failed)
    lines = [
        f"{g[0].criterion} {place_of(g)} {g[0].band.name}: {g[0].title} — {evidence_line(g[0])}"
        for g in groups[:limit]
    ]
    if limit is not None and len(groups) > limit:
        lines.append(f"{len(groups) - limit} more: see the HTML report")
    return lines


# The spec's responses by band ("Issue Detection": red flag, yellow flag), and where a
# criterion's own response fits better (ACTION_FOR), that one.
ACTION = {
    Band.CRITICAL: (
        "Red flag: check the logs and metrics now, assess severity, roll back if the "
        "deployment caused it (Sortie 9)"
    ),
    Band.DEGRADED: "Yellow flag: document it, keep monitoring, open a ticket to investigate",
    Band.NO_DATA: "Fix the data behind the check (metric, selector, retention or window), then rerun",
    Band.SOURCE_ERROR: "Repair the observer's access to the source named, then rerun the check",
    Band.PENDING: "Wait for what the check needs, then rerun it",
}
PERFORMANCE = (
    "Performance issue: check for resource leaks, review recent changes, consider optimisation "
    "or a larger server"
)
ACTION_FOR = {
    ("sign-off", Band.PENDING): (
        "Record the team's sign-off (who, when, answer) in the sign-off file, then rerun the "
        "checkpoint"
    ),
    (
        "sign-off",
        Band.NO_DATA,
    ): "Mend the sign-off file as the cause says, then rerun the checkpoint",
    ("sign-off", Band.CRITICAL): "The team is not confident: roll back and investigate (Sortie 9)",
    ("peak-observed", Band.PENDING): (
        "Nothing to mend: the peak hours are not in this window yet; a later checkpoint "
        "observes them"
    ),
    ("backup", Band.CRITICAL): (
        "Make a backup now and find why the daily backup did not run (a rollback would not "
        "cure it), then rerun the check"
    ),
    ("monitoring-operational", Band.CRITICAL): (
        "Repair monitoring (the scrape, Alertmanager or dashboard named; a rollback would not "
        "cure it), then rerun the check"
    ),
    ("monitoring-operational", Band.DEGRADED): (
        "Find why monitoring missed part of the window (scrapes, rules, Alertmanager), then "
        "keep watching it"
    ),
    ("coverage", Band.CRITICAL): (
        "Find why Prometheus has holes in the window (missed scrapes, a restart; a rollback "
        "would not cure it), then rerun the check"
    ),
    ("coverage", Band.DEGRADED): (
        "Find why Prometheus has holes in the window (missed scrapes, a restart); the checks "
        "above cannot pass across them"
    ),
    ("alerts-functional", Band.CRITICAL): (
        "Repair the alert path (Alertmanager routing and receivers), then send the test alert again"
    ),
    ("health-latency", Band.DEGRADED): PERFORMANCE,
    ("cpu", Band.DEGRADED): PERFORMANCE,
    ("memory-peak", Band.DEGRADED): PERFORMANCE,
}
# No data because Prometheus said its answers may be partial (burnin.partial).
PARTIAL_ACTION = (
    "Make Prometheus answer whole (the store its warnings name: a remote read or Thanos store; "
    "a rollback would not cure it), then rerun the checkpoint"
)
# A red flag of something around the bot: a rollback would not mend it (burnin.decision).
ACTION_AROUND_THE_BOT = (
    "Red flag around the bot: fix it (a rollback would not cure it), then rerun the check"
)


def action_for(row: CriterionResult) -> str:
    """What to do about a row that did not pass, fitting its criterion and band."""
    if row.band is Band.NO_DATA and row.verdict is not None and read_partial(row.verdict):
        return PARTIAL_ACTION
    own = ACTION_FOR.get((row.criterion, row.band))
    if own is not None:
        return own
    if row.band is Band.CRITICAL and not can_roll_back(row.criterion):
        return ACTION_AROUND_THE_BOT
    return ACTION.get(row.band, "Investigate")


def cause_line(row: CriterionResult) -> str:
    """Why a row did not pass, in one line: what was observed and the criterion's cause (a
    failure's own first line, without pytest's and the fixtures' prefixes)."""
    parts = []
    observed = row.verdict is not None and row.verdict.observed is not None
    if observed and row.band in (Band.DEGRADED, Band.CRITICAL):
        parts.append(f"observed {row.observed_text}")
    cause = row.cause.strip().splitlines()[0] if row.cause.strip() else ""
    cause = cause.removeprefix("Failed: ").removeprefix("SOURCE_ERROR ").strip()
    if cause:
        parts.append(cause)
    return "; ".join(parts) or STATUS[row.band].lower()


def action_items(record: RunRecord, limit: int | None = None) -> list[str]:
    groups = grouped(record.failed)
    lines = [f"{g[0].criterion} {place_of(g)}: {action_for(g[0])}" for g in groups[:limit]]
    if limit is not None and len(groups) > limit:
        lines.append(f"{len(groups) - limit} more: see the HTML report")
    return lines


def waiting_for_signoff(row: CriterionResult) -> bool:
    """A manual item nobody recorded yet (the team's sign-off): open, not a problem."""
    return row.band is Band.PENDING and is_manual(row.criterion)


def headline(record: RunRecord) -> str:
    """The answer in one line: healthy or not, how many checks did not pass, what to do."""
    counts = record.counts
    passed = counts[Band.TARGET] + counts[Band.ACCEPTABLE]
    skipped = f" ({counts[Band.SKIPPED]} skipped)" if counts[Band.SKIPPED] else ""
    decision = record.decision
    if decision is Decision.PASS:
        return f"Healthy: all {passed} checks judged passed{skipped}; nothing to do"
    if decision is Decision.AWAITING_SIGNOFF:
        return (
            f"Healthy so far: all {passed} checks judged passed{skipped}; waiting for the team's "
            "sign-off"
        )
    unreachable = record.outcome.unreachable
    if decision is Decision.CANNOT_DECIDE:
        if not unreachable:
            return "Cannot decide: nothing was judged"
        return f"Cannot decide: the observer could not ask {', '.join(unreachable)}"
    short = [r for r in record.failed if not waiting_for_signoff(r)]
    what = f"{len(short)} of {len(record.results)} checks did not pass"
    if decision is Decision.FAIL:
        return f"Not healthy: {what}; roll back and investigate"
    if record.outcome.fix:
        return f"Red flag around the bot: {what}; fix it (a rollback would not cure it)"
    return f"Issues: {what}; address them and keep monitoring"


def observations(record: RunRecord) -> list[str]:
    """Plain sentences from what the criteria measured."""
    counts = record.counts
    passed = counts[Band.TARGET] + counts[Band.ACCEPTABLE]
    waiting = [r for r in record.failed if waiting_for_signoff(r)]
    short = len(record.failed) - len(waiting)
    lines = [
        f"{passed} of {len(record.results)} checks passed"
        + (f", {short} did not" if short else "")
        + (f", {len(waiting)} waiting for the team's sign-off" if waiting else "")
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
