"""The deployment's day so far, from the run history: its checkpoints side by side (6 h -> 12 h
-> 24 h: uptime, errors, memory slope, peak users, alerts) and its smoke checks over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from burnin.history import ResultRow, RunRow
from burnin.report.model import WORST_FIRST, RunRecord

# (column, criterion id in the history) of the checkpoint trend; peak-users is recorded by the
# history plugin beside the criteria.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Uptime", "uptime"),
    ("Errors", "errors-total"),
    ("Error rate", "error-rate"),
    ("Memory slope", "memory-growth"),
    ("Peak users", "peak-users"),
    ("Alerts", "alerts"),
)
SMOKE = "smoke"
# The criteria of earlier runs the report reads (the trend's columns, the smoke latencies).
READ_FROM_HISTORY = frozenset({criterion for _, criterion in COLUMNS} | {"health-latency"})


@dataclass(frozen=True)
class TrendRow:
    phase: str
    started: str  # ISO 8601
    values: dict[str, str]  # column -> observed text ("" when that phase does not judge it)
    current: bool = False  # this run


def _phase_order(phase: str) -> float:
    try:
        return float(phase.removesuffix("h"))
    except ValueError:
        return 0.0


def checkpoint_trend(
    earlier: Sequence[RunRow], record: RunRecord, peak_users: float | None
) -> list[TrendRow]:
    """The latest finished run of each checkpoint of this deployment, this run's included."""
    latest: dict[str, TrendRow] = {}
    for run in earlier:
        if run.interrupted:
            continue
        for phase in run.phases:
            if phase == SMOKE:
                continue
            values = {
                column: _worst(run.results, criterion, phase) for column, criterion in COLUMNS
            }
            latest[phase] = TrendRow(phase, run.started, values)
    for phase in record.phases:
        if phase == SMOKE:
            continue
        values = {}
        for column, criterion in COLUMNS:
            if criterion == "peak-users":
                values[column] = "" if peak_users is None else f"{peak_users:g}"
                continue
            result = record.result(criterion, phase)
            values[column] = result.observed_text if result is not None else ""
        latest[phase] = TrendRow(phase, record.started.isoformat(timespec="seconds"), values, True)
    return sorted(latest.values(), key=lambda row: _phase_order(row.phase))


@dataclass(frozen=True)
class SmokePoint:
    at: datetime
    latency_ms: float | None
    state: str


def smoke_points(earlier: Sequence[RunRow]) -> list[SmokePoint]:
    """Each recorded smoke run: when, its health latency, its state."""
    points = []
    for run in earlier:
        if SMOKE not in run.phases:
            continue
        latency = next(
            (r.value for r in run.results if r.criterion == "health-latency" and r.phase == SMOKE),
            None,
        )
        points.append(SmokePoint(datetime.fromisoformat(run.started), latency, run.state))
    return points


def markdown_table(rows: Sequence[TrendRow]) -> list[str]:
    if not rows:
        return ["No checkpoint of this deployment recorded yet."]
    header = "| Checkpoint | Run | " + " | ".join(c for c, _ in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for row in rows:
        mark = " (this run)" if row.current else ""
        cells = " | ".join(row.values[c] or "-" for c, _ in COLUMNS)
        lines.append(f"| {row.phase}{mark} | {row.started} | {cells} |")
    return lines


def _worst(results: Sequence[ResultRow], criterion: str, phase: str) -> str:
    """What a recorded run observed for the criterion: its worst bot's, as the report shows."""
    rows = [r for r in results if r.criterion == criterion and r.phase == phase]
    order = [band.value for band in WORST_FIRST]
    rows.sort(key=lambda r: order.index(r.band) if r.band in order else len(order))
    return rows[0].observed if rows else ""
