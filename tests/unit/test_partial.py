"""burnin.partial: answers their source said may be partial can prove a failure, never a pass."""

from __future__ import annotations

import threading

import pytest

from burnin.bands import Band
from burnin.partial import (
    PartialAnswer,
    collected,
    judged_on,
    note,
    partial_warnings,
    read_partial,
)
from burnin.probes.prometheus import answer_warnings
from burnin.verdict import Evidence, Verdict

STORE_DOWN = "remote_read: error sending request: connection refused"
PARTIAL = PartialAnswer("prometheus", "bot_connected[86400s]", (STORE_DOWN,))
EVIDENCE = (Evidence("prometheus", "bot_connected[86400s] (raw samples)", {"samples": 5761}),)


def verdict(band: Band, observed: float | None = 100.0, cause: str = "") -> Verdict:
    return Verdict("uptime", band, observed, "%", "target >= 99.5 %", cause, None, EVIDENCE)


def test_promql_notes_on_the_query_are_not_partial():
    said = [STORE_DOWN, "PromQL info: metric might not be a counter", "", "  "]
    assert partial_warnings(said) == (STORE_DOWN,)


@pytest.mark.parametrize(
    ("body", "warnings"),
    [
        (b'{"status":"success","data":{"resultType":"matrix","result":[]}}', ()),
        (
            b'{"status":"success","data":{"resultType":"vector","result":[]},'
            b'"warnings":["' + STORE_DOWN.encode() + b'"]}',
            (STORE_DOWN,),
        ),
        (b'{"status":"success","data":{},"warnings":["PromQL info: x"]}', ()),
        (b'{"status":"success","data":{},"warnings":"not a list"}', ()),
        (b'{"warnings": broken', ()),
    ],
)
def test_answer_warnings_reads_the_body_only_when_it_says_warnings(body, warnings):
    assert answer_warnings(body) == warnings


def test_notes_belong_to_the_measurement_reading_them_in_each_thread():
    note("prometheus", "q", (STORE_DOWN,))  # outside a measurement: noted nowhere
    seen: dict[str, tuple[PartialAnswer, ...]] = {}

    def measurement(name: str, partial: bool) -> None:
        def measure() -> str:
            if partial:
                note("prometheus", name, (STORE_DOWN,))
                note("prometheus", name, (STORE_DOWN,))  # the same answer read twice: once
            return name

        value, seen[value] = collected(measure)

    threads = [threading.Thread(target=measurement, args=(n, n == "a")) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"a": (PartialAnswer("prometheus", "a", (STORE_DOWN,)),), "b": ()}


def test_a_pass_on_partial_answers_is_no_data_naming_them():
    judged = judged_on(verdict(Band.TARGET), [PARTIAL, PARTIAL])
    assert judged.band is Band.NO_DATA
    assert judged.cause == (
        f"prometheus said its answer to 'bot_connected[86400s]' may be partial: {STORE_DOWN}: a "
        "pass needs whole data (what it holds shows 100 %)"
    )
    assert judged.evidence[:-1] == EVIDENCE and read_partial(judged)
    assert judged.evidence[-1].values == {
        "answers": [
            {"source": "prometheus", "query": "bot_connected[86400s]", "warnings": [STORE_DOWN]}
        ]
    }


def test_a_cause_says_each_warning_once_with_two_questions_and_a_count_of_the_rest():
    more = [PartialAnswer("prometheus", f"q{i}", (STORE_DOWN,)) for i in range(4)]
    other = PartialAnswer("prometheus", "q9", ("store B: timeout",))
    cause = judged_on(verdict(Band.ACCEPTABLE, None), [*more, other]).cause
    assert cause == (
        f"prometheus said its answers to 'q0', 'q1' (and 2 more) may be partial: {STORE_DOWN}; "
        "prometheus said its answer to 'q9' may be partial: store B: timeout: a pass needs whole "
        "data (what it holds shows nothing wrong)"
    )


@pytest.mark.parametrize("band", [Band.DEGRADED, Band.CRITICAL])
def test_a_failure_on_partial_answers_stands_saying_what_it_was_seen_on(band):
    judged = judged_on(verdict(band, 97.0, "down 40 min"), [PARTIAL])
    assert judged.band is band and judged.observed == 97.0 and read_partial(judged)
    assert judged.cause.startswith("down 40 min; seen on partial data: prometheus said")


@pytest.mark.parametrize("band", [Band.NO_DATA, Band.SOURCE_ERROR, Band.SKIPPED, Band.PENDING])
def test_other_bands_stay_as_they_are(band):
    same = verdict(band, None, "why")
    assert judged_on(same, [PARTIAL]) is same


def test_without_partial_answers_the_verdict_is_the_same():
    same = verdict(Band.TARGET)
    assert judged_on(same, []) is same


def test_a_criterion_judged_on_a_partial_measurement_cannot_pass():
    """Judging: the partial answers of the measurements its judge took, and only those."""
    from burnin.catalogue import Criterion, Judging

    uptime = Criterion("uptime", "Uptime", "prometheus", lambda j: j.measured("connection"))
    partial = {"connection": (PARTIAL,), "health": (PARTIAL,)}

    def judging(criterion: Criterion) -> Judging:
        return Judging(
            criterion,
            None,  # type: ignore[arg-type]
            "24h",
            lambda _name: verdict(Band.TARGET),
            lambda name: partial.get(name, ()),
        )

    assert judging(uptime).verdict().band is Band.NO_DATA
    partial.pop("connection")
    assert judging(uptime).verdict().band is Band.TARGET  # health's, never taken, is not its


def test_a_row_without_data_for_partial_answers_says_to_make_prometheus_answer_whole():
    from burnin.report.model import CriterionResult
    from burnin.report.summary import action_for

    judged = judged_on(verdict(Band.TARGET), [PARTIAL])
    row = CriterionResult("t::uptime[24h]", "uptime", "24h", Band.NO_DATA, judged)
    assert action_for(row).startswith("Make Prometheus answer whole")
    plain = CriterionResult("t::uptime[24h]", "uptime", "24h", Band.NO_DATA, verdict(Band.NO_DATA))
    assert action_for(plain).startswith("Fix the data behind the check")
