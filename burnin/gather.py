"""Evidence gathered ahead: at session start every selected criterion's measurement starts in a
bounded pool, so the round trips to Prometheus, the host and the health endpoint overlap
instead of adding up test by test. Each test then takes its measurement (waiting while it is
under way) and judges it; a measurement that raised (a source broken mid-run) raises again in
the test that takes it. Health latency is sampled once everything else gathered has ended:
nothing else of the run's may share the client while it is timed (a fleet's bots, each its own
endpoint, are sampled a pool's worth at once, each bot's samples in turn)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, wait
from typing import Any

from burnin.catalogue import CRITERIA, MEASUREMENTS
from burnin.run import RunSettings
from burnin.sources import Sources

# Measurements under way at once. Each holds at most one request; SSH channels are bounded by
# the probe, Prometheus answers a handful of queries at once without strain.
WORKERS = 8


class Gathering:
    """Measurements by (name, bot, phase): started ahead, taken by tests. The workers are daemon
    threads: a run that ends (interrupted, timed out) never waits on a source still hanging."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._started: dict[Hashable, Future[Any]] = {}
        self._timed: dict[Hashable, Callable[[], Any]] = {}  # deferred until the rest has ended
        self._workers = workers
        for number in range(workers):
            threading.Thread(target=self._work, name=f"gather-{number}", daemon=True).start()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            future, measure = job
            if future.set_running_or_notify_cancel():
                _settle(future, measure)

    def start(self, key: Hashable, measure: Callable[[], Any]) -> None:
        """Queue the measurement (in the order started)."""
        if key not in self._started:
            self._started[key] = Future()
            self._queue.put((self._started[key], measure))

    def defer(self, key: Hashable, measure: Callable[[], Any]) -> None:
        """Keep a timed measurement for when everything started has ended (take_timed)."""
        if key not in self._started:
            self._timed.setdefault(key, measure)

    def quiet(self) -> None:
        """Wait until every measurement started has ended."""
        wait(list(self._started.values()))

    def take_timed(self, key: Hashable, measure: Callable[[], Any]) -> Any:
        """A timed measurement: once every other measurement has ended, the deferred timed ones
        start together on the workers (a fleet's bots, each its own endpoint: `workers` at once,
        each bot's samples in turn), and this one is taken."""
        self.quiet()
        for deferred, timed in self._timed.items():
            self.start(deferred, timed)
        self._timed.clear()
        return self.take(key, measure)

    def take(self, key: Hashable, measure: Callable[[], Any]) -> Any:
        """The measurement started ahead (waiting for it), else measured now and kept for the
        next test that takes it (a fleet's bots sharing one health endpoint)."""
        started = self._started.get(key)
        if started is None:
            started = self._started[key] = Future()
            started.set_running_or_notify_cancel()
            _settle(started, measure)
        return started.result()

    def close(self) -> None:
        """Drop what has not started; what runs ends with its source's timeout, unwaited."""
        for future in self._started.values():
            future.cancel()
        for _ in range(self._workers):
            self._queue.put(None)


def _settle(future: Future[Any], measure: Callable[[], Any]) -> None:
    try:
        future.set_result(measure())
    except Exception as exc:  # noqa: BLE001 - raised again in the test that takes it
        future.set_exception(exc)


def gather_ahead(
    gathering: Gathering, sources: Sources, run: RunSettings, selected: list[tuple[str, str]]
) -> None:
    """Start the measurements the selected (criterion, phase) pairs need, the host's first
    (`first`). The timed ones (`alone`) wait until the first test that takes one, once the
    rest has ended."""
    keys = list(dict.fromkeys((name, p) for c, p in selected for name in CRITERIA[c].needs))
    keys.sort(key=lambda key: not MEASUREMENTS[key[0]].first)
    for name, phase in keys:
        measure = _bound(name, sources, run, phase)
        if MEASUREMENTS[name].alone:
            gathering.defer(_key(name, run, phase), measure)
        else:
            gathering.start(_key(name, run, phase), measure)


def take(gathering: Gathering, sources: Sources, run: RunSettings, name: str, phase: str) -> Any:
    """A test's measurement: the one gathered ahead, else measured now; a timed one once
    nothing else is under way."""
    measure = _bound(name, sources, run, phase)
    if MEASUREMENTS[name].alone:
        return gathering.take_timed(_key(name, run, phase), measure)
    return gathering.take(_key(name, run, phase), measure)


def _key(name: str, run: RunSettings, phase: str) -> Hashable:
    """What a measurement is kept under: its bot's, or the settings it depends on alone."""
    shared = MEASUREMENTS[name].shared_by
    owner = tuple(run.target[k] for k in shared) if shared else run.target.label
    return (name, owner, phase)


def _bound(name: str, sources: Sources, run: RunSettings, phase: str) -> Callable[[], Any]:
    return lambda: MEASUREMENTS[name].measure(sources, run, phase)
