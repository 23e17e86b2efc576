"""RunSettings: the deployment's metric names, the windows of the phases that are due, and the
span over which raw samples are fetched once."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.catalogue import CRITERIA
from burnin.config import load_target, load_thresholds
from burnin.errors import ConfigError
from burnin.run import RunSettings
from burnin.schedule import Window

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
THRESHOLDS = load_thresholds(ROOT / "thresholds.toml", CRITERIA)

TARGETS = """
default = "lab"

[targets.lab]
health_url = "http://10.0.0.5:8000/api/health"
selector = 'job="rosey"'
metric_prefix = "rosey_"
"""


def run(tmp_path: Path, extra: str = "", deployed_at: datetime | None = None) -> RunSettings:
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent(TARGETS + extra), encoding="utf-8")
    cli = {"deployed_at": deployed_at.isoformat()} if deployed_at else {}
    return RunSettings(THRESHOLDS, load_target(path, cli, {}), None, NOW)


def test_metrics_carry_selector_prefix_and_mapped_names(tmp_path):
    settings = run(tmp_path, "\n[targets.lab.metrics]\nbot_users = 'irc_members'\n")
    metrics = settings.metrics
    assert metrics.series("bot_connected") == 'rosey_bot_connected{job="rosey"}'
    assert metrics.series("bot_users") == 'irc_members{job="rosey"}'
    assert metrics.series("process_cpu_seconds_total") == 'process_cpu_seconds_total{job="rosey"}'


def test_without_a_deployment_every_phase_is_due_and_the_span_is_the_longest(tmp_path):
    settings = run(tmp_path)
    windows = settings.due_windows(["6h", "24h"])
    assert windows == {
        "6h": Window(NOW - timedelta(hours=6), NOW),
        "24h": Window(NOW - timedelta(hours=24), NOW),
    }
    assert settings.span(["6h", "24h"]) == Window(NOW - timedelta(hours=24), NOW)


def test_phases_not_due_yet_have_no_window_and_stay_out_of_the_span(tmp_path):
    settings = run(tmp_path, deployed_at=NOW - timedelta(hours=13))
    with pytest.raises(ConfigError, match="checkpoint is due at"):
        settings.window("24h")
    windows = settings.due_windows(["6h", "12h", "24h"])
    assert list(windows) == ["6h", "12h"]
    assert settings.span(["6h", "12h", "24h"]) == Window(
        NOW - timedelta(hours=13), NOW - timedelta(hours=1)
    )


def test_the_span_of_no_due_phase_is_none(tmp_path):
    settings = run(tmp_path, deployed_at=NOW - timedelta(hours=1))
    assert settings.due_windows(["6h"]) == {}
    assert settings.span(["6h"]) is None
    assert settings.span([]) is None
