"""The schedule of a burn-in: a phase (its length and marker), the window of time it judges,
which checkpoint is due, and the times users write. A leaf: it imports nothing of burnin but
its errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from burnin.errors import ConfigError, NotDue


@dataclass(frozen=True)
class Phase:
    name: str  # "6h"
    duration: timedelta
    marker: str  # "checkpoint_6h"
    criteria: tuple[str, ...]


# A checkpoint run a little before its hour is still that checkpoint.
EARLY_GRACE = timedelta(minutes=10)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def seconds(self) -> int:
        return int(self.duration.total_seconds())

    def promql_range(self) -> str:
        """The window as a PromQL range, e.g. `[86400s]`, to evaluate at `end`."""
        return f"[{self.seconds}s]"

    def __str__(self) -> str:
        return f"{self.start.isoformat(timespec='seconds')} .. {self.end.isoformat(timespec='seconds')}"


def phase_window(
    phase: Phase,
    deployed_at: datetime | None,
    at: datetime | None,
    now: datetime | None = None,
) -> Window:
    """From deployment start to start + phase when the start is known, else the phase back from
    `at` (a past moment to evaluate) or now."""
    now = now or datetime.now(UTC)
    end = at or now
    if deployed_at is None or phase.duration < timedelta(hours=1):
        return Window(end - phase.duration, end)
    start = deployed_at
    phase_end = start + phase.duration
    if phase_end > end + EARLY_GRACE:
        raise NotDue(
            f"phase {phase.name}: deployed at {start.isoformat()} so the {phase.name} checkpoint is "
            f"due at {phase_end.isoformat()}, after {end.isoformat()}; run it then or pass --at"
        )
    return Window(start, min(phase_end, end))


def due_phase(
    phases: Iterable[Phase], deployed_at: datetime, now: datetime, done: Iterable[str] = ()
) -> Phase:
    """The latest checkpoint that is due at `now` for a deployment started at `deployed_at`
    (within EARLY_GRACE) and not `done` yet, or the shortest phase (smoke) when there is none:
    before the first checkpoint, and between checkpoints already recorded."""
    ordered = sorted(phases, key=lambda p: p.duration)
    due = [p for p in ordered if p.duration >= timedelta(hours=1)]
    due = [p for p in due if deployed_at + p.duration <= now + EARLY_GRACE]
    if due and due[-1].name not in set(done):
        return due[-1]
    return ordered[0]


def parse_time(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{where}: expected an ISO 8601 time such as 2026-11-28T09:00:00+00:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(f"{where}: {text!r} has no UTC offset; add one, e.g. {text}+00:00")
    return moment


DAY = timedelta(hours=24)
BASELINE_KINDS = ("previous-day", "previous-deployment", "none")


@dataclass(frozen=True)
class Baseline:
    """What vs-previous-release compares a checkpoint's window with (the `baseline` setting):
    the same hours of the day before (`previous-day`), the same checkpoint of the deployment
    recorded before this one (`previous-deployment`), a named window (`interval`), or nothing
    (`none`: a first deployment)."""

    kind: str
    interval: Window | None = None

    def describe(self) -> str:
        return str(self.interval) if self.interval is not None else self.kind


def parse_baseline(text: str, where: str) -> Baseline:
    """`previous-day`, `previous-deployment`, `none`, or an ISO 8601 interval `START/END` (both
    with a UTC offset, START before END)."""
    text = text.strip()
    if text in BASELINE_KINDS:
        return Baseline(text)
    start_text, slash, end_text = text.partition("/")
    if not slash:
        raise ConfigError(
            f"{where}: expected previous-day, previous-deployment, none or an ISO 8601 interval "
            f"START/END such as 2026-11-27T09:00:00+00:00/2026-11-28T09:00:00+00:00, got {text!r}"
        )
    start, end = parse_time(start_text, where), parse_time(end_text, where)
    if end <= start:
        raise ConfigError(f"{where}: the interval {text!r} ends before it starts")
    return Baseline("interval", Window(start, end))
