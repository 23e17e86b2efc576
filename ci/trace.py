"""A pytest plugin for the benchmark: records every request the suite sends to a source (HTTP
through requests, the health GETs, SSH connections and commands), with its start and end, so
ci/floor.py can replay the same work and ci/bench.py can compare. `-p ci.trace` with
BURNIN_TRACE=FILE (JSON lines). Only the benchmark loads it; it changes nothing it records."""

from __future__ import annotations

import json
import os
import shlex
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from fabric import Connection

import burnin.probes.health as health
import burnin.probes.ssh as ssh

RECORDS: list[dict[str, Any]] = []
LOCK = threading.Lock()
T0 = time.perf_counter()


def _record(kind: str, started: float, **fields: Any) -> None:
    with LOCK:
        RECORDS.append({"kind": kind, "t0": started - T0, "t1": time.perf_counter() - T0, **fields})


def _wrap(owner: Any, name: str, describe: Callable[..., dict[str, Any]], kind: str) -> None:
    original = getattr(owner, name)

    def traced(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _record(kind, started, **describe(*args, **kwargs))

    setattr(owner, name, traced)


def _connect(owner: type[Connection]) -> None:
    """fabric calls open() before every command; only a real connection is recorded."""
    original = owner.open

    def traced(self: Connection) -> Any:
        if self.is_connected:
            return original(self)
        started = time.perf_counter()
        try:
            return original(self)
        finally:
            _record("ssh-connect", started, host=self.host, port=self.port, user=self.user)

    owner.open = traced  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _wrap(
        requests.Session,
        "send",
        lambda _self, request, **_kw: {
            "method": request.method,
            "url": request.url,
            "body": request.body.decode() if isinstance(request.body, bytes) else request.body,
            "json": request.headers.get("Content-Type") == "application/json",
        },
        "http",
    )
    _wrap(
        health,
        "timed_get",
        lambda url, timeout_s, max_bytes, *_access: {"url": url, "timeout_s": timeout_s},
        "health",
    )
    _connect(Connection)
    _wrap(Connection, "run", lambda _self, command, **_kw: {"command": command}, "ssh")
    # A session running several commands (burnin.probes.ssh_batch): which ones, for the floor.
    _wrap(
        ssh,
        "batch_script",
        lambda argvs, boundary, _timeout_s: {
            "boundary": boundary,
            "commands": [shlex.join(argv) for argv in argvs],
        },
        "ssh-batch",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Any:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _record("phase", started, name="tests")


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Any:
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        _record("phase", started, name="session finish (report, history)")


def pytest_unconfigure(config: pytest.Config) -> None:
    path = os.environ.get("BURNIN_TRACE")
    if path:
        # Appended in one write: pytest-xdist's workers (and its controller) each add theirs.
        with open(path, "a") as out:
            out.write("".join(json.dumps(record) + "\n" for record in RECORDS))
