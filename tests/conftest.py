"""Shared helpers of the project's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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
