"""Answers kept for a run, asked once even when several criteria ask at the same moment; and
the bounded waits around them: a waiter on another thread's request, a wait for a free slot, a
call that may stall inside a library. Each wait ends within the bound of what it waits for plus
MARGIN_S, whatever the source does (never answers, stalls mid-answer, stalls in a handshake)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from burnin.errors import again

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

# Beyond the bound of what is waited for: thread start-up and scheduling on a loaded machine.
MARGIN_S = 2.0


class GaveUp(TimeoutError):
    """A wait ended at its bound: what it waited for (another thread's request, a slot held by
    one) overran its own bound. The message says what and how long."""


def _gave_up(key: Hashable, waited_s: float) -> object:
    raise GaveUp(
        f"gave up waiting {waited_s:.1f} s for the answer to {key!r} another thread was asking "
        "for (its request overran its own timeouts)"
    )


@dataclass
class _Flight(Generic[V]):
    answer: Future[V] = field(default_factory=Future)
    started: float | None = None  # monotonic; None while the asker waits for a slot
    bound_s: float | None = None  # its own bound (a batch of requests), else the Flights'


class Flights(Generic[K, V]):
    """`get(key, fetch)`: the kept answer; else, when the same key is being fetched, that
    fetch's answer (waiting for it); else fetch now. An answer is kept when `keep` says so (a
    lost connection is not: the next ask tries again); an exception reaches every waiter and is
    never kept.

    `bound_s`: the longest one fetch may take (its source's own timeouts added up). A waiter
    waits at most that long plus MARGIN_S from the moment the fetch began (after its slot, if
    it needed one), then takes `gave_up(key, waited_s)`: an answer that says so, or an
    exception (GaveUp by default). None: wait as long as the fetch takes."""

    def __init__(
        self,
        keep: Callable[[V], bool] = lambda _answer: True,
        bound_s: float | None = None,
        gave_up: Callable[[K, float], V] = _gave_up,  # type: ignore[assignment]
    ) -> None:
        self._keep = keep
        self.bound_s = bound_s
        self._gave_up = gave_up
        self._kept: dict[K, V] = {}
        self._flying: dict[K, _Flight[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, fetch: Callable[[], V], slots: Slots | None = None) -> V:
        """`slots`: taken (a bounded wait) before the fetch starts; waiters count the fetch's
        bound from when it has its slot."""
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            flying = self._flying.get(key)
            if flying is None:
                mine: _Flight[V] = _Flight()
                self._flying[key] = mine
        if flying is not None:
            return self._await(key, flying)
        try:
            with slots.held() if slots is not None else nullcontext():
                mine.started = time.monotonic()
                answer = fetch()
        except BaseException as exc:
            with self._lock:
                del self._flying[key]
            mine.answer.set_exception(exc)
            raise
        with self._lock:
            del self._flying[key]
            if self._keep(answer):
                self._kept[key] = answer
        mine.answer.set_result(answer)
        return answer

    def _await(self, key: K, flight: _Flight[V]) -> V:
        bound_s = flight.bound_s or self.bound_s
        if bound_s is None:
            return answer_of(flight.answer)
        while True:
            started = flight.started
            if started is None:  # its asker waits for a slot, itself a bounded wait
                left_s = MARGIN_S
            else:
                left_s = started + bound_s + MARGIN_S - time.monotonic()
                if left_s <= 0:
                    return self._gave_up(key, time.monotonic() - started)
            done, _ = wait([flight.answer], timeout=left_s)
            if done:
                return answer_of(flight.answer)

    def reserve(self, keys: Iterable[K]) -> list[K]:
        """Mark the keys being fetched together (one batch), except those kept or already being
        fetched: the ones reserved, which the caller must `settle`, each. Askers
        of a reserved key wait for it (bounded once `begin` has marked the batch started)."""
        reserved = []
        with self._lock:
            for key in dict.fromkeys(keys):
                if key not in self._kept and key not in self._flying:
                    self._flying[key] = _Flight()
                    reserved.append(key)
        return reserved

    def begin(self, keys: Iterable[K], bound_s: float) -> None:
        """The reserved keys' batch starts now and ends within `bound_s`."""
        started = time.monotonic()
        with self._lock:
            for key in keys:
                flight = self._flying.get(key)
                if flight is not None:
                    flight.bound_s = bound_s
                    flight.started = started

    def settle(self, key: K, answer: V) -> None:
        """A reserved key's answer: kept (when `keep` says so) and given to its waiters."""
        with self._lock:
            flight = self._flying.pop(key, None)
            if self._keep(answer):
                self._kept[key] = answer
        if flight is not None:
            flight.answer.set_result(answer)

    def kept(self) -> dict[K, V]:
        with self._lock:
            return dict(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class Slots:
    """At most `size` holders at once (a bounded semaphore) whose waiters never wait on a stuck
    holder: a waiter gives up (GaveUp, naming `what`) once the oldest holder has held its slot
    longer than `hold_s` (the bound of what a holder does) plus MARGIN_S. A queue of busy
    holders is waited through, however long: each of them ends within its bound."""

    def __init__(self, size: int, hold_s: float, what: str) -> None:
        self.size = size
        self.hold_s = hold_s
        self.what = what
        self._holders: dict[object, float] = {}  # token -> monotonic time it took its slot
        self._changed = threading.Condition()

    @contextmanager
    def held(self) -> Iterator[None]:
        token = object()
        with self._changed:
            while len(self._holders) >= self.size:
                oldest = min(self._holders.values())
                left_s = oldest + self.hold_s + MARGIN_S - time.monotonic()
                if left_s <= 0:
                    raise GaveUp(
                        f"gave up waiting for {self.what}: held {time.monotonic() - oldest:.1f} "
                        f"s by a request bounded at {self.hold_s:g} s (stuck)"
                    )
                self._changed.wait(left_s)
            self._holders[token] = time.monotonic()
        try:
            yield
        finally:
            with self._changed:
                del self._holders[token]
                self._changed.notify()


def call_within(bound_s: float, call: Callable[[], T]) -> tuple[bool, T | None]:
    """`call()` on a daemon thread, waited for at most `bound_s`: (True, its result), its
    exception raised here, or (False, None) when it has not returned by then (it is left
    running: the caller gives up on it, and should close what it hangs on)."""
    answer: Future[T] = Future()

    def run() -> None:
        try:
            answer.set_result(call())
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            answer.set_exception(exc)

    threading.Thread(target=run, name="bounded-call", daemon=True).start()
    done, _ = wait([answer], timeout=bound_s)
    if not done:
        return False, None
    return True, answer_of(answer)


def answer_of(answer: Future[T]) -> T:
    """A finished future's result, or its exception raised as a copy (burnin.errors.again): one
    failed fetch or measurement is taken by many waiters, each raise with its own traceback."""
    try:
        return answer.result()
    except BaseException as exc:  # noqa: BLE001 - raised again, as a copy
        failed = exc
    raise again(failed)  # outside the handler: the copy keeps the original's cause, no more
