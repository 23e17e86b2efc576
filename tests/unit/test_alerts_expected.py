"""Expected alerts: a firing the target names (e.g. a restart alert right after the deployment or
a planned restart) is listed and not counted; outside its allowance it counts like any other,
and a critical alert is expected only when named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import ExpectedAlert, load_thresholds
from burnin.criteria.alerts import QUERY, AlertMeasurement, Firing, is_expected, judge_alerts
from burnin.probes.prometheus import AlertRule
from burnin.schedule import Window
from tests.unit.samples import coverage

ROOT = Path(__file__).resolve().parents[2]
THRESHOLDS = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
DEPLOYED = WINDOW.start
PLANNED_RESTART = DEPLOYED + timedelta(hours=5)
ANCHORS = (DEPLOYED, PLANNED_RESTART)
RULES = ("RoseyBotDown", "RoseyBotRestarted", "RoseyBotHighErrorRate")
SEVERITY = {"RoseyBotDown": "critical"}
RESTART_10M = ExpectedAlert("RoseyBotRestarted", 600.0)


def rule(name: str) -> AlertRule:
    return AlertRule(name, "rosey", SEVERITY.get(name, "warning"), "ok", "", 10.0, "q")


def firing(
    name: str = "RoseyBotRestarted", after: datetime = DEPLOYED, minutes: float = 0
) -> Firing:
    started = (after + timedelta(minutes=minutes)).timestamp()
    return Firing(name, SEVERITY.get(name, "warning"), started, 60.0)


def judged(
    *firings: Firing,
    expected: tuple[ExpectedAlert, ...] = (RESTART_10M,),
    anchors: tuple[datetime, ...] = ANCHORS,
    phase: str = "12h",
):
    measurement = AlertMeasurement(
        QUERY, list(firings), [rule(n) for n in RULES], RULES, coverage(WINDOW), 10.0
    )
    tiers = THRESHOLDS.tiers("alert_count", phase)
    return judge_alerts(measurement, tiers, WINDOW, 99.0, expected, anchors)


def listed(verdict, key: str) -> list[str]:
    return [f["alertname"] for f in verdict.evidence[0].values[key]]


# ---------------------------------------------------------------- within the allowance


@pytest.mark.parametrize("minutes", [0, 3, 10])
def test_an_expected_firing_within_its_allowance_after_the_deployment_is_not_counted(minutes):
    verdict = judged(firing(minutes=minutes), phase="6h")
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert listed(verdict, "expected_firings") == ["RoseyBotRestarted"]
    assert listed(verdict, "firings") == []
    assert verdict.cause == "expected, not counted: RoseyBotRestarted"


def test_an_expected_firing_after_a_planned_restart_is_not_counted():
    verdict = judged(firing(after=PLANNED_RESTART, minutes=2), phase="6h")
    assert verdict.band is Band.TARGET
    assert listed(verdict, "expected_firings") == ["RoseyBotRestarted"]


@pytest.mark.parametrize(
    ("after", "minutes"),
    [
        (DEPLOYED, 10.5),  # just past the allowance
        (DEPLOYED, 120),  # hours later, no restart planned then
        (PLANNED_RESTART, -1),  # just before the planned restart
        (PLANNED_RESTART, 11),
    ],
)
def test_an_expected_firing_outside_its_allowance_is_counted(after, minutes):
    verdict = judged(firing(after=after, minutes=minutes), phase="6h")
    assert verdict.band is Band.DEGRADED  # 6 h: no alert at all
    assert verdict.observed == 1.0
    assert listed(verdict, "firings") == ["RoseyBotRestarted"]
    assert listed(verdict, "expected_firings") == []
    assert verdict.cause == "RoseyBotRestarted(warning)"


def test_an_allowance_without_any_anchor_expects_nothing():
    verdict = judged(firing(minutes=1), anchors=(), phase="6h")
    assert verdict.observed == 1.0


def test_only_the_named_alert_is_expected():
    verdict = judged(firing("RoseyBotHighErrorRate", minutes=1), phase="6h")
    assert verdict.observed == 1.0
    assert listed(verdict, "firings") == ["RoseyBotHighErrorRate"]


def test_expected_and_counted_firings_are_listed_apart_in_the_cause():
    verdict = judged(
        firing(minutes=1), firing(minutes=300 + 60), firing("RoseyBotHighErrorRate", minutes=30)
    )
    assert verdict.observed == 2.0
    assert verdict.cause == (
        "RoseyBotRestarted(warning), RoseyBotHighErrorRate(warning); "
        "expected, not counted: RoseyBotRestarted"
    )


# ---------------------------------------------------------------- always


@pytest.mark.parametrize("minutes", [0, 200, 719])
def test_an_alert_expected_always_is_never_counted_even_without_anchors(minutes):
    verdict = judged(
        firing(minutes=minutes),
        expected=(ExpectedAlert("RoseyBotRestarted", None),),
        anchors=(),
        phase="6h",
    )
    assert verdict.band is Band.TARGET
    assert verdict.observed == 0.0
    assert listed(verdict, "expected_firings") == ["RoseyBotRestarted"]


# ---------------------------------------------------------------- critical alerts


def test_a_critical_alert_named_as_expected_is_not_counted():
    verdict = judged(
        firing("RoseyBotDown", minutes=2),
        expected=(ExpectedAlert("RoseyBotDown", 300.0),),
    )
    assert verdict.band is Band.TARGET
    assert listed(verdict, "expected_firings") == ["RoseyBotDown"]


def test_an_unnamed_critical_alert_is_critical_beside_an_expected_one():
    verdict = judged(firing(minutes=1), firing("RoseyBotDown", minutes=2))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1.0
    assert verdict.cause == (
        "1 critical alert(s) fired: RoseyBotDown; all: RoseyBotDown(critical); "
        "expected, not counted: RoseyBotRestarted"
    )


def test_a_critical_alert_named_but_outside_its_allowance_is_critical():
    verdict = judged(
        firing("RoseyBotDown", minutes=30),
        expected=(ExpectedAlert("RoseyBotDown", 300.0),),
    )
    assert verdict.band is Band.CRITICAL


# ---------------------------------------------------------------- is_expected, in general


@given(
    offset_s=st.integers(-7200, 7200),
    within_s=st.one_of(st.none(), st.integers(0, 3600)),
)
def test_a_firing_is_expected_exactly_when_it_starts_within_the_allowance_after_the_anchor(
    offset_s, within_s
):
    started = DEPLOYED.timestamp() + offset_s
    expected = is_expected(
        Firing("RoseyBotRestarted", "warning", started, 60.0),
        [ExpectedAlert("RoseyBotRestarted", within_s)],
        [DEPLOYED],
    )
    assert expected == (within_s is None or 0 <= offset_s <= within_s)
