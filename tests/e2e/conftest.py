"""End-to-end tests bring the sandbox production up themselves and take it down at the end."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

import burnin.sandbox as sandbox


@pytest.fixture(scope="session")
def sandbox_up() -> Iterator[Callable[[str], sandbox.SandboxInfo]]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up
    sandbox.down()
