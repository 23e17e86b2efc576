"""Evidence gathered ahead: at session start every selected criterion's measurement starts in a
bounded pool, so the round trips to Prometheus, the host and the health endpoint overlap
instead of adding up test by test. Each test then takes its measurement (waiting while it is
under way) and judges it; a measurement that raised (a source broken mid-run) raises again in
the test that takes it. Health latency is sampled once everything else gathered has ended:
nothing else of the run's may share the client while it is timed (a fleet's bots, each its own
endpoint, are sampled a pool's worth at once, each bot's samples in turn)."""

from __future__ import annotations

import importlib
import pkgutil
import queue
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import Any

from burnin.catalogue import CRITERIA, MEASUREMENTS
from burnin.errors import ConfigError, SourceError
from burnin.flight import MARGIN_S, answer_of
from burnin.partial import PartialAnswer, collected
from burnin.probes.prometheus import FIRST_EVALUATION_MAX_WAIT_S
from burnin.probes.ssh_batch import HostCommand
from burnin.run import RunSettings
from burnin.sources import Sources

# Measurements under way at once. Each holds at most one request; SSH channels are bounded by
# the probe, Prometheus answers a handful of queries at once without strain.
WORKERS = 8


# The most source timeouts one measurement spends asking, its requests in turn (raw samples, a
# few queries, the host's commands, each with its retry or reconnect), besides the wait for
# Prometheus's first rule evaluation. One still running past that is stuck where none of its
# own timeouts reaches: its test errors saying so instead of waiting on it.
MEASURE_TIMEOUTS = 30


# The libraries each source's probe asks with (burnin.lazy defers them past collection), by the
# source's name in a criterion's `source`. requests comes with prometheus_api_client.
SOURCE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "ssh": ("fabric", "burnin.probes.known_hosts"),
    "prometheus": ("prometheus_api_client", "urllib3.util.retry"),
    "alertmanager": ("requests",),
}


def import_ahead(criteria: Iterable[str]) -> None:
    """Import what measuring `criteria` needs on the calling (main) thread, before the
    gathering starts: the criteria modules and their sources' libraries. Left to the
    gathering's threads, each import holds the GIL while the other threads' answers wait: a
    checkpoint_24h run took 0.07 s longer (wall) for 0.12 s less CPU. A library a measurement
    needs beyond its criterion's sources (restarts' journal over SSH) is still imported by its
    first use."""
    import burnin.criteria

    for found in pkgutil.iter_modules(burnin.criteria.__path__):
        importlib.import_module(f"burnin.criteria.{found.name}")
    sources = sorted({source for c in criteria for source in CRITERIA[c].sources})
    for library in dict.fromkeys(name for s in sources for name in SOURCE_LIBRARIES.get(s, ())):
        importlib.import_module(library)


def measurement_bound_s(timeout_s: float) -> float:
    """How long a test waits for a measurement under way before giving up on it."""
    return MEASURE_TIMEOUTS * timeout_s + FIRST_EVALUATION_MAX_WAIT_S + MARGIN_S


@dataclass(eq=False)  # hashed by identity: a set holds the running ones
class _Job:
    key: Hashable
    answer: Future[Any]
    measure: Callable[[], Any]
    bound_s: float | None  # None: waited for as long as it takes
    started: float | None = None  # monotonic, once a worker (or the test taking it) runs it
    abandoned: bool = False


class Gathering:
    """Measurements by (name, bot, phase): started ahead, taken by tests. The workers are daemon
    threads: a run that ends (interrupted, timed out) never waits on a source still hanging.
    Every wait on a measurement is bounded by its `bound_s`: one running past it is given up
    (SourceError in its test) and its worker replaced, so the queue behind it moves on."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._started: dict[Hashable, _Job] = {}
        self._order: list[_Job] = []  # every job, in the order made
        self._quiet_upto = 0  # the jobs before this one have all ended (quiet() saw them)
        self._running: set[_Job] = set()  # started and not yet ended: what may run overdue
        # deferred until the rest has ended: key -> (measure, bound_s)
        self._timed: dict[Hashable, tuple[Callable[[], Any], float | None]] = {}
        self._lock = threading.Lock()
        self._workers = workers
        # The answers each measurement read that their source said may be partial, by key.
        self.partial: dict[Hashable, tuple[PartialAnswer, ...]] = {}
        for _ in range(workers):
            self._add_worker()

    def _add_worker(self) -> None:
        threading.Thread(target=self._work, name="gather", daemon=True).start()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._claim(job):
                self._settle(job)
                if job.abandoned:  # replaced while it hung: the replacement works on
                    return

    def _claim(self, job: _Job) -> bool:
        """Mark the job running here, unless it runs elsewhere already or was cancelled."""
        with self._lock:
            if job.started is not None or job.answer.done():  # running, or cancelled
                return False
            if not job.answer.set_running_or_notify_cancel():
                return False
            job.started = time.monotonic()
            self._running.add(job)
            return True

    def _settle(self, job: _Job) -> None:
        try:
            answer = job.measure()
        except BaseException as exc:  # noqa: BLE001 - raised again in the test that takes it
            with self._lock:
                self._running.discard(job)
                if not job.abandoned:
                    job.answer.set_exception(exc)
            return
        with self._lock:
            self._running.discard(job)
            if not job.abandoned:
                job.answer.set_result(answer)

    def _abandon_overdue(self) -> None:
        """Give up on every measurement running past its bound; a new worker for each (only
        the running ones are looked at: a fleet's run has thousands that ended)."""
        now = time.monotonic()
        with self._lock:
            overdue = [
                (job, now - job.started, job.bound_s)
                for job in self._running
                if job.started is not None
                and job.bound_s is not None
                and not job.answer.done()
                and now - job.started > job.bound_s
            ]
            for job, running_s, bound_s in overdue:
                job.abandoned = True
                self._running.discard(job)
                job.answer.set_exception(
                    SourceError(
                        "sources",
                        f"measurement {job.key!r}",
                        f"gave up waiting: still running after {running_s:.0f} s, past its "
                        f"bound of {bound_s:g} s (a source stalled where none of its own "
                        "timeouts reaches)",
                    )
                )
        for _ in overdue:
            self._add_worker()

    def _await(self, job: _Job) -> None:
        """Until the job has ended or been given up (checked every MARGIN_S at most)."""
        while not job.answer.done():
            self._abandon_overdue()
            wait([job.answer], timeout=MARGIN_S)

    def start(
        self, key: Hashable, measure: Callable[[], Any], bound_s: float | None = None
    ) -> None:
        """Queue the measurement (in the order started)."""
        with self._lock:
            if key in self._started:
                return
            job = self._started[key] = _Job(key, Future(), measure, bound_s)
            self._order.append(job)
        self._queue.put(job)

    def defer(
        self, key: Hashable, measure: Callable[[], Any], bound_s: float | None = None
    ) -> None:
        """Keep a timed measurement for when everything started has ended (take_timed)."""
        if key not in self._started:
            self._timed.setdefault(key, (measure, bound_s))

    def quiet(self) -> None:
        """Wait until every measurement started has ended (or been given up). Those seen ended
        by an earlier call are not looked at again (a fleet's timed tests each ask)."""
        with self._lock:
            upto = len(self._order)
            jobs = self._order[self._quiet_upto : upto]
        for job in jobs:
            self._await(job)
        with self._lock:
            self._quiet_upto = max(self._quiet_upto, upto)

    def take_timed(
        self, key: Hashable, measure: Callable[[], Any], bound_s: float | None = None
    ) -> Any:
        """A timed measurement: once every other measurement has ended, the deferred timed ones
        start together on the workers (a fleet's bots, each its own endpoint: `workers` at once,
        each bot's samples in turn), and this one is taken."""
        self.quiet()
        for deferred, (timed, bound) in self._timed.items():
            self.start(deferred, timed, bound)
        self._timed.clear()
        return self.take(key, measure, bound_s)

    def take(self, key: Hashable, measure: Callable[[], Any], bound_s: float | None = None) -> Any:
        """The measurement started ahead (waiting for it while it runs), else measured now and
        kept for the next test that takes it (a fleet's bots sharing one health endpoint). One
        queued but not yet running is measured now: no wait for a free worker."""
        with self._lock:
            job = self._started.get(key)
            if job is None:
                job = self._started[key] = _Job(key, Future(), measure, bound_s)
                self._order.append(job)
        if self._claim(job):  # on a thread of its own: the wait on it stays bounded
            threading.Thread(target=self._settle, args=(job,), name="take", daemon=True).start()
        self._await(job)
        return answer_of(job.answer)

    def close(self) -> None:
        """Drop what has not started; what runs ends with its source's timeout, unwaited."""
        with self._lock:
            for job in self._started.values():
                if job.started is None:
                    job.answer.cancel()
        for _ in range(self._workers):
            self._queue.put(None)


def _needed(selected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (measurement, phase) pairs the selected (criterion, phase) pairs need, in order."""
    return list(dict.fromkeys((name, p) for c, p in selected for name in CRITERIA[c].needs))


def plan_host(sources: Sources, run: RunSettings, selected: list[tuple[str, str]]) -> None:
    """Tell the bot's host every command the selected measurements will ask (the registry
    declares them): the host's first session sends them all at once. Call it for every bot of
    a run before gathering starts: the first session is opened by the first measurement that
    asks the host."""
    probe = sources.ssh_gate.probe
    if not probe.settings.host or sources.ssh_gate.failure is not None:
        return
    commands: list[HostCommand] = []
    for name, phase in _needed(selected):
        declared = MEASUREMENTS[name].host_commands
        try:
            commands += declared(run, phase) if declared else []
        except (ConfigError, ValueError):
            continue  # the measurement says what is wrong when it runs
    probe.plan(commands)


def gather_ahead(
    gathering: Gathering, sources: Sources, run: RunSettings, selected: list[tuple[str, str]]
) -> None:
    """Start the measurements the selected (criterion, phase) pairs need, the host's first
    (`first`): after plan_host for every bot of the run. The timed ones (`alone`) wait until
    the first test that takes one, once the rest has ended."""
    keys = _needed(selected)
    keys.sort(key=lambda key: not MEASUREMENTS[key[0]].first)
    bound_s = measurement_bound_s(run.target.settings.timeout_s)
    for name, phase in keys:
        measure = _bound(gathering, name, sources, run, phase)
        if MEASUREMENTS[name].alone:
            gathering.defer(_key(name, run, phase), measure, bound_s)
        else:
            gathering.start(_key(name, run, phase), measure, bound_s)


def take(gathering: Gathering, sources: Sources, run: RunSettings, name: str, phase: str) -> Any:
    """A test's measurement: the one gathered ahead, else measured now; a timed one once
    nothing else is under way."""
    measure = _bound(gathering, name, sources, run, phase)
    bound_s = measurement_bound_s(run.target.settings.timeout_s)
    if MEASUREMENTS[name].alone:
        return gathering.take_timed(_key(name, run, phase), measure, bound_s)
    return gathering.take(_key(name, run, phase), measure, bound_s)


def _key(name: str, run: RunSettings, phase: str) -> Hashable:
    """What a measurement is kept under: its bot's, or the settings it depends on alone."""
    shared = MEASUREMENTS[name].shared_by
    owner = tuple(run.target[k] for k in shared) if shared else run.target.label
    return (name, owner, phase)


def partial_of(
    gathering: Gathering, run: RunSettings, name: str, phase: str
) -> tuple[PartialAnswer, ...]:
    """The answers a taken measurement read that their source said may be partial."""
    return gathering.partial.get(_key(name, run, phase), ())


def _bound(
    gathering: Gathering, name: str, sources: Sources, run: RunSettings, phase: str
) -> Callable[[], Any]:
    """The measurement, its partial answers kept by its key as it ends (before its answer is
    taken: whoever takes it sees them)."""
    key = _key(name, run, phase)

    def measure() -> Any:
        value, partial = collected(lambda: MEASUREMENTS[name].measure(sources, run, phase))
        if partial:
            gathering.partial[key] = partial
        return value

    return measure
