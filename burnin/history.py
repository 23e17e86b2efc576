"""Every run, remembered: a SQLite database (standard library sqlite3) of runs and their
criteria, so `--phase auto` knows which checkpoints are done and the team can see the day.

Concurrent runs (two cron jobs overlapping) must not corrupt it or lose a row: WAL journal,
a busy timeout, and one transaction per run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from burnin.bands import Band

# 2: results.bot (a fleet's bot); 3: runs.decision (PASS / AWAITING SIGN-OFF / PARTIAL / FAIL /
# CANNOT DECIDE); 4: runs.shard (`--shard I/N`: one shard of a fleet's run, never the fleet's).
# An older file gains the columns when opened, its rows kept.
SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 30_000
# What a criterion's row can say; other rows are information beside them (peak users, each
# metric compared with the previous release: better / same / worse / inconclusive).
BANDS = {band.value for band in Band}

SCHEMA = """
CREATE TABLE IF NOT EXISTS schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    deployment TEXT NOT NULL,          -- deployed_at (ISO 8601), or "" when unknown
    phases TEXT NOT NULL,              -- JSON list, e.g. ["6h"]
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    windows TEXT NOT NULL,             -- JSON {phase: [start, end]}
    state TEXT NOT NULL,               -- OK / WARNING / CRITICAL / UNKNOWN
    interrupted INTEGER NOT NULL,
    reports TEXT NOT NULL,             -- JSON {kind: path}
    decision TEXT NOT NULL DEFAULT '', -- the checkpoint decision ("": recorded before schema 3)
    shard TEXT NOT NULL DEFAULT ''     -- "2/5": one shard of a fleet's run ("": the whole run)
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    criterion TEXT NOT NULL,
    phase TEXT NOT NULL,
    band TEXT NOT NULL,
    value REAL,                        -- the observed number, when it is one
    observed TEXT NOT NULL,
    bot TEXT NOT NULL DEFAULT ''       -- a fleet's bot ("": the target's one bot, or the fleet)
);
CREATE INDEX IF NOT EXISTS runs_by_deployment ON runs (target, deployment, started);
CREATE INDEX IF NOT EXISTS results_by_run ON results (run_id, criterion);
"""


class HistoryError(Exception):
    """The history database cannot be used (wrong schema version, not a database)."""


@dataclass(frozen=True)
class ResultRow:
    criterion: str
    phase: str
    band: str
    value: float | None
    observed: str
    bot: str = ""  # a fleet's bot ("": the target's one bot, or the whole fleet)


@dataclass(frozen=True)
class RunRow:
    target: str
    deployment: str
    phases: tuple[str, ...]
    started: str
    finished: str
    windows: dict[str, tuple[str, str]]
    state: str
    interrupted: bool
    reports: dict[str, str]
    results: tuple[ResultRow, ...] = ()
    id: int | None = None
    # PASS / AWAITING SIGN-OFF / PARTIAL / FAIL / CANNOT DECIDE ("": recorded before schema 3)
    decision: str = ""
    # "2/5": one shard of a fleet's run (--shard). Its rows are its share of the fleet: they
    # never mark a checkpoint done nor stand for the deployment; the merge records the fleet's.
    shard: str = ""


def connect(path: Path) -> sqlite3.Connection:
    if path.is_symlink():
        raise HistoryError(f"{path}: is a symlink; burnin writes its history only to a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, SCHEMA.split(";")):
            connection.execute(statement)
        found = connection.execute("SELECT version FROM schema").fetchall()
        if not found:
            connection.execute("INSERT INTO schema (version) VALUES (?)", (SCHEMA_VERSION,))
        elif found[0][0] in (1, 2, 3):
            if found[0][0] == 1:  # before fleets: every result was the target's one bot's
                connection.execute("ALTER TABLE results ADD COLUMN bot TEXT NOT NULL DEFAULT ''")
            if found[0][0] <= 2:
                connection.execute("ALTER TABLE runs ADD COLUMN decision TEXT NOT NULL DEFAULT ''")
            connection.execute("ALTER TABLE runs ADD COLUMN shard TEXT NOT NULL DEFAULT ''")
            connection.execute("UPDATE schema SET version = ?", (SCHEMA_VERSION,))
        elif found[0][0] != SCHEMA_VERSION:
            connection.execute("ROLLBACK")
            raise HistoryError(
                f"{path}: history schema version {found[0][0]}, this burnin knows "
                f"{SCHEMA_VERSION}; use another --history-db or move this one aside"
            )
        connection.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise HistoryError(f"{path}: not a usable history database: {exc}") from None
    return connection


_recorded = [0]  # runs this process recorded: part of state_of's answer


def state_of(path: Path) -> tuple[object, ...]:
    """What changes when the history at `path` changes: the database's and its write-ahead
    log's size and time, and the runs this process recorded (a file's time may not move
    between two writes close together). For a reader keeping what it read."""
    stamps: list[object] = [_recorded[0]]
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            stat = file.stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def record(path: Path, run: RunRow) -> int:
    """Store one run and its results in one transaction; returns its id."""
    _recorded[0] += 1
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO runs (target, deployment, phases, started, finished, windows, state,"
            " interrupted, reports, decision, shard) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.target,
                run.deployment,
                json.dumps(list(run.phases)),
                run.started,
                run.finished,
                json.dumps({k: list(v) for k, v in run.windows.items()}),
                run.state,
                int(run.interrupted),
                json.dumps(run.reports),
                run.decision,
                run.shard,
            ),
        )
        run_id = int(cursor.lastrowid or 0)
        connection.executemany(
            "INSERT INTO results (run_id, criterion, phase, band, value, observed, bot)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, r.criterion, r.phase, r.band, r.value, r.observed, r.bot)
                for r in run.results
            ],
        )
        connection.execute("COMMIT")
        return run_id
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def runs(
    path: Path,
    target: str | None = None,
    deployment: str | None = None,
    shards: bool = False,
    since: str | None = None,
    criteria: Collection[str] | None = None,
) -> list[RunRow]:
    """The recorded runs, oldest first, with their results; a shard's runs (--shard) only with
    `shards`: each is a share of a fleet's run, never the fleet's checkpoint. `since`: only
    runs started then or later (ISO 8601, as recorded); `criteria`: only these criteria's
    results (none for an empty set). Both are asked of the database: a fleet's history grows
    by a row per bot and criterion each run, and a reader needing a few criteria of the last
    day must not read every row ever recorded."""
    if not path.exists():
        return []
    connection = connect(path)
    try:
        where, args = [] if shards else ["shard = ''"], []
        for column, value in (("target", target), ("deployment", deployment)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("started >= ?")
            args.append(since)
        chosen = f"FROM runs WHERE {' AND '.join(where)}" if where else "FROM runs"
        connection.row_factory = sqlite3.Row
        found = connection.execute(f"SELECT * {chosen} ORDER BY started, id", args).fetchall()
        results = _results_of(chosen, args, criteria, connection)
        return [
            RunRow(
                target=row["target"],
                deployment=row["deployment"],
                phases=tuple(json.loads(row["phases"])),
                started=row["started"],
                finished=row["finished"],
                windows={k: (v[0], v[1]) for k, v in json.loads(row["windows"]).items()},
                state=row["state"],
                interrupted=bool(row["interrupted"]),
                reports=json.loads(row["reports"]),
                results=tuple(results.get(row["id"], ())),
                id=row["id"],
                decision=row["decision"],
                shard=row["shard"],
            )
            for row in found
        ]
    finally:
        connection.close()


def _results_of(
    chosen: str, args: list[str], criteria: Collection[str] | None, connection: sqlite3.Connection
) -> dict[int, list[ResultRow]]:
    """The results of the runs `chosen` selects (its FROM and WHERE), each run's in the order
    recorded: one query, each run's rows found by the results_by_run index."""
    if criteria is not None and not criteria:
        return {}
    wanted = sorted(criteria) if criteria is not None else []
    only = f" AND criterion IN ({', '.join('?' * len(wanted))})" if wanted else ""
    rows = connection.execute(
        "SELECT run_id, criterion, phase, band, value, observed, bot FROM results"
        f" WHERE run_id IN (SELECT id {chosen}){only} ORDER BY run_id, rowid",
        (*args, *wanted),
    )
    found: dict[int, list[ResultRow]] = {}
    for run_id, *fields in rows:
        found.setdefault(run_id, []).append(ResultRow(*fields))
    return found


# The decision of a run that found nothing wrong and waits for the team's sign-off
# (burnin.decision.Decision.AWAITING_SIGNOFF): its checkpoint stays open for the sign-off.
AWAITING_SIGNOFF = "AWAITING SIGN-OFF"


def done_checkpoints(found: Iterable[RunRow]) -> set[str]:
    """Phases a run has judged for this deployment: finished, not UNKNOWN (a run whose sources
    failed has judged nothing, and is run again) and not awaiting the team's sign-off (the
    checkpoint stays open until a run sees it recorded)."""
    return {
        phase
        for run in found
        if not run.interrupted and run.state != "UNKNOWN" and run.decision != AWAITING_SIGNOFF
        for phase in run.phases
    }


def table(found: Sequence[RunRow]) -> str:
    """The runs as a plain text table."""
    header = ("id", "started", "phases", "state", "decision", "failed", "report")
    lines = [header]
    for run in found:
        failed = sorted(
            {
                r.criterion
                for r in run.results
                if r.band in BANDS and r.band not in ("target", "acceptable", "skipped")
            }
        )
        lines.append(
            (
                str(run.id),
                run.started,
                ",".join(run.phases),
                run.state
                + (" (interrupted)" if run.interrupted else "")
                + (f" (shard {run.shard})" if run.shard else ""),
                run.decision or "-",
                ", ".join(failed) or "-",
                run.reports.get("html", ""),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""
