"""A data source behind a gate: checked before each test, its first failure remembered.

Remembering keeps the run inside its time bound: a Prometheus that hangs costs one timeout, not
one per test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from burnin.verdict import SourceError

P = TypeVar("P")


class SourceGate(Generic[P]):
    def __init__(self, probe: P, check: Callable[[P], None]) -> None:
        self.probe = probe
        self._check = check
        self.failure: SourceError | None = None
        # A session-start prefetch may be connecting while the first test asks.
        self._lock = threading.Lock()

    def require(self) -> P:
        """The probe if its source answers; SourceError (the first one seen) otherwise."""
        with self._lock:
            if self.failure is None:
                try:
                    self._check(self.probe)
                except SourceError as exc:
                    self.failure = exc
        if self.failure is not None:
            raise self.failure
        return self.probe


def unconfigured(source: str, setting: str) -> SourceError:
    return SourceError(source, "(not configured)", f"{setting} is not set for this target")
