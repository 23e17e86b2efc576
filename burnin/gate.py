"""A data source behind a gate: checked before each test (at most once per `recheck_s`), its
first failure remembered.

Remembering keeps the run inside its time bound: a Prometheus that hangs costs one timeout, not
one per test. Checking at most once a second keeps a fleet's run (a hundred bots, as many tests
each) from asking a hundred times in the same second whether the source is still there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from burnin.errors import SourceError, again

P = TypeVar("P")


class SourceGate(Generic[P]):
    def __init__(self, probe: P, check: Callable[[P], None], recheck_s: float = 1.0) -> None:
        self.probe = probe
        self._check = check
        self.failure: SourceError | None = None
        self.recheck_s = recheck_s
        self._checked_at: float | None = None  # monotonic time of the last check that passed
        # A session-start prefetch may be connecting while the first test asks.
        self._lock = threading.Lock()

    def require(self) -> P:
        """The probe if its source answers; SourceError (the first one seen) otherwise."""
        with self._lock:
            fresh = (
                self._checked_at is not None
                and time.monotonic() - self._checked_at < self.recheck_s
            )
            if self.failure is None and not fresh:
                try:
                    self._check(self.probe)
                    self._checked_at = time.monotonic()
                except SourceError as exc:
                    self.failure = exc
        if self.failure is not None:
            raise again(self.failure)
        return self.probe

    def expire(self) -> None:
        """Check the source again at the next require (its last answer may be stale)."""
        with self._lock:
            self._checked_at = None


def unconfigured(source: str, setting: str) -> SourceError:
    return SourceError(source, "(not configured)", f"{setting} is not set for this target")
