"""Shared helpers of the project's own tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    import burnin.sandbox

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]

# Hypothesis settings that do not depend on the machine's speed: no deadline per example, no
# health check that times the data generation, a fixed number of examples (tests that need
# more or fewer say so in their own @settings, which start from this profile).
settings.register_profile(
    "burnin",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("burnin")


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A copy of the production suite (conftest, fixtures, checkpoint tests, config files) in a
    temporary directory, run by pytester like a user runs it from the project root."""
    for name in ("conftest.py", "thresholds.toml", "targets.toml", "pyproject.toml"):
        shutil.copy(ROOT / name, pytester.path / name)
    for folder in ("fixtures", "tests_production"):
        shutil.copytree(
            ROOT / folder, pytester.path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return pytester


@pytest.fixture(scope="session")
def sandbox_up() -> Iterator[Callable[[str], burnin.sandbox.SandboxInfo]]:
    """`sandbox_up(scenario)`: the sandbox with that scenario (one already up with it is
    reused), taken down at the session's end unless BURNIN_KEEP_SANDBOX is set (as ci/demo:
    runs of one test in a row share one sandbox)."""
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    import burnin.sandbox as sandbox

    yield sandbox.up
    if not os.environ.get("BURNIN_KEEP_SANDBOX"):
        sandbox.down()
