"""Shared helpers of the project's own tests."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import burnin.sandbox

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


@functools.cache
def fresh_python(code: str) -> str:
    """What `code` prints when a fresh interpreter runs it from the project's root (imports and
    process-wide settings seen as a new run sees them)."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def interruptible() -> None:
    """Popen's preexec_fn for a child a test stops with SIGINT (Ctrl-C): the signal's default
    action restored. A shell starts background jobs with SIGINT ignored, the ignoring is
    inherited, and Python then installs no KeyboardInterrupt handler: `ci/test &` made these
    tests fail (the child never saw the Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _hypothesis_profile() -> None:
    """Hypothesis settings that do not depend on the machine's speed: no deadline per example,
    no health check that times the data generation, a fixed number of examples (tests that need
    more or fewer say so in their own @settings, which start from this profile)."""
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "burnin",
        deadline=None,
        max_examples=100,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("burnin")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    """The profile is loaded before the first of these tests is imported (their @settings start
    from it), and only then: pytest also loads this conftest for a production run from the root
    (`pytest -m checkpoint_6h --target X`: it takes `X` for a path and looks for conftests in
    every test* folder), which must not pay for importing hypothesis (0.1-0.4 s)."""
    _hypothesis_profile()


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
