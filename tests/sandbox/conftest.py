"""The sandbox as a fleet, for the modules that judge one: `fleet` brings it up with the
module's BOTS bots (healthy) for that module's tests, and takes it down after."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import burnin.sandbox as sandbox


@pytest.fixture(scope="module")
def fleet(request: pytest.FixtureRequest) -> Iterator[sandbox.SandboxInfo]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up("healthy", bots=request.module.BOTS)
    sandbox.down()
