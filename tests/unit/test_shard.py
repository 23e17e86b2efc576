"""--shard I/N and `burnin merge`: which bots a shard judges, and the merge of fake shard
records (order, refusals, what the fleet's record keeps)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from burnin.bands import Band
from burnin.errors import ConfigError
from burnin.history import ResultRow, RunRow, done_checkpoints, record, runs
from burnin.merge import MergeError, ShardRecord, merge
from burnin.report.links import Consoles
from burnin.report.model import CriterionResult, RunRecord
from burnin.report.wire import record_from_wire, record_to_wire
from burnin.shard import Shard, check_shard, parse_shard
from tests.report.records import END, THRESHOLDS, WINDOW

FLEET = ("bot-1", "bot-2", "bot-3", "bot-4", "bot-5")


def test_a_shard_is_read_from_i_slash_n():
    assert parse_shard("2/5", "--shard") == Shard(2, 5)
    assert parse_shard(" 1 / 1 ", "--shard") == Shard(1, 1)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("0/2", "must be 1 to 2"),
        ("3/2", "must be 1 to 2"),
        ("x", "expected I/N"),
        ("1/0", "1 to 1"),
    ],
)
def test_a_bad_shard_is_one_line_naming_where_it_came_from(raw, said):
    with pytest.raises(ConfigError, match=rf"^BURNIN_SHARD: '{raw}'.*{said}") as caught:
        parse_shard(raw, "BURNIN_SHARD")
    assert "\n" not in str(caught.value)


def test_a_shard_judges_every_nth_bot_in_the_fleets_order_and_together_they_judge_each_once():
    shards = [Shard(i, 2).pick(FLEET) for i in (1, 2)]
    assert shards == [("bot-1", "bot-3", "bot-5"), ("bot-2", "bot-4")]
    assert sorted(b for s in [Shard(i, 3).pick(FLEET) for i in (1, 2, 3)] for b in s) == list(FLEET)


def test_one_bot_is_shard_1_of_1_only_and_a_fleet_has_no_empty_shard():
    check_shard(Shard(1, 1), ["production"], "production", "--shard")
    with pytest.raises(ConfigError, match="is one bot"):
        check_shard(Shard(1, 2), ["production"], "production", "--shard")
    with pytest.raises(ConfigError, match="has 5 bots, fewer than 6 shards"):
        check_shard(Shard(6, 6), FLEET, "fleet", "--shard")


def _row(criterion: str, bot: str, band: Band = Band.TARGET) -> CriterionResult:
    label = bot or "fleet"
    return CriterionResult(
        f"tests_production/test_x.py::test_{criterion}[{label}-24h]", criterion, "24h", band, None,
        "", bot,
    )  # fmt: skip


def _shard(index: int, total: int, **changes: object) -> ShardRecord:
    mine = Shard(index, total).pick(FLEET)
    results = [_row("uptime", bot) for bot in mine] + [_row("cpu", bot) for bot in mine]
    if index == 1:
        results.insert(0, _row("sign-off", "", Band.PENDING))
    rec = RunRecord(
        target="fleet",
        windows={"24h": WINDOW},
        started=END + timedelta(seconds=index),
        finished=END + timedelta(seconds=10 + index),
        validator="ci",
        thresholds=THRESHOLDS,
        results=tuple(results),
        environment=(("Target", "fleet"), ("Shard", f"{index}/{total}")),
        consoles={"": Consoles(f"http://prom-{index}")}
        | {b: Consoles(f"http://{b}") for b in mine},
        shard=f"{index}/{total}",
        fleet_bots=FLEET,
    )
    rec = dataclasses.replace(rec, **changes)  # type: ignore[arg-type]
    raw = record_to_wire(rec, "text", "2026-11-28T09:00:00+00:00", "2026-11-29T09:00:00+00:00")
    reports = tuple({"nodeid": r.nodeid, "when": w} for r in rec.results for w in ("setup", "call"))
    return ShardRecord(Path(f"s{index}.json"), Shard(index, total), rec, reports, raw)


def test_the_merge_orders_rows_as_the_unsharded_run_fleet_wide_first_then_bots_in_order():
    merged = merge([_shard(2, 2), _shard(1, 2)])
    assert [(r.criterion, r.bot) for r in merged.record.results] == [
        ("sign-off", ""),
        *[("uptime", b) for b in FLEET],
        *[("cpu", b) for b in FLEET],
    ]
    assert [r["nodeid"] for r in merged.reports][:3] == [merged.record.results[0].nodeid] * 2 + [
        merged.record.results[1].nodeid
    ]
    assert [r["when"] for r in merged.reports][:2] == ["setup", "call"]


def test_the_merged_record_is_the_fleets_not_a_shards():
    merged = merge([_shard(1, 2), _shard(2, 2)]).record
    assert merged.shard == "" and merged.shard_note == ""
    assert "shard" not in merged.title
    assert ("Shard", "1/2") not in merged.environment
    assert merged.started == END + timedelta(seconds=1)
    assert merged.finished == END + timedelta(seconds=12)
    assert merged.consoles[""] == Consoles("http://prom-1")  # the first bot's, as unsharded
    assert set(merged.consoles) == {"", *FLEET}


def test_a_shards_record_says_it_is_one():
    shard = _shard(2, 2).record
    assert "(shard 2/2)" in shard.title
    assert "2 of 5 bots (bot-2, bot-4)" in shard.shard_note and "merge" in shard.shard_note


def test_an_interrupted_shard_makes_the_fleets_record_partial():
    merged = merge([_shard(1, 2), _shard(2, 2, interrupted=True)])
    assert merged.record.interrupted


@pytest.mark.parametrize(
    ("shards", "said"),
    [
        ([_shard(1, 3), _shard(2, 3)], r"missing shard 3/3 of fleet \(given 1/3, 2/3\)"),
        ([_shard(1, 2), _shard(1, 2)], r"both shard 1/2"),
        ([_shard(1, 2), _shard(2, 3)], r"shards of different splits"),
        ([_shard(1, 2), _shard(2, 2, target="other")], r"different runs: their target differ"),
        ([], r"no shard records given"),
    ],
)
def test_the_merge_refuses_what_is_not_one_complete_run_in_one_line(shards, said):
    with pytest.raises(MergeError, match=said) as caught:
        merge(shards)
    assert "\n" not in str(caught.value)


def test_shards_judging_different_moments_are_refused_with_the_fix():
    other = dataclasses.replace(WINDOW, end=END + timedelta(seconds=30))
    with pytest.raises(MergeError, match=r"windows differ .*give every shard the same --at"):
        merge([_shard(1, 2), _shard(2, 2, windows={"24h": other})])


def test_a_record_survives_its_wire_form_whole():
    rec = _shard(1, 2).record
    raw = record_to_wire(rec, "text", "", "")
    assert record_from_wire(raw, THRESHOLDS) == rec


def _run(shard: str) -> RunRow:
    return RunRow(
        "fleet", "2026-11-28T09:00:00+00:00", ("24h",), "2026-11-29T09:00:00+00:00",
        "2026-11-29T09:01:00+00:00", {}, "OK", False, {}, (ResultRow("uptime", "24h", "target",
        100.0, "100 %", "bot-1"),), decision="PASS", shard=shard,
    )  # fmt: skip


def test_a_shards_history_row_never_marks_the_fleets_checkpoint_done(tmp_path):
    path = tmp_path / "history.sqlite"
    record(path, _run("1/2"))
    assert runs(path) == []
    assert done_checkpoints(runs(path)) == set()
    assert [r.shard for r in runs(path, shards=True)] == ["1/2"]
    record(path, _run(""))  # the merge's: the fleet's run
    assert done_checkpoints(runs(path)) == {"24h"}
