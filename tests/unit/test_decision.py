"""The run's state and decision (burnin.decision): a failure proven stands, an observer failure
alone cannot decide, and the recommendation follows the cause."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from burnin.bands import Band
from burnin.decision import Decision, Overall, can_roll_back, decide, source_of


@dataclass(frozen=True)
class Row:
    criterion: str
    band: Band
    cause: str = ""
    place: str = "[24h]"
    phase: str = "24h"
    bot: str = ""


OK = Row("uptime", Band.TARGET)
PROM_DOWN = Row(
    "error-rate",
    Band.SOURCE_ERROR,
    "SOURCE_ERROR prometheus at https://prom:9090: TLS certificate of prom:9090 not trusted",
)
HEALTH_TRUST = Row(
    "health-up", Band.SOURCE_ERROR, "health at https://bot:8443/api/health: not trusted"
)


@pytest.mark.parametrize(
    ("rows", "overall", "decision"),
    [
        ([OK, Row("cpu", Band.ACCEPTABLE)], Overall.HEALTHY, Decision.PASS),
        ([OK, Row("cpu", Band.SKIPPED)], Overall.HEALTHY, Decision.PASS),
        ([OK, Row("cpu", Band.DEGRADED)], Overall.ISSUES, Decision.PARTIAL),
        ([OK, Row("cpu", Band.NO_DATA)], Overall.ISSUES, Decision.PARTIAL),
        # Nothing wrong, only the team's sign-off open: healthy so far, waiting for it.
        ([OK, Row("sign-off", Band.PENDING)], Overall.HEALTHY, Decision.AWAITING_SIGNOFF),
        (
            [OK, Row("cpu", Band.SKIPPED), Row("sign-off", Band.PENDING)],
            Overall.HEALTHY,
            Decision.AWAITING_SIGNOFF,
        ),
        # A pending item no person answers (the peak not observed yet) is no sign-off.
        ([OK, Row("peak-observed", Band.PENDING)], Overall.ISSUES, Decision.PARTIAL),
        (
            [OK, Row("cpu", Band.DEGRADED), Row("sign-off", Band.PENDING)],
            Overall.ISSUES,
            Decision.PARTIAL,
        ),
        ([Row("sign-off", Band.PENDING)], Overall.ISSUES, Decision.PARTIAL),
        ([OK, PROM_DOWN], Overall.UNKNOWN, Decision.CANNOT_DECIDE),
        ([PROM_DOWN, HEALTH_TRUST], Overall.UNKNOWN, Decision.CANNOT_DECIDE),
        ([OK, PROM_DOWN, Row("sign-off", Band.PENDING)], Overall.UNKNOWN, Decision.CANNOT_DECIDE),
        ([OK, PROM_DOWN, Row("cpu", Band.DEGRADED)], Overall.ISSUES, Decision.PARTIAL),
        ([PROM_DOWN, Row("uptime", Band.CRITICAL)], Overall.CRITICAL, Decision.FAIL),
        ([OK, Row("backup", Band.CRITICAL)], Overall.CRITICAL, Decision.PARTIAL),
        (
            [Row("backup", Band.CRITICAL), Row("uptime", Band.CRITICAL)],
            Overall.CRITICAL,
            Decision.FAIL,
        ),
        ([Row("cpu", Band.SKIPPED)], Overall.UNKNOWN, Decision.CANNOT_DECIDE),
        ([], Overall.UNKNOWN, Decision.CANNOT_DECIDE),
    ],
)
def test_state_and_decision_of_a_run(rows, overall, decision):
    outcome = decide(rows)
    assert (outcome.overall, outcome.decision) == (overall, decision)


def test_an_observer_failure_alone_never_recommends_a_rollback():
    outcome = decide([OK, PROM_DOWN, HEALTH_TRUST])
    text = outcome.recommendation
    assert "roll back" not in text.lower().replace("nothing proven here calls for a rollback", "")
    assert (
        "prometheus at https://prom:9090" in text
        and "health at https://bot:8443/api/health" in text
    )


def test_a_proven_failure_stands_with_the_unreachable_sources_beside_it():
    outcome = decide([PROM_DOWN, Row("uptime", Band.CRITICAL, "uptime 97 %")])
    assert outcome.decision is Decision.FAIL
    assert outcome.recommendation.startswith(
        "Roll back and investigate: uptime [24h] (uptime 97 %)"
    )
    assert "also could not ask: prometheus at https://prom:9090" in outcome.recommendation


@pytest.mark.parametrize(
    "criterion", ["backup", "monitoring-operational", "coverage", "alerts-functional"]
)
def test_a_failure_around_the_bot_recommends_fixing_it_not_a_rollback(criterion):
    outcome = decide([OK, Row(criterion, Band.CRITICAL, "no backup in 26 h")])
    assert outcome.decision is Decision.PARTIAL and outcome.overall is Overall.CRITICAL
    assert "rollback would not cure it" in outcome.recommendation
    assert "Roll back" not in outcome.recommendation
    assert not can_roll_back(criterion)


def test_a_run_waiting_only_for_the_sign_off_says_so_and_recommends_nothing_to_fix():
    outcome = decide([OK, Row("sign-off", Band.PENDING, "pending: Team confident in stability")])
    assert outcome.awaited == ("sign-off [24h]",)
    assert outcome.recommendation == (
        "Healthy so far; waiting for the team's sign-off (sign-off [24h]): record it, then rerun "
        "this checkpoint"
    )
    assert "issue" not in outcome.recommendation.lower()


def test_the_history_counts_the_awaiting_decision_as_open():
    from burnin import history

    assert history.AWAITING_SIGNOFF == Decision.AWAITING_SIGNOFF.value


def test_a_fleet_failing_alike_is_named_once_per_criterion_and_the_list_stays_short():
    rows = [
        Row("uptime", Band.CRITICAL, f"uptime 9{n} %", f"[bot-{n} 24h]", "24h", f"bot-{n}")
        for n in range(1, 101)
    ]
    rows += [Row(f"c{n}", Band.CRITICAL, "down", "[24h]") for n in range(12)]
    outcome = decide(rows)
    assert outcome.rollback[0] == "uptime [24h] on 100 bots (bot-1: uptime 91 %)"
    assert len(outcome.rollback) == 9 and outcome.rollback[-1] == "and 5 more"
    assert len(outcome.recommendation) < 400


def test_source_of_a_row_names_the_source_and_where():
    assert source_of(PROM_DOWN) == "prometheus at https://prom:9090"
    assert source_of(Row("logs-clean", Band.SOURCE_ERROR, "journalctl exit 1")) == "ssh"
    failed = Row("uptime", Band.SOURCE_ERROR, "Failed: SOURCE_ERROR ssh at ssh://prod: refused")
    assert source_of(failed) == "ssh at ssh://prod"
