"""The run history database: runs and results stored and read back, checkpoints done, the
schema version checked, and parallel writers losing nothing."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from burnin.history import (
    SCHEMA_VERSION,
    HistoryError,
    ResultRow,
    RunRow,
    done_checkpoints,
    record,
    runs,
    state_of,
    table,
)

DEPLOYED = "2026-11-28T09:00:00+00:00"


def run_row(phase: str = "6h", state: str = "OK", interrupted: bool = False, n: int = 0) -> RunRow:
    return RunRow(
        target="prod",
        deployment=DEPLOYED,
        phases=(phase,),
        started=f"2026-11-28T15:{n // 60:02d}:{n % 60:02d}+00:00",
        finished="2026-11-28T15:10:00+00:00",
        windows={phase: ("2026-11-28T09:00:00+00:00", "2026-11-28T15:00:00+00:00")},
        state=state,
        interrupted=interrupted,
        reports={"html": "reports/x.html"},
        results=(
            ResultRow("uptime", phase, "target", 100.0, "100 %"),
            ResultRow("alerts", phase, "critical", 1.0, "1 alerts"),
        ),
    )


def test_a_run_is_read_back_with_its_results(tmp_path):
    path = tmp_path / "history.sqlite"
    run_id = record(path, run_row())
    (found,) = runs(path, "prod", DEPLOYED)
    assert found.id == run_id and found.phases == ("6h",) and found.state == "OK"
    assert found.results[0] == ResultRow("uptime", "6h", "target", 100.0, "100 %")
    assert runs(path, "other") == [] and runs(path, "prod", "2026-01-01T00:00:00+00:00") == []


def test_a_reader_asks_for_the_runs_since_a_moment_and_the_criteria_it_needs(tmp_path):
    path = tmp_path / "history.sqlite"
    for n in range(3):
        record(path, run_row(n=n))
    since = run_row(n=1).started
    assert [r.started for r in runs(path, "prod", since=since)] == [
        run_row(n=1).started,
        run_row(n=2).started,
    ]
    (only,) = {r.results for r in runs(path, "prod", criteria={"alerts"})}
    assert only == (ResultRow("alerts", "6h", "critical", 1.0, "1 alerts"),)
    assert {r.results for r in runs(path, "prod", criteria=())} == {()}
    assert len(runs(path, "prod")[0].results) == 2  # every criterion when none is named
    with sqlite3.connect(path) as db:  # each run's results found by its id, not by a scan
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM results WHERE run_id = 1 ORDER BY rowid"
        ).fetchall()
    assert "results_by_run" in str(plan), plan


def test_the_state_of_a_history_changes_with_each_run_recorded(tmp_path):
    path = tmp_path / "history.sqlite"
    before = state_of(path)
    record(path, run_row())
    after = state_of(path)
    record(path, run_row(n=1))
    assert len({before, after, state_of(path)}) == 3


def test_a_missing_database_has_no_runs(tmp_path):
    assert runs(tmp_path / "none.sqlite") == []


def test_done_checkpoints_leave_out_interrupted_and_unknown_runs():
    found = [
        run_row("6h", "CRITICAL"),
        run_row("12h", "UNKNOWN"),
        run_row("24h", "OK", interrupted=True),
    ]
    assert done_checkpoints(found) == {"6h"}


def test_a_checkpoint_waiting_for_the_sign_off_stays_open_until_a_run_sees_it_recorded():
    waiting = replace(run_row("24h", "WARNING"), decision="AWAITING SIGN-OFF")
    assert done_checkpoints([waiting]) == set()
    signed = replace(run_row("24h", "OK", n=1), decision="PASS")
    assert done_checkpoints([waiting, signed]) == {"24h"}
    partial = replace(run_row("24h", "WARNING"), decision="PARTIAL")  # decided: something is wrong
    assert done_checkpoints([partial]) == {"24h"}


def test_another_schema_version_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "history.sqlite"
    record(path, run_row())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match=r"history schema version 5, this burnin knows 4"):
        runs(path)


def test_a_history_from_before_fleets_gains_the_bot_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as connection:  # what version 1 wrote
        connection.executescript(
            """
            CREATE TABLE schema (version INTEGER NOT NULL);
            INSERT INTO schema VALUES (1);
            CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL,
                deployment TEXT NOT NULL, phases TEXT NOT NULL, started TEXT NOT NULL,
                finished TEXT NOT NULL, windows TEXT NOT NULL, state TEXT NOT NULL,
                interrupted INTEGER NOT NULL, reports TEXT NOT NULL);
            CREATE TABLE results (run_id INTEGER NOT NULL REFERENCES runs(id),
                criterion TEXT NOT NULL, phase TEXT NOT NULL, band TEXT NOT NULL, value REAL,
                observed TEXT NOT NULL);
            INSERT INTO runs VALUES (1, 'production', '', '["6h"]', '2026-11-28T15:00:00Z',
                '2026-11-28T15:00:05Z', '{}', 'OK', 0, '{}');
            INSERT INTO results VALUES (1, 'uptime', '6h', 'target', 100.0, '100 %');
            """
        )
    (old,) = runs(path)
    assert old.results == (ResultRow("uptime", "6h", "target", 100.0, "100 %", ""),)
    assert old.decision == ""  # recorded before decisions were
    record(
        path,
        replace(run_row(), results=(ResultRow("uptime", "6h", "critical", 98.0, "98 %", "bot-2"),)),
    )
    assert sorted(r.bot for run in runs(path) for r in run.results) == ["", "bot-2"]
    record(path, replace(run_row(), decision="CANNOT DECIDE"))
    assert sorted(run.decision for run in runs(path)) == ["", "", "CANNOT DECIDE"]
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema").fetchone() == (SCHEMA_VERSION,)


def test_a_file_that_is_no_database_is_refused(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_text("not sqlite at all, but long enough to be looked at " * 20)
    with pytest.raises(HistoryError, match="not a usable history database"):
        record(path, run_row())


def test_the_table_names_what_failed():
    text = table([run_row()])
    header = ["id", "started", "phases", "state", "decision", "failed", "report"]
    assert text.splitlines()[0].split() == header
    assert "alerts" in text.splitlines()[1] and "uptime" not in text.splitlines()[1]


def _writer(path: str, worker: int, count: int) -> None:
    for n in range(count):
        record(Path(path), run_row(n=worker * 100 + n))


def test_parallel_writers_keep_every_row(tmp_path):
    """Eight processes writing at once (overlapping cron jobs): every run and result is kept."""
    path = tmp_path / "history.sqlite"
    workers, count = 8, 15
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_writer, args=(str(path), w, count)) for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    found = runs(path)
    assert len(found) == workers * count
    assert all(len(r.results) == 2 for r in found)
    assert len({r.id for r in found}) == workers * count
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# ---------------------------------------------------------------- python -m burnin history


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--reports-dir={reports}"], {}),
        ([], {"BURNIN_REPORTS_DIR": "{reports}"}),
        (["--reports-dir=elsewhere"], {"BURNIN_HISTORY_DB": "{reports}/history.sqlite"}),
        (["--db={reports}/history.sqlite"], {"BURNIN_REPORTS_DIR": "elsewhere"}),
    ],
)
def test_the_history_command_reads_the_database_the_suite_writes(
    tmp_path, monkeypatch, capsys, args, env
):
    """As the suite: --db > BURNIN_HISTORY_DB > history.sqlite in the reports directory
    (--reports-dir > BURNIN_REPORTS_DIR > reports/)."""
    from burnin.__main__ import main

    reports = tmp_path / "reports"
    record(reports / "history.sqlite", run_row())
    monkeypatch.delenv("BURNIN_HISTORY_DB", raising=False)
    monkeypatch.delenv("BURNIN_REPORTS_DIR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(reports=reports))
    monkeypatch.chdir(tmp_path)
    assert main(["history", "--json", *(a.format(reports=reports) for a in args)]) == 0
    [shown] = json.loads(capsys.readouterr().out)
    assert shown["target"] == "prod" and shown["deployment"] == DEPLOYED
