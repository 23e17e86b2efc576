"""A pytest plugin for the benchmark: `-p ci.startclock` with BURNIN_STARTCLOCK=FILE writes the
wall-clock moment a run's tests are about to start, once the session-start gathering has sent
its first requests (its pytest_runtestloop runs after burnin's, which registers later), so
ci/bench.py can time a real run's start-up from its process's launch. Imports nothing else."""

from __future__ import annotations

import os
import time

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    path = os.environ.get("BURNIN_STARTCLOCK")
    if path:
        with open(path, "w", encoding="utf-8") as stamp:
            stamp.write(repr(time.time()))
