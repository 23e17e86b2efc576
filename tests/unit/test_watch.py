"""The watch's schedule and its resume rules, with a stand-in runner that records what a pytest
session of the suite would record (the end-to-end replay is tests/e2e/test_watch.py)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.history import RunRow, record, runs
from burnin.schedule import Phase
from burnin.watch import (
    CheckRun,
    Clock,
    CompressedClock,
    Slot,
    WatchSettings,
    WatchStopped,
    final_outcome,
    first_open,
    plan,
    schedule,
    watch,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
DEPLOYED = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PHASES = {
    name: Phase(
        name, timedelta(hours=hours or 0.25), f"checkpoint_{name}" if hours else "smoke", ()
    )
    for name, hours in (("smoke", 0), ("6h", 6), ("12h", 12), ("24h", 24))
}
SLOTS = schedule(PHASES)


def test_schedule_is_the_specs_every_15_minutes_then_hourly_then_every_4_hours():
    offsets = [s.offset for s in SLOTS]
    assert offsets[:16] == [15 * M * i for i in range(16)]  # hours 0-4
    assert offsets[16:24] == [H * h for h in range(4, 12)]  # hours 4-12
    assert offsets[24:] == [12 * H, 16 * H, 20 * H, 24 * H]  # hours 12-24
    assert [(s.label(), s.phase) for s in SLOTS if s.checkpoint] == [
        ("+6:00", "6h"),
        ("+12:00", "12h"),
        ("+24:00", "24h"),
    ]
    assert {s.phase for s in SLOTS if not s.checkpoint} == {"smoke"}
    assert len(SLOTS) == 28


def _row(slot: Slot, at: datetime, state: str = "OK", interrupted: bool = False) -> RunRow:
    end = DEPLOYED + PHASES[slot.phase].duration if slot.checkpoint else at
    start = DEPLOYED if slot.checkpoint else at - PHASES["smoke"].duration
    return RunRow(
        target="prod",
        deployment=DEPLOYED.isoformat(timespec="seconds"),
        phases=(slot.phase,),
        started=at.isoformat(timespec="seconds"),
        finished=at.isoformat(timespec="seconds"),
        windows={slot.phase: (start.isoformat(), end.isoformat())},
        state=state,
        interrupted=interrupted,
        reports={},
    )


def test_a_fresh_deployment_runs_its_first_smoke_check():
    todo = plan(SLOTS, DEPLOYED, DEPLOYED + 2 * M, [])
    assert todo.run == [SLOTS[0]] and todo.missed == []


def test_smoke_checks_nobody_ran_are_missed_but_a_missed_checkpoint_still_runs():
    smoke_done = [_row(s, s.moment(DEPLOYED) + M) for s in SLOTS[:5]]  # up to +1:00
    todo = plan(SLOTS, DEPLOYED, DEPLOYED + 7 * H + 5 * M, smoke_done)
    assert [s.label() for s in todo.run] == ["+6:00", "+7:00"]
    assert [s.label() for s in todo.missed][0] == "+1:15"
    assert len(todo.missed) == 13  # +1:15 .. +3:45 (11), +4:00, +5:00


def test_an_interrupted_run_does_not_count_as_done():
    rows = [_row(SLOTS[0], DEPLOYED + M, interrupted=True)]
    assert plan(SLOTS, DEPLOYED, DEPLOYED + 5 * M, rows).run == [SLOTS[0]]


def test_a_checkpoint_that_judged_nothing_is_tried_again_at_the_next_slot():
    six = next(s for s in SLOTS if s.phase == "6h")
    rows = [_row(six, six.moment(DEPLOYED), state="UNKNOWN")]
    at_six = plan(SLOTS, DEPLOYED, six.moment(DEPLOYED), rows, attempted=SLOTS[:19])
    assert at_six.run == []  # this slot was attempted already
    later = plan(SLOTS, DEPLOYED, DEPLOYED + 7 * H, rows, attempted=SLOTS[:19])
    assert [s.label() for s in later.run] == ["+6:00", "+7:00"]


class Recorder:
    """Stands in for a pytest session: records the run in the history like the suite does."""

    def __init__(self, db: Path, states: dict[str, str] | None = None, stop_after: int = 0):
        self.db, self.states, self.stop_after, self.calls = db, states or {}, stop_after, []
        self.decisions: dict[str, str] = {}  # slot label -> decision, else by the state

    def __call__(self, slot: Slot, at: datetime | None) -> CheckRun:
        assert at is not None
        if self.stop_after and len(self.calls) == self.stop_after:
            raise WatchStopped("test")
        self.calls.append((slot.label(), slot.phase, at))
        state = self.states.pop(slot.label(), "OK")  # a retry succeeds
        report = self.db.parent / f"{len(self.calls)}.json"
        decision = self.decisions.pop(slot.label(), "PASS" if state == "OK" else "FAIL")
        report.write_text(json.dumps({"decision": decision}))
        row = _row(slot, at, state)
        record(
            self.db,
            RunRow(**{**row.__dict__, "reports": {"json": str(report)}, "decision": decision}),
        )
        return CheckRun(slot, 0, f"BURNIN {state} - 4 ok", 0.1, "")


def _watch(db: Path, runner: Recorder, lines: list[str]) -> int:
    found = runs(db, "prod", DEPLOYED.isoformat(timespec="seconds"))
    clock = CompressedClock(first_open(SLOTS, DEPLOYED, found).moment(DEPLOYED), math.inf)
    settings = WatchSettings(DEPLOYED, db)
    return watch(SLOTS, settings, clock, runner, lines.append, target="prod")


def test_a_replayed_day_runs_every_check_once_at_its_moment_and_ends_with_the_decision(tmp_path):
    lines: list[str] = []
    runner = Recorder(tmp_path / "h.sqlite")
    assert _watch(tmp_path / "h.sqlite", runner, lines) == 0
    assert [(label, phase) for label, phase, _ in runner.calls] == [
        (s.label(), s.phase) for s in SLOTS
    ]
    assert all(at == DEPLOYED + s.offset for (_, _, at), s in zip(runner.calls, SLOTS, strict=True))
    assert lines[-1] == "burnin watch: the day is over: 24h checkpoint OK, decision PASS"
    assert "next: smoke at +0:15 (2026-11-28 09:15 UTC)" in lines


def test_a_restart_in_the_middle_neither_repeats_nor_skips_a_check(tmp_path):
    db = tmp_path / "h.sqlite"
    first = Recorder(db, stop_after=20)
    with pytest.raises(WatchStopped):
        _watch(db, first, [])
    second = Recorder(db)
    lines: list[str] = []
    assert _watch(db, second, lines) == 0
    ran = [(label, phase) for label, phase, _ in first.calls + second.calls]
    assert ran == [(s.label(), s.phase) for s in SLOTS]
    assert not any(line.startswith("missed") for line in lines)


def test_the_days_state_is_the_last_checkpoints_and_an_unjudged_checkpoint_is_retried(tmp_path):
    db = tmp_path / "h.sqlite"
    runner = Recorder(db, states={"+12:00": "UNKNOWN", "+24:00": "CRITICAL"})
    lines: list[str] = []
    assert _watch(db, runner, lines) == 2
    labels = [label for label, _, _ in runner.calls]
    assert labels.count("+12:00") == 2 and labels[labels.index("+16:00") - 1] == "+12:00"
    assert lines[-1].endswith("24h checkpoint CRITICAL, decision FAIL")


def test_a_checkpoint_waiting_for_the_sign_off_is_run_again_and_the_day_ends_saying_so(tmp_path):
    db = tmp_path / "h.sqlite"
    runner = Recorder(db, states={"+6:00": "WARNING", "+24:00": "WARNING"})
    runner.decisions = {"+6:00": "AWAITING SIGN-OFF", "+24:00": "AWAITING SIGN-OFF"}
    lines: list[str] = []
    assert _watch(db, runner, lines) == 1
    labels = [label for label, _, _ in runner.calls]
    assert labels.count("+6:00") == 2  # open for the sign-off: run again at the next slot
    assert lines[-1] == (
        "burnin watch: the day is over: 24h checkpoint WARNING, decision AWAITING SIGN-OFF: "
        "healthy so far; the 24h checkpoint stays open until the team records its sign-off, "
        "then run it again (--phase 24h, or --phase auto)"
    )


def test_without_a_run_of_the_last_checkpoint_the_day_is_unknown():
    outcome = final_outcome(SLOTS, [])
    assert outcome.state == 3 and "never ran" in outcome.decision


def test_the_real_clock_waits_for_the_moment():
    clock = Clock()
    before = clock.now()
    clock.sleep_until(before + timedelta(milliseconds=50))
    assert clock.now() >= before + timedelta(milliseconds=50)


def test_a_compressed_clock_runs_faster_than_the_wall_clock():
    clock = CompressedClock(DEPLOYED, 36_000.0)  # an hour in 0.1 s
    clock.sleep_until(DEPLOYED + H)
    assert clock.now() >= DEPLOYED + H


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "needs the deployment start: add --deployed-at"),
        (["--deployed-at=2026-11-28T09:00:00+00:00", "--speed=0.5"], "--speed 0.5: expected"),
        (["--deployed-at=2026-11-28T09:00:00+00:00", "--speed=fast"], "--speed fast: expected"),
        (["--deployed-at=yesterday"], "--deployed-at"),
        ([f"--deployed-at={datetime.now(UTC).isoformat()}", "--speed=max"], "a day that is over"),
    ],
)
def test_watch_refuses_what_it_cannot_run_with_the_fix(args, expected, capsys, monkeypatch):
    from burnin.__main__ import main

    monkeypatch.delenv("BURNIN_DEPLOYED_AT", raising=False)
    assert main(["watch", "--target=sandbox", *args]) == 4
    assert expected in capsys.readouterr().err
