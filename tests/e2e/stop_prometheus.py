"""A pytest plugin for one e2e test: stops the sandbox's Prometheus after the first test of the
production suite, so the rest of the run meets a source that died mid-run."""

from __future__ import annotations

import pytest

import burnin.sandbox as sandbox

_stopped: list[bool] = []


@pytest.hookimpl(trylast=True)
def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if not _stopped:
        sandbox.systemctl("stop", "prometheus")
        _stopped.append(True)
