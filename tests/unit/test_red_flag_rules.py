"""The shipped red-flag alert rules (rules/burnin-red-flags.yml) pass promtool's own checks and
their unit tests (rules/burnin-red-flags.test.yml)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: ci/install installs the prometheus package"
    return found


def test_red_flag_rules_are_valid(promtool):
    done = subprocess.run(
        [promtool, "check", "rules", "burnin-red-flags.yml"],
        cwd=RULES, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 5 rules found" in done.stdout


def test_red_flag_rule_unit_tests_pass(promtool):
    done = subprocess.run(
        [promtool, "test", "rules", "burnin-red-flags.test.yml"],
        cwd=RULES, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout
