"""Shared helpers of the project's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


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
