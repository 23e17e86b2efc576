"""Answers kept for a run, asked once even when several criteria ask at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Flights(Generic[K, V]):
    """`get(key, fetch)`: the kept answer; else, when the same key is being fetched, that
    fetch's answer (waiting for it); else fetch now. An answer is kept when `keep` says so (a
    lost connection is not: the next ask tries again); an exception reaches every waiter and is
    never kept."""

    def __init__(self, keep: Callable[[V], bool] = lambda _answer: True) -> None:
        self._keep = keep
        self._kept: dict[K, V] = {}
        self._flying: dict[K, Future[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, fetch: Callable[[], V]) -> V:
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            flying = self._flying.get(key)
            if flying is None:
                mine: Future[V] = Future()
                self._flying[key] = mine
        if flying is not None:
            return flying.result()
        try:
            answer = fetch()
        except BaseException as exc:
            with self._lock:
                del self._flying[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._flying[key]
            if self._keep(answer):
                self._kept[key] = answer
        mine.set_result(answer)
        return answer

    def kept(self) -> dict[K, V]:
        with self._lock:
            return dict(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
