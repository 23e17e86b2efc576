"""The sandbox as a fleet, for the modules that judge one: `fleet` brings it up with the
module's BOTS bots (healthy) for that module's tests, and takes it down after."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import burnin.sandbox as sandbox

# The samples of a healthy bot series over the last 24 h: every 15 s (5,761), less the scrapes
# its busy Prometheus missed (one every 2 h: 12 or 13 in a day, scenario late_scrapes).
DAY_OF_SAMPLES = range(5761 - 14, 5766)


@pytest.fixture(scope="module")
def fleet(request: pytest.FixtureRequest) -> Iterator[sandbox.SandboxInfo]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up("healthy", bots=request.module.BOTS)
    sandbox.down()
