"""A pytest plugin for one e2e test: stops the sandbox's Prometheus after the first test of the
production suite, so the rest of the run meets a source that died mid-run."""

from __future__ import annotations

import pytest

import burnin.sandbox as sandbox
from fixtures.prometheus import prometheus_gates

_stopped: list[bool] = []


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if not _stopped:
        sandbox.systemctl("stop", "prometheus")
        _stopped.append(True)
        # The gate asks again at most once a second: as if the next test came a second later.
        for gate in prometheus_gates(item.config):
            gate.expire()
