"""A fleet asked about together: each bot's question widened to every bot (the same text for
all, so it is asked once), aggregated by the label that tells them apart, and answered with the
bot's own series only. A bot with no series gets nothing, never another bot's value."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from burnin.errors import SourceError
from burnin.gate import SourceGate
from burnin.probes.prometheus import FleetView
from burnin.promql import FleetMember, Matcher, Metrics, fleet_member, parse_selector
from burnin.series import Sample, Series

BOTS = ("bot-1", "bot-2", "10.0.0.7:8000")
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def member(bot: str) -> FleetMember:
    found = fleet_member(
        'env="prod", instance="{instance}"',
        parse_selector(f'env="prod", instance="{bot}"'),
        BOTS,
        bot,
    )
    assert found is not None
    return found


def test_a_bot_s_question_is_widened_to_the_fleet_the_same_for_every_bot():
    metrics = Metrics(parse_selector('env="prod",instance="bot-2"'), member=member("bot-2"))
    query = f"{metrics.agg('sum')}(increase({metrics.series('bot_errors_total')}[1h]))"
    assert query == 'sum by (instance)(increase(bot_errors_total{env="prod",instance="bot-2"}[1h]))'
    widened = member("bot-2").widen(query)
    assert widened == (
        'sum by (instance)(increase(bot_errors_total{env="prod",'
        'instance=~"bot\\\\-1|bot\\\\-2|10\\\\.0\\\\.0\\\\.7:8000"}[1h]))'
    )
    assert member("bot-1").widen(query.replace("bot-2", "bot-1")) == widened


def test_only_the_bot_s_own_matcher_is_widened():
    query = 'x{xinstance="bot-2",instance="bot-2"} + y{instance="bot-22"}'
    assert member("bot-2").widen(query) == (
        'x{xinstance="bot-2",instance=~"bot\\\\-1|bot\\\\-2|10\\\\.0\\\\.0\\\\.7:8000"} '
        '+ y{instance="bot-22"}'
    )


def test_a_single_bot_aggregates_as_before():
    assert Metrics(parse_selector('env="prod"')).agg("max") == "max"


@pytest.mark.parametrize(
    "template",
    [
        'env="prod"',  # no {instance} in the selector: each bot asked alone
        'instance=~"{instance}"',  # not an equality
        'instance="{instance}-x"',  # not the whole value
        'job="{instance}", instance="{instance}"',  # two labels carry it
    ],
)
def test_a_selector_that_does_not_tell_bots_apart_by_one_label_asks_each_bot_alone(template):
    bot = "bot-1"
    filled = parse_selector(template.replace("{instance}", bot))
    assert fleet_member(template, filled, BOTS, bot) is None


class Probe:
    """Prometheus answering for the whole fleet, counting the questions."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.url = "http://prometheus:9090"

    def _fail(self, cause: object) -> SourceError:
        return SourceError("prometheus", self.url, str(cause))

    def instant(self, query: str, at: datetime) -> list[Sample]:
        self.asked.append(query)
        return [Sample({"instance": "bot-1"}, 3.0), Sample({"instance": "bot-2"}, 0.0)]

    def range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        self.asked.append(query)
        return [Series({"instance": b}, [(1.0, 1.0)]) for b in ("bot-1", "bot-2")]

    def samples(self, selector: str, window: object, keep=lambda _s: True) -> list[Series]:  # type: ignore[no-untyped-def]
        return [s for s in self.range(selector, AT, AT, 15) if keep(s)]


def test_each_bot_gets_its_own_series_and_a_bot_without_any_gets_nothing():
    probe = Probe()
    views = {b: FleetView(probe, member(b)) for b in BOTS}  # type: ignore[arg-type]
    own = {b: f'bot_users{{instance="{b}"}}' for b in BOTS}
    assert views["bot-1"].scalar(f"sum by (instance)({own['bot-1']})", AT) == 3.0
    assert views["bot-2"].scalar(f"sum by (instance)({own['bot-2']})", AT) == 0.0
    assert views["10.0.0.7:8000"].scalar(f"sum by (instance)({own['10.0.0.7:8000']})", AT) is None
    assert len(set(probe.asked)) == 1  # one question for the fleet
    assert [s.labels for s in views["bot-2"].samples(own["bot-2"], None)] == [  # type: ignore[arg-type]
        {"instance": "bot-2"}
    ]
    assert views["bot-1"].url == probe.url  # everything else is the probe's


def test_an_answer_that_lost_the_fleet_s_label_answers_no_bot():
    class Summed(Probe):
        def instant(self, query: str, at: datetime) -> list[Sample]:
            return [Sample({}, 3.0)]  # `sum(...)` without `by`: the fleet's total

    view = FleetView(Summed(), member("bot-1"))  # type: ignore[arg-type]
    assert view.scalar('sum(bot_users{instance="bot-1"})', AT) is None


def test_a_gate_asks_its_source_at_most_once_per_recheck_interval_and_again_when_expired():
    checks: list[float] = []
    gate = SourceGate("probe", lambda _p: checks.append(time.monotonic()), recheck_s=60.0)
    for _ in range(100):
        assert gate.require() == "probe"
    assert len(checks) == 1
    gate.expire()
    gate.require()
    assert len(checks) == 2
    every = SourceGate("probe", lambda _p: checks.append(time.monotonic()), recheck_s=0.0)
    every.require()
    every.require()
    assert len(checks) == 4


def test_a_gate_remembers_a_failure_whatever_the_interval():
    def refuse(_probe: str) -> None:
        raise SourceError("prometheus", "http://p", "not reachable")

    gate = SourceGate("probe", refuse, recheck_s=60.0)
    for _ in range(3):
        with pytest.raises(SourceError, match="not reachable"):
            gate.require()


def test_the_fleet_matcher_is_a_regex_of_every_bot():
    assert member("bot-1").fleet == Matcher("instance", "=~", "bot\\-1|bot\\-2|10\\.0\\.0\\.7:8000")


def test_of_the_firing_alerts_a_bot_is_handed_every_one_asked_once():
    """Which firing alerts are the bot's is the alerts criterion's one rule (promql.scope_of,
    tests/unit/test_criteria_alerts.py), the same for a fleet's bot as for any target."""

    class Alerts(Probe):
        def samples(self, selector: str, window: object, keep=lambda _s: True) -> list[Series]:  # type: ignore[no-untyped-def]
            self.asked.append(selector)
            firing = [
                Series({"alertname": "BotDown", "instance": "bot-1"}, [(1.0, 1.0)]),
                Series({"alertname": "BotDown", "instance": "bot-2"}, [(1.0, 1.0)]),
                Series({"alertname": "HighErrorRateFleet"}, [(1.0, 1.0)]),  # by no instance
            ]
            return [s for s in firing if keep(s)]

    probe = Alerts()
    seen = FleetView(probe, member("bot-2")).samples('ALERTS{alertstate="firing"}', None)  # type: ignore[arg-type]
    assert [s.labels.get("instance", "-") for s in seen] == ["bot-1", "bot-2", "-"]
    assert probe.asked == ['ALERTS{alertstate="firing"}']  # nothing of the bot's to widen


def test_a_kept_answer_hands_each_bot_its_own_series_found_by_value():
    """Of an Answer (what the probe keeps), each bot's series are found by the label's value,
    the answer split once; of any other sequence, item by item: the same series either way."""
    from burnin.series import Answer, MemberOf

    items = [Series({"instance": f"bot-{n % 7}"}, [(float(n), 1.0)]) for n in range(50)]
    items.append(Series({"job": "no-instance"}, [(0.0, 0.0)]))
    answer = Answer(items)
    for n in range(8):
        mine = MemberOf("instance", f"bot-{n}")
        assert mine.of(answer) == mine.of(list(items)) == [s for s in items if mine(s)]
    assert list(answer._split) == ["instance"]  # split once, whatever the number of bots
    mine = MemberOf("instance", "bot-1")
    taken = mine.of(answer)
    taken.clear()  # a bot's list is its own
    assert len(mine.of(answer)) == 7
