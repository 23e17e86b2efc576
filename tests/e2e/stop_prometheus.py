"""A pytest plugin for one e2e test: stops the sandbox's Prometheus after the first test of the
production suite, so the rest of the run meets a source that died mid-run."""

from __future__ import annotations

import pytest

import burnin.sandbox as sandbox
from fixtures.session import session_of

_stopped: list[bool] = []


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if not _stopped:
        sandbox.systemctl("stop", "prometheus")
        _stopped.append(True)
        # The gate asks again at most once a second: as if the next test came a second later.
        current = session_of(item.config)
        for gate in current.prometheus_gates() if current else ():
            gate.expire()
