"""alerts from raw ALERTS samples: firings split by two evaluation intervals, any critical alert
CRITICAL at every checkpoint, and "0 alerts" proven only by loaded, evaluating rules over a
window the bot's series cover."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import SETTINGS_BY_KEY, load_thresholds
from burnin.coverage import gap_tolerance_s
from burnin.criteria.alerts import (
    DEFAULT_EVALUATION_S,
    QUERY,
    AlertMeasurement,
    Firing,
    episodes,
    evaluation_interval,
    judge_alerts,
    measure_alerts,
    one_copy,
    rule_problems,
)
from burnin.probes.prometheus import AlertRule, FirstEvaluationWait, FleetView
from burnin.promql import Metrics, fleet_member, parse_selector, scope_of
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Verdict
from tests.unit.samples import SELECTOR, FakePrometheus, connected, coverage, window_grid, with_hole

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(hours=12), NOW)
START_S = WINDOW.start.timestamp()
THRESHOLDS = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
CONTRACT_RULES: tuple[str, ...] = SETTINGS_BY_KEY["alert_rules"].default
SEVERITY = {"BotDown": "critical", "CriticalErrorRate": "critical"}


def rule(name: str, health: str = "ok", last_error: str = "", interval_s: float = 15.0):
    return AlertRule(
        name, "rosey_bot_alerts", SEVERITY.get(name, "warning"), health, last_error, interval_s, "q"
    )


HEALTHY_RULES = [rule(name) for name in CONTRACT_RULES]


def alert_series(name: str, severity: str, times: list[float], **labels: str) -> Series:
    """An ALERTS series; `labels` those the rule kept of the bot's series (env=...)."""
    labels = {"alertname": name, "severity": severity, "alertstate": "firing", **labels}
    return Series(labels, [(t, 1.0) for t in times])


# ---------------------------------------------------------------- episodes


def test_episodes_split_a_series_at_pauses_longer_than_two_intervals():
    series = alert_series("BotDown", "critical", [0.0, 15.0, 30.0, 600.0, 615.0])
    assert episodes([series], 15) == [
        Firing("BotDown", "critical", 0.0, 45.0),
        Firing("BotDown", "critical", 600.0, 30.0),
    ]


def test_one_missed_evaluation_does_not_split_a_firing():
    series = alert_series("BotDown", "critical", [0.0, 15.0, 45.0, 60.0])
    assert episodes([series], 15) == [Firing("BotDown", "critical", 0.0, 75.0)]


def test_episodes_of_several_series_are_sorted_by_start():
    late = alert_series("HighErrorRate", "warning", [900.0])
    early = alert_series("BotDown", "critical", [100.0, 115.0])
    assert [f.alertname for f in episodes([late, early], 15)] == ["BotDown", "HighErrorRate"]


def test_episode_of_one_sample_lasts_one_interval_and_missing_labels_are_marked():
    [firing] = episodes([Series({}, [(42.0, 1.0)])], 60)
    assert firing == Firing("?", "", 42.0, 60.0)


def test_episodes_sort_the_samples_first():
    series = alert_series("BotDown", "critical", [30.0, 0.0, 15.0])
    assert episodes([series], 15) == [Firing("BotDown", "critical", 0.0, 45.0)]


def test_one_missed_evaluation_then_a_late_one_does_not_break_a_firing():
    """31 s at a 15 s evaluation interval is one evaluation missed (the next a second late, a
    busy machine); 45 s is two missed: the firing broke off."""
    times = [0.0, 15.0, 46.0, 61.0]
    assert episodes([alert_series("BotDown", "critical", times)], 15) == [
        Firing("BotDown", "critical", 0.0, 76.0)
    ]
    assert len(episodes([alert_series("BotDown", "critical", [0.0, 15.0, 60.0])], 15)) == 2


def test_episodes_of_empty_series_are_none():
    assert episodes([], 15) == []
    assert episodes([Series({"alertname": "BotDown"}, [])], 15) == []


def test_an_alert_fired_once_per_scrape_job_of_the_bot_is_one_firing():
    def copy(job: str, times: list[float]) -> Series:
        labels = {"alertname": "HighErrorRate", "severity": "warning", "env": "prod", "job": job}
        return Series(labels, [(t, 1.0) for t in times])

    both = [copy("rosey-bot", [0.0, 15.0, 30.0]), copy("rosey-bot-pods", [0.0, 15.0, 30.0, 45.0])]
    other = Series({"alertname": "BotDown", "env": "prod", "job": "rosey-bot"}, [(600.0, 1.0)])
    merged = one_copy([*both, other], Metrics(parse_selector('env="prod"')))
    assert [len(episodes([s], 15)) for s in merged] == [1, 1]
    assert list(merged[0].points) == sorted([*both[0].points, *both[1].points])
    # A selector naming the job holds one copy already: nothing joined.
    pinned = Metrics(parse_selector('env="prod",job="rosey-bot"'))
    assert one_copy([*both, other], pinned) == [*both, other]


@given(
    gaps=st.lists(st.integers(min_value=1, max_value=200), max_size=60),
    interval_s=st.sampled_from([15, 30, 60]),
)
def test_episodes_are_one_more_than_the_long_pauses(gaps, interval_s):
    times = [0.0]
    for gap in gaps:
        times.append(times[-1] + gap)
    found = episodes([alert_series("BotDown", "critical", times)], interval_s)
    long_pauses = sum(1 for gap in gaps if gap > gap_tolerance_s(interval_s))
    assert len(found) == long_pauses + 1
    assert sum(f.seconds for f in found) <= times[-1] - times[0] + len(found) * interval_s
    assert all(f.seconds >= interval_s for f in found)


# ---------------------------------------------------------------- rules


def test_evaluation_interval_is_the_slowest_group_or_the_default():
    assert evaluation_interval([rule("A", interval_s=15), rule("B", interval_s=30)]) == 30
    assert evaluation_interval([rule("A", interval_s=0)]) == DEFAULT_EVALUATION_S
    assert evaluation_interval([]) == DEFAULT_EVALUATION_S


def test_loaded_and_evaluating_rules_have_no_problems():
    assert rule_problems(HEALTHY_RULES, CONTRACT_RULES) == []


def test_a_rule_that_is_not_loaded_is_named():
    rules = [r for r in HEALTHY_RULES if r.name != "ChannelEmpty"]
    assert rule_problems(rules, CONTRACT_RULES) == ["alert rules not loaded: ChannelEmpty"]


@pytest.mark.parametrize(
    ("changed", "shown"),
    [
        (rule("HighErrorRate", "err", "vector contains metrics with the same labelset"),
         "HighErrorRate (err: vector contains metrics with the same labelset)"),
        (rule("HighErrorRate", "unknown"), "HighErrorRate (unknown)"),  # never evaluated yet
        (rule("HighErrorRate", "ok", "query timed out"), "HighErrorRate (ok: query timed out)"),
    ],
)  # fmt: skip
def test_a_rule_that_does_not_evaluate_cleanly_is_named(changed, shown):
    rules = [changed if r.name == changed.name else r for r in HEALTHY_RULES]
    assert rule_problems(rules, CONTRACT_RULES) == [f"alert rules not evaluating cleanly: {shown}"]


def test_only_the_expected_rules_must_evaluate():
    rules = [*HEALTHY_RULES, rule("DiskFull", "err", "no such metric")]
    assert rule_problems(rules, CONTRACT_RULES) == []


def test_missing_and_failing_rules_are_both_listed():
    rules = [rule("BotDown", "err")]
    problems = rule_problems(rules, ("BotDown", "ChannelEmpty"))
    assert problems == [
        "alert rules not loaded: ChannelEmpty",
        "alert rules not evaluating cleanly: BotDown (err)",
    ]


def test_no_expected_rules_need_at_least_one_rule_loaded():
    assert rule_problems([], ()) == ["Prometheus has no alerting rules loaded"]
    assert rule_problems([rule("Anything")], ()) == []


def test_alert_rule_is_healthy_only_when_ok_without_an_error():
    assert rule("A").healthy
    assert not rule("A", "unknown").healthy
    assert not rule("A", "ok", "boom").healthy


# ---------------------------------------------------------------- judge


def alerts(
    *firings: Firing,
    rules: list[AlertRule] = HEALTHY_RULES,
    expected: tuple[str, ...] = CONTRACT_RULES,
    presence=None,
) -> AlertMeasurement:
    return AlertMeasurement(
        QUERY, list(firings), rules, expected, presence or coverage(WINDOW), 15.0
    )


def judged(measurement: AlertMeasurement, phase: str = "12h", min_percent: float = 99.0):
    tiers = THRESHOLDS.tiers("alert_count", phase)
    return judge_alerts(measurement, tiers, WINDOW, min_percent)


def warning(name: str = "HighErrorRate", at: float = START_S) -> Firing:
    return Firing(name, "warning", at, 120.0)


def critical(name: str = "BotDown") -> Firing:
    return Firing(name, "critical", START_S + 3600, 300.0)


PARTIAL = coverage(WINDOW, with_hole(WINDOW, 3600, 3600))


@pytest.mark.parametrize(
    ("count", "checkpoint", "band"),
    [
        (0, "6h", Band.TARGET),
        (1, "6h", Band.DEGRADED),  # 6 h: "No alerts"
        (0, "12h", Band.TARGET),
        (2, "12h", Band.ACCEPTABLE),
        (4, "12h", Band.DEGRADED),
        (6, "12h", Band.CRITICAL),
    ],
)
def test_alert_count_tiers_count_the_non_critical_firings(count, checkpoint, band):
    verdict = judged(alerts(*(warning(at=START_S + n) for n in range(count))), checkpoint)
    assert verdict.band is band
    assert verdict.observed == float(count)


def test_alerts_cause_names_each_firing_and_evidence_keeps_them():
    measurement = alerts(warning("HighErrorRate"), Firing("ChannelEmpty", "", START_S, 60.0))
    verdict = judged(measurement)
    assert verdict.cause == "HighErrorRate(warning), ChannelEmpty(no severity)"
    evidence = verdict.evidence[0]
    assert evidence.query == f"{QUERY}[43200s] (raw samples)"
    assert evidence.values["firings"][0] == {
        "alertname": "HighErrorRate",
        "severity": "warning",
        "started": START_S,
        "seconds": 120.0,
        "scope": "",
    }
    assert evidence.values["evaluation_interval_s"] == 15.0
    assert evidence.values["rules"] == dict.fromkeys(CONTRACT_RULES, "ok")
    assert "2.5 intervals (two missed evaluations)" in evidence.values["durations"]


@pytest.mark.parametrize("checkpoint", ["6h", "12h", "24h"])
def test_one_critical_alert_is_critical_at_every_checkpoint(checkpoint):
    verdict = judged(alerts(critical()), checkpoint)
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 1.0
    assert verdict.cause == "1 critical alert(s) fired: BotDown; all: BotDown(critical)"
    assert verdict.threshold.endswith("; no critical alert")


def test_critical_alerts_are_named_once_and_every_firing_counted():
    verdict = judged(alerts(critical(), critical(), critical("CriticalErrorRate"), warning()))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == 4.0
    assert verdict.cause.startswith("3 critical alert(s) fired: BotDown, CriticalErrorRate; all: ")


def test_a_critical_alert_stands_without_rules_or_coverage():
    verdict = judged(alerts(critical(), rules=[], presence=PARTIAL))
    assert verdict.band is Band.CRITICAL
    assert "; seen on partial data: " in verdict.cause


def test_too_many_warnings_fail_even_when_rules_are_missing():
    verdict = judged(alerts(warning(), rules=[]), "6h")
    assert verdict.band is Band.DEGRADED


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ([], "alert rules not loaded: BotDown, BotRestarting"),
        ([rule("BotDown", "unknown"), rule("BotRestarting")], "not evaluating cleanly: BotDown"),
    ],
)
def test_no_alerts_prove_nothing_without_the_rules_loaded_and_evaluating(rules, problem):
    verdict = judged(alerts(rules=rules, expected=("BotDown", "BotRestarting")))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith("0 alert(s) seen, but that proves nothing: ")
    assert problem in verdict.cause


def test_no_alerts_prove_nothing_when_prometheus_has_no_rules_at_all():
    verdict = judged(alerts(rules=[], expected=()))
    assert verdict.band is Band.NO_DATA
    assert "Prometheus has no alerting rules loaded" in verdict.cause


def test_a_few_warnings_pass_only_with_the_rules_evaluating():
    assert judged(alerts(warning(), rules=[])).band is Band.NO_DATA


def test_no_alerts_over_a_window_the_bots_series_do_not_cover_is_no_data():
    verdict = judged(alerts(presence=PARTIAL))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(f"{SELECTOR}: 11.00 of 12.00 h covered")
    assert "below the 99 % coverage line" in verdict.cause


def test_no_alerts_with_rules_and_coverage_is_target_with_the_coverage_as_evidence():
    verdict = judged(alerts())
    assert (verdict.band, verdict.cause) == (Band.TARGET, "")
    assert verdict.evidence[-1].values["coverage"]["covered_percent"] == 100


@given(
    severities=st.lists(st.sampled_from(["critical", "warning", "info", ""]), max_size=8),
    checkpoint=st.sampled_from(["6h", "12h", "24h"]),
    rules_loaded=st.booleans(),
    covered=st.booleans(),
)
def test_alerts_never_pass_on_a_critical_firing_or_without_proof(
    severities, checkpoint, rules_loaded, covered
):
    firings = [Firing("A", s, START_S + n, 60.0) for n, s in enumerate(severities)]
    measurement = alerts(
        *firings,
        rules=HEALTHY_RULES if rules_loaded else [],
        presence=coverage(WINDOW) if covered else PARTIAL,
    )
    verdict: Verdict = judged(measurement, checkpoint)
    if "critical" in severities:
        assert verdict.band is Band.CRITICAL
    if verdict.band.passes:
        assert rules_loaded and covered and "critical" not in severities


# ---------------------------------------------------------------- measure


def test_measure_alerts_reads_raw_alerts_rules_and_the_bots_presence():
    grid = window_grid(WINDOW)
    fake = FakePrometheus(
        {
            QUERY: [
                # No severity label on the series: the rule's is used. 60 s apart at a 30 s
                # evaluation interval: one firing, not two.
                Series(
                    {"alertname": "BotDown", "env": "production"},
                    [(START_S + 600, 1.0), (START_S + 660, 1.0)],
                ),
                alert_series("HighErrorRate", "warning", [START_S + 900], env="production"),
            ],
            SELECTOR: [Series({}, connected(grid))],
        },
        rules=[replace(r, interval_s=30.0) for r in HEALTHY_RULES],
    )
    metrics = Metrics(parse_selector('env="production"'))
    measurement = measure_alerts(fake, metrics, WINDOW, CONTRACT_RULES)  # type: ignore[arg-type]
    assert measurement.evaluation_s == 30.0
    assert measurement.firings == [
        Firing("BotDown", "critical", START_S + 600, 90.0),
        Firing("HighErrorRate", "warning", START_S + 900, 30.0),
    ]
    assert measurement.presence.percent == 100
    assert measurement.expected_rules == CONTRACT_RULES
    assert fake.asked == ["rules", f"{QUERY}[43200s]", f"{SELECTOR}[43200s]"]
    assert judged(measurement).band is Band.CRITICAL


# ---------------------------------------------------------------- whose alerts


PRODUCTION = Metrics(parse_selector('env="production"'))
STAGING = {"env": "staging", "instance": "10.0.0.9:8000", "job": "rosey-bot-staging"}
OWN = {"env": "production", "instance": "10.0.0.5:8000", "job": "rosey-bot"}


def shared(metrics: Metrics, *series: Series, probe: FakePrometheus | None = None):
    """The alerts of a Prometheus that holds `series` (firing), measured and judged for a
    target whose bot's own series cover the window."""
    fake = probe or FakePrometheus(
        {
            QUERY: list(series),
            metrics.series("bot_connected"): [Series({}, connected(window_grid(WINDOW)))],
        },
        rules=HEALTHY_RULES,
    )
    measurement = measure_alerts(fake, metrics, WINDOW, CONTRACT_RULES)  # type: ignore[arg-type]
    return measurement, judged(measurement)


def test_another_systems_alerts_are_listed_apart_and_never_counted():
    """The observed case: staging's BotDown on production's Prometheus made production FAIL."""
    measurement, verdict = shared(
        PRODUCTION,
        alert_series("BotDown", "critical", [START_S + 600, START_S + 615], **STAGING),
        alert_series("CriticalErrorRate", "critical", [START_S + 900], **STAGING),
    )
    assert measurement.firings == []
    assert [(f.alertname, f.scope) for f in measurement.elsewhere] == [
        ("BotDown", '{env="staging"}'),
        ("CriticalErrorRate", '{env="staging"}'),
    ]
    assert (verdict.band, verdict.observed) == (Band.TARGET, 0.0)
    assert verdict.cause == (
        'not this target\'s: BotDown{env="staging"}, CriticalErrorRate{env="staging"}'
    )
    values = verdict.evidence[0].values
    assert values["firings"] == []
    assert values["selector"] == 'env="production"'
    assert values["not_this_targets"][0] == {
        "alert": 'BotDown{env="staging"}',
        "severity": "critical",
        "firings": 1,
        "seconds": 30.0,
        "first_started": START_S + 600,
    }


def test_alerts_whose_labels_agree_with_the_selector_are_the_targets_own():
    metrics = Metrics(parse_selector('env="production", job="rosey-bot"'))
    measurement, verdict = shared(
        metrics, alert_series("BotDown", "critical", [START_S + 600], **OWN)
    )
    assert measurement.firings == [Firing("BotDown", "critical", START_S + 600, 15.0)]
    assert measurement.elsewhere == []
    assert verdict.band is Band.CRITICAL
    assert verdict.cause == "1 critical alert(s) fired: BotDown; all: BotDown(critical)"


def test_an_alert_carrying_none_of_the_selectors_labels_is_counted_and_marked():
    """`sum(rate(bot_errors_total[5m])) > 1` keeps no label of any bot: it may be the target's."""
    measurement, verdict = shared(
        PRODUCTION, alert_series("ErrorsEverywhere", "warning", [START_S + 600])
    )
    [firing] = measurement.firings
    assert firing.scope == "not scoped to this target (no env label)"
    assert (verdict.band, verdict.observed) == (Band.ACCEPTABLE, 1.0)
    assert verdict.cause == ("ErrorsEverywhere(warning, not scoped to this target (no env label))")
    assert verdict.evidence[0].values["firings"][0]["scope"] == firing.scope


def test_an_unscoped_critical_alert_is_critical():
    _, verdict = shared(PRODUCTION, alert_series("ErrorsEverywhere", "critical", [START_S]))
    assert verdict.band is Band.CRITICAL


def test_own_unscoped_and_another_systems_alerts_together():
    measurement, verdict = shared(
        PRODUCTION,
        alert_series("HighErrorRate", "warning", [START_S + 100], **OWN),
        alert_series("BotDown", "critical", [START_S + 200], **STAGING),
        alert_series("Fleetwide", "info", [START_S + 300]),
    )
    assert [f.alertname for f in measurement.firings] == ["HighErrorRate", "Fleetwide"]
    assert (verdict.band, verdict.observed) == (Band.ACCEPTABLE, 2.0)
    assert verdict.cause == (
        "HighErrorRate(warning), Fleetwide(info, not scoped to this target (no env label)); "
        'not this target\'s: BotDown{env="staging"}'
    )


@pytest.mark.parametrize(
    ("selector", "labels", "elsewhere", "note"),
    [
        ('env=~"prod.*"', {"env": "production"}, False, ""),
        ('env=~"prod.*"', {"env": "staging"}, True, 'not this target\'s: {env="staging"}'),
        ('env=~"prod"', {"env": "production"}, True, 'not this target\'s: {env="production"}'),
        ('env!="staging"', {"env": "production"}, False, ""),
        ('env!="staging"', {"env": "staging"}, True, 'not this target\'s: {env="staging"}'),
        ('env!~"stag.*|dev"', {"env": "dev"}, True, 'not this target\'s: {env="dev"}'),
        ('env!~"stag.*|dev"', {"env": "production"}, False, ""),
        # An absent label satisfies a negative matcher: nothing is missing.
        ('env!="staging"', {}, False, ""),
        ('env=~"prod.*", instance="bot-1"', {"env": "production"}, False,
         "not scoped to this target (no instance label)"),
        ('env=~"prod.*", instance="bot-1"', {"env": "production", "instance": "bot-2"}, True,
         'not this target\'s: {instance="bot-2"}'),
        ('env="production"', {"env": ""}, False, "not scoped to this target (no env label)"),
        ('env=~"(unclosed"', {"env": "staging"}, False, ""),  # unreadable: never hides one
    ],
)  # fmt: skip
def test_scope_follows_each_matcher_kind(selector, labels, elsewhere, note):
    scope = scope_of(parse_selector(selector), labels)
    assert (scope.elsewhere, scope.note) == (elsewhere, note)


@given(
    value=st.text(alphabet="abcdefprod-_", min_size=1, max_size=8),
    op=st.sampled_from(["=", "!=", "=~", "!~"]),
    wanted=st.sampled_from(["production", "prod.*", "staging|dev"]),
)
def test_an_alert_is_the_targets_exactly_when_prometheus_would_select_it(value, op, wanted):
    """A series carrying the selector's label is another system's exactly when the selector
    would not select it."""
    [matcher] = parse_selector(f'env{op}"{wanted}"')
    selects = (
        (value == wanted) if op in ("=", "!=") else re.fullmatch(wanted, value) is not None
    ) == (op in ("=", "=~"))
    assert scope_of((matcher,), {"env": value}).elsewhere is not selects


BOTS = ("bot-1", "bot-2", "bot-3")


def fleet_metrics(bot: str) -> Metrics:
    selector = parse_selector(f'env="prod", instance="{bot}"')
    member = fleet_member('env="prod", instance="{instance}"', selector, BOTS, bot)
    return Metrics(selector, member=member)


def test_a_bot_of_a_fleet_counts_its_own_and_the_fleets_and_lists_other_bots_apart():
    """The same rule: a fleet's bot is a target whose selector names its instance."""
    firing = [
        alert_series("BotDown", "critical", [START_S + 100], env="prod", instance="bot-1"),
        alert_series("HighErrorRate", "warning", [START_S + 200], env="prod", instance="bot-2"),
        alert_series("FleetErrors", "warning", [START_S + 300], env="prod"),  # by (env)
        alert_series("Everything", "info", [START_S + 400]),  # no label at all
        alert_series("BotDown", "critical", [START_S + 500], env="staging", instance="bot-2"),
    ]
    bot2 = fleet_metrics("bot-2")
    assert bot2.member is not None
    covered = [Series({"instance": b}, connected(window_grid(WINDOW))) for b in BOTS]
    # Every bot's question about its own series is the fleet's, the same text.
    probe = FakePrometheus(
        {QUERY: firing, bot2.member.widen(bot2.series("bot_connected")): covered},
        rules=HEALTHY_RULES,
    )
    views = {bot: FleetView(probe, fleet_metrics(bot).member) for bot in BOTS}  # type: ignore[arg-type]
    measured, verdict = shared(bot2, probe=views["bot-2"])  # type: ignore[arg-type]
    assert [(f.alertname, f.scope) for f in measured.firings] == [
        ("HighErrorRate", ""),
        ("FleetErrors", "not scoped to this target (no instance label)"),
        ("Everything", "not scoped to this target (no env, instance label)"),
    ]
    assert [(f.alertname, f.scope) for f in measured.elsewhere] == [
        ("BotDown", '{instance="bot-1"}'),
        ("BotDown", '{env="staging"}'),
    ]
    assert (verdict.band, verdict.observed) == (Band.DEGRADED, 3.0)  # 12 h: over 2
    bot1, verdict1 = shared(fleet_metrics("bot-1"), probe=views["bot-1"])  # type: ignore[arg-type]
    assert verdict1.band is Band.CRITICAL  # its own BotDown
    assert [f.alertname for f in bot1.elsewhere] == ["HighErrorRate", "BotDown"]
    assert probe.asked.count(f"{QUERY}[43200s]") == 2  # asked whole, told apart per bot


def test_many_other_systems_alerts_are_named_five_in_the_cause_and_all_in_the_evidence():
    others = [alert_series(f"Alert{n}", "warning", [START_S + n], env="staging") for n in range(7)]
    _, verdict = shared(PRODUCTION, *others)
    assert verdict.cause.endswith('Alert4{env="staging"} and 2 more')
    assert len(verdict.evidence[0].values["not_this_targets"]) == 7


# ---------------------------------------------------------------- rules after a restart


def test_the_wait_for_a_first_evaluation_is_in_the_evidence():
    wait = FirstEvaluationWait(("BotDown", "HighErrorRate"), 3.2, 15.0, ())
    verdict = judged(replace(alerts(), rules_wait=wait))
    assert verdict.band is Band.TARGET
    assert verdict.evidence[0].values["rules_first_evaluation"] == (
        "2 rule(s) had not evaluated yet since Prometheus started: waited 3.2 s for their "
        "first evaluation; all evaluated since"
    )


def test_rules_still_not_evaluated_after_the_wait_are_judged_as_they_stand():
    wait = FirstEvaluationWait(("BotDown",), 15.0, 15.0, ("BotDown",))
    rules = [rule("BotDown", "unknown"), *HEALTHY_RULES[1:]]
    verdict = judged(replace(alerts(rules=rules), rules_wait=wait))
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.endswith(
        "waited 15.0 s for their first evaluation; still not evaluated after one evaluation "
        "interval (15 s): BotDown"
    )
