"""phase_window: which stretch of time a checkpoint judges, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.errors import ConfigError
from burnin.schedule import EARLY_GRACE, Phase, Window, due_phase, phase_window

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SIX_HOURS = Phase("6h", timedelta(hours=6), "checkpoint_6h", ("uptime",))
DAY = Phase("24h", timedelta(hours=24), "checkpoint_24h", ("uptime",))
SMOKE = Phase("smoke", timedelta(minutes=15), "smoke", ("health-up",))


def test_without_deployed_at_the_window_counts_back_from_now():
    assert phase_window(SIX_HOURS, None, None, now=NOW) == Window(NOW - timedelta(hours=6), NOW)


def test_without_deployed_at_the_window_counts_back_from_at():
    at = NOW - timedelta(days=2)
    assert phase_window(DAY, None, at, now=NOW) == Window(at - timedelta(hours=24), at)


def test_without_now_the_window_ends_at_the_real_clock():
    before = datetime.now(UTC)
    window = phase_window(SIX_HOURS, None, None)
    after = datetime.now(UTC)
    assert before <= window.end <= after
    assert window.duration == timedelta(hours=6)


def test_with_deployed_at_the_window_runs_from_deployment_to_the_checkpoint():
    deployed = NOW - timedelta(hours=30)
    assert phase_window(SIX_HOURS, deployed, None, now=NOW) == Window(
        deployed, deployed + timedelta(hours=6)
    )


def test_with_deployed_at_and_at_the_window_still_starts_at_deployment():
    deployed = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    at = deployed + timedelta(hours=25)
    assert phase_window(DAY, deployed, at, now=NOW) == Window(
        deployed, deployed + timedelta(hours=24)
    )


def test_checkpoint_asked_for_before_it_is_due_is_a_config_error():
    deployed = NOW - timedelta(hours=5)
    with pytest.raises(ConfigError) as caught:
        phase_window(SIX_HOURS, deployed, None, now=NOW)
    message = str(caught.value)
    assert message.startswith("phase 6h: deployed at 2026-11-29T07:00:00+00:00")
    assert "due at 2026-11-29T13:00:00+00:00" in message
    assert "--at" in message


def test_checkpoint_due_after_at_is_a_config_error_even_when_now_is_late_enough():
    deployed = NOW - timedelta(hours=30)
    at = deployed + timedelta(hours=3)
    with pytest.raises(ConfigError, match="checkpoint is due at"):
        phase_window(SIX_HOURS, deployed, at, now=NOW)


def test_checkpoint_up_to_ten_minutes_early_is_accepted_and_ends_now():
    deployed = NOW - timedelta(hours=6) + EARLY_GRACE
    window = phase_window(SIX_HOURS, deployed, None, now=NOW)
    assert window == Window(deployed, NOW)
    assert window.duration == timedelta(hours=6) - timedelta(minutes=10)


def test_checkpoint_eleven_minutes_early_is_refused():
    deployed = NOW - timedelta(hours=6) + timedelta(minutes=11)
    with pytest.raises(ConfigError):
        phase_window(SIX_HOURS, deployed, None, now=NOW)


def test_deployment_in_the_future_is_refused():
    with pytest.raises(ConfigError):
        phase_window(SIX_HOURS, NOW + timedelta(hours=1), None, now=NOW)


def test_deployed_at_in_another_offset_is_compared_as_the_same_instant():
    plus_two = timezone(timedelta(hours=2))
    deployed = (NOW - timedelta(hours=6)).astimezone(plus_two)
    window = phase_window(SIX_HOURS, deployed, None, now=NOW)
    assert window.start == NOW - timedelta(hours=6)
    assert window.end == NOW


def test_short_phase_counts_back_from_now_even_when_deployed_at_is_known():
    deployed = NOW - timedelta(hours=30)
    assert phase_window(SMOKE, deployed, None, now=NOW) == Window(NOW - timedelta(minutes=15), NOW)


def test_short_phase_never_raises_for_a_fresh_deployment():
    deployed = NOW - timedelta(minutes=2)
    assert phase_window(SMOKE, deployed, None, now=NOW).duration == timedelta(minutes=15)


def test_short_phase_counts_back_from_at():
    at = NOW - timedelta(hours=1)
    assert phase_window(SMOKE, NOW - timedelta(days=1), at, now=NOW) == Window(
        at - timedelta(minutes=15), at
    )


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=24), "[86400s]"),
        (timedelta(hours=6), "[21600s]"),
        (timedelta(minutes=15), "[900s]"),
        (timedelta(seconds=90, microseconds=500_000), "[90s]"),
    ],
)
def test_promql_range_is_the_window_in_whole_seconds(duration, text):
    window = Window(NOW - duration, NOW)
    assert window.promql_range() == text


def test_window_text_shows_both_ends_to_the_second():
    window = Window(NOW - timedelta(hours=6, microseconds=123), NOW)
    assert str(window) == "2026-11-29T05:59:59+00:00 .. 2026-11-29T12:00:00+00:00"
    assert window.seconds == 21600


def test_due_phase_is_the_latest_checkpoint_due_or_smoke_before_the_first():
    phases = load_thresholds(
        Path(__file__).resolve().parents[2] / "thresholds.toml", CRITERIA
    ).phases
    deployed = NOW - timedelta(hours=30)

    def at(hours: float) -> str:
        return due_phase(phases.values(), deployed, deployed + timedelta(hours=hours)).name

    assert [at(h) for h in (0, 5.5, 6, 11.5, 12, 23, 24, 48)] == [
        "smoke", "smoke", "6h", "6h", "12h", "12h", "24h", "24h",
    ]  # fmt: skip
    early = deployed + timedelta(hours=6) - EARLY_GRACE
    assert due_phase(phases.values(), deployed, early).name == "6h"
