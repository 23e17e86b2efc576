"""The burn-in day, run for the team: smoke checks on the spec's schedule (every 15 minutes for
hours 0-4, hourly to hour 12, every 4 hours to 24) and each checkpoint when it falls due, each as
a pytest session of the production suite so every run leaves its record. The history database
says what has run, so a watch restarted in the middle neither repeats nor skips a check."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from burnin.history import AWAITING_SIGNOFF, RunRow, done_checkpoints, runs
from burnin.schedule import Phase
from burnin.verdict import Nagios

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests_production"

HOUR = timedelta(hours=1)
# The spec's monitoring schedule: (from, to, every) after the deployment's start.
TIERS: tuple[tuple[timedelta, timedelta, timedelta], ...] = (
    (timedelta(0), 4 * HOUR, timedelta(minutes=15)),  # hours 0-4: active monitoring
    (4 * HOUR, 12 * HOUR, HOUR),  # hours 4-12: periodic checks
    (12 * HOUR, 24 * HOUR, 4 * HOUR),  # hours 12-24: passive monitoring
)
# How long an interrupted pytest session may take to write its record before it is killed.
CHILD_GRACE_S = 30.0


class WatchStopped(Exception):
    """Ctrl-C or SIGTERM: the watch stops; the same command resumes it."""


@dataclass(frozen=True)
class Slot:
    offset: timedelta  # after the deployment's start
    phase: str  # the smoke phase, or the checkpoint due at this offset
    checkpoint: bool = False

    def moment(self, deployed_at: datetime) -> datetime:
        return deployed_at + self.offset

    def label(self) -> str:
        return offset_label(self.offset)


def offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"+{minutes // 60}:{minutes % 60:02d}"


def schedule(phases: Mapping[str, Phase]) -> list[Slot]:
    """Every check of the day in order: the tiers' smoke checks up to the last checkpoint, a
    checkpoint taking the place of the smoke check at its hour."""
    ordered = sorted(phases.values(), key=lambda p: p.duration)
    smoke = ordered[0].name
    checkpoints = {p.duration: p.name for p in ordered if p.duration >= HOUR}
    if not checkpoints:
        return []
    last = max(checkpoints)
    offsets = set(checkpoints)
    for start, end, every in TIERS:
        offset = start
        while offset < min(end, last):
            offsets.add(offset)
            offset += every
    return [
        Slot(o, checkpoints.get(o, smoke), o in checkpoints) for o in sorted(offsets) if o <= last
    ]


def judged_moment(run: RunRow, phase: str) -> datetime | None:
    """The moment a recorded run judged `phase` at: its window's end."""
    window = run.windows.get(phase)
    try:
        return datetime.fromisoformat(window[1]) if window else None
    except ValueError:
        return None


def is_done(
    slot: Slot, following: Slot | None, deployed_at: datetime, found: Sequence[RunRow]
) -> bool:
    """A checkpoint is done once a finished run judged it (not interrupted, not UNKNOWN); a smoke
    slot once a finished smoke run judged a moment between it and the next slot."""
    if slot.checkpoint:
        return slot.phase in done_checkpoints(found)
    start = slot.moment(deployed_at)
    end = following.moment(deployed_at) if following else datetime.max.replace(tzinfo=UTC)
    return any(
        slot.phase in run.phases
        and not run.interrupted
        and (moment := judged_moment(run, slot.phase)) is not None
        and start <= moment < end
        for run in found
    )


@dataclass
class Plan:
    run: list[Slot] = field(default_factory=list)  # in order
    missed: list[Slot] = field(default_factory=list)  # smoke slots passed while nobody watched


def plan(
    slots: Sequence[Slot],
    deployed_at: datetime,
    now: datetime,
    found: Sequence[RunRow],
    attempted: Iterable[Slot] = (),
) -> Plan:
    """What to run at `now`: every checkpoint due and not done (a missed checkpoint is never
    skipped; one whose run judged nothing, UNKNOWN, or that waits for the team's sign-off is
    tried again at each later slot), and the
    current smoke slot if it is not done. Earlier smoke slots not done are missed: that moment
    cannot be observed any more. Nothing runs twice for the same slot."""
    tried = set(attempted)
    due = [(i, s) for i, s in enumerate(slots) if s.moment(deployed_at) <= now]
    result = Plan()
    if not due:
        return result
    current = due[-1][1]
    if current in tried:  # this slot's work was done: wait for the next one
        return result
    for i, slot in due:
        following = slots[i + 1] if i + 1 < len(slots) else None
        if is_done(slot, following, deployed_at, found):
            continue
        if slot.checkpoint or slot == current:
            result.run.append(slot)
        elif slot not in tried:
            result.missed.append(slot)
    return result


def next_slot(slots: Sequence[Slot], deployed_at: datetime, now: datetime) -> Slot | None:
    return next((s for s in slots if s.moment(deployed_at) > now), None)


def first_open(slots: Sequence[Slot], deployed_at: datetime, found: Sequence[RunRow]) -> Slot:
    """Where a replayed day resumes: the first slot not done (the last one when all are)."""
    for i, slot in enumerate(slots):
        following = slots[i + 1] if i + 1 < len(slots) else None
        if not is_done(slot, following, deployed_at, found):
            return slot
    return slots[-1]


class Clock:
    """Real time: `now` is the wall clock, `sleep_until` waits for it."""

    compressed = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep_until(self, moment: datetime) -> None:
        while (left := (moment - self.now()).total_seconds()) > 0:
            time.sleep(min(left, 60.0))


class CompressedClock(Clock):
    """A replayed day: simulated time runs `speed` times faster than the wall clock from
    `origin`; with an infinite speed it jumps straight to the next moment."""

    compressed = True

    def __init__(self, origin: datetime, speed: float) -> None:
        self.origin, self.speed, self.started = origin, speed, time.monotonic()

    def now(self) -> datetime:
        if math.isinf(self.speed):
            return self.origin
        return self.origin + timedelta(seconds=(time.monotonic() - self.started) * self.speed)

    def sleep_until(self, moment: datetime) -> None:
        if math.isinf(self.speed):
            self.origin = max(self.origin, moment)
            return
        left = (moment - self.now()).total_seconds() / self.speed
        if left > 0:
            time.sleep(left)


@dataclass(frozen=True)
class CheckRun:
    slot: Slot
    returncode: int
    summary: str  # the suite's last line, `BURNIN OK - 4 ok`
    seconds: float
    output: str


Runner = Callable[[Slot, datetime | None], CheckRun]


@dataclass(frozen=True)
class WatchSettings:
    deployed_at: datetime
    history_db: Path
    pytest_args: tuple[str, ...] = ()  # --target, --targets-file, --reports-dir, ...


def pytest_command(settings: WatchSettings, slot: Slot, at: datetime | None) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(SUITE),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",  # a dev plugin, when installed: 0.6 s of imports per check
        f"--phase={slot.phase}",
        f"--deployed-at={settings.deployed_at.isoformat()}",
        f"--history-db={settings.history_db}",
    ]
    if at is not None:
        command.append(f"--at={at.isoformat()}")
    return command + list(settings.pytest_args)


def subprocess_runner(settings: WatchSettings) -> Runner:
    """Each check a pytest session of the suite in its own process; Ctrl-C or SIGTERM passes
    SIGINT on, so the session writes its record marked interrupted before the watch stops."""

    def run(slot: Slot, at: datetime | None) -> CheckRun:
        began = time.monotonic()
        child = subprocess.Popen(
            pytest_command(settings, slot, at),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # the watch forwards Ctrl-C itself
        )
        try:
            output, _ = child.communicate()
        except (KeyboardInterrupt, WatchStopped):
            child.send_signal(signal.SIGINT)
            try:
                child.communicate(timeout=CHILD_GRACE_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
            raise WatchStopped from None
        lines = [line for line in output.splitlines() if line.startswith("BURNIN ")]
        summary = lines[-1] if lines else _last_line(output)
        return CheckRun(slot, child.returncode, summary, time.monotonic() - began, output)

    return run


def _last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


@dataclass(frozen=True)
class Outcome:
    state: Nagios
    decision: str  # the last checkpoint's decision line, or why there is none
    report: str  # the last checkpoint's HTML report


def final_outcome(slots: Sequence[Slot], found: Sequence[RunRow]) -> Outcome:
    """The day's decision: the last checkpoint's latest finished run and its JSON report."""
    last = slots[-1].phase
    judged = [r for r in found if last in r.phases and not r.interrupted]
    if not judged:
        return Outcome(Nagios.UNKNOWN, f"the {last} checkpoint never ran", "")
    run = judged[-1]
    state = Nagios[run.state] if run.state in Nagios.__members__ else Nagios.UNKNOWN
    decision = f"{last} checkpoint {run.state}"
    path = Path(run.reports.get("json", ""))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        decision += f", decision {data['decision']}"
    except (OSError, ValueError, KeyError, TypeError):
        decision += f" (its JSON report {path} is not readable)"
    if run.decision == AWAITING_SIGNOFF:
        decision += (
            f": healthy so far; the {last} checkpoint stays open until the team records its "
            f"sign-off, then run it again (--phase {last}, or --phase auto)"
        )
    return Outcome(state, decision, run.reports.get("html", ""))


def _when(slot: Slot, deployed_at: datetime) -> str:
    return f"{slot.phase} at {slot.label()} ({slot.moment(deployed_at):%Y-%m-%d %H:%M} UTC)"


def watch(
    slots: Sequence[Slot],
    settings: WatchSettings,
    clock: Clock,
    runner: Runner,
    say: Callable[[str], None] = print,
    target: str | None = None,
) -> int:
    """Run the day until its last checkpoint; returns the final state as an exit code (nagios:
    0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), 4 when a check could not start (a usage error)."""
    deployed = settings.deployed_at.astimezone(UTC)
    key = deployed.isoformat(timespec="seconds")
    attempted: set[Slot] = set()
    while True:
        now = clock.now()
        todo = plan(slots, deployed, now, runs(settings.history_db, target, key), attempted)
        if todo.missed:
            first, last = todo.missed[0], todo.missed[-1]
            span = first.label() if first == last else f"{first.label()} to {last.label()}"
            say(f"missed: {len(todo.missed)} smoke check(s) {span} (nobody was watching then)")
            attempted.update(todo.missed)
        for slot in todo.run:
            moment = clock.now()
            done = runner(slot, moment if clock.compressed else None)
            say(
                f"{moment:%Y-%m-%d %H:%M} UTC ({offset_label(moment - deployed)})  "
                f"{slot.phase:<5} {done.summary}  ({done.seconds:.1f} s)"
            )
            if done.returncode in (3, 4):  # pytest's internal or usage error: nothing was judged
                say(f"burnin watch: the {slot.phase} check could not run:\n{done.output[-2000:]}")
                return 4
        attempted.update(s for s in slots if s.moment(deployed) <= now)
        following = next_slot(slots, deployed, now)
        if following is None:
            outcome = final_outcome(slots, runs(settings.history_db, target, key))
            say(f"burnin watch: the day is over: {outcome.decision}")
            if outcome.report:
                say(f"burnin watch: report {outcome.report}")
            return int(outcome.state)
        say(f"next: {_when(following, deployed)}")
        clock.sleep_until(following.moment(deployed))


def stop_on_sigterm() -> None:
    def _stop(signum: int, frame: object) -> None:
        raise WatchStopped(f"signal {signum}")

    signal.signal(signal.SIGTERM, _stop)
