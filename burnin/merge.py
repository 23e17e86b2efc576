"""`python -m burnin merge A.json B.json ...`: the shards of one fleet run (`--shard I/N`, a CI
job matrix) joined into the fleet's record, as one unsharded run would have written it.

Only a complete set of one run's shards merges: the same target, deployment, phases, windows,
moment (--at), fleet, thresholds and burnin, every shard 1..N exactly once. Anything else is
one line saying which files and what differs; a merge of part of the fleet never reads as the
fleet's record. The rows take the unsharded run's order: each criterion and phase as the first
shard ran them, its bots in the fleet's order."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from burnin.catalogue import CRITERIA
from burnin.config.thresholds import thresholds_of
from burnin.errors import ConfigError
from burnin.report.links import Consoles
from burnin.report.model import CriterionResult, RunRecord
from burnin.report.wire import record_from_wire
from burnin.shard import Shard, parse_shard

Wire = dict[str, Any]
# What makes two shards parts of one run (the record's keys), in the order a difference is told.
SAME_RUN = (
    "target",
    "deployed_at",
    "at",
    "windows",
    "fleet_bots",
    "version",
    "thresholds",
)
SHARD_ROW = "Shard"  # the environment row a shard adds (fixtures.session)


class MergeError(Exception):
    """The files are not one complete run's shards: one line saying which and why."""


@dataclass(frozen=True)
class ShardRecord:
    """One shard's JSON: its record, pytest's reports of its tests (in the order they ran) and
    the record's own keys as written (what `same run` compares)."""

    path: Path
    shard: Shard
    record: RunRecord
    reports: tuple[Wire, ...]
    raw: Wire


@dataclass(frozen=True)
class Merged:
    record: RunRecord
    reports: tuple[Wire, ...]  # every shard's test reports, in the unsharded run's order
    shards: tuple[ShardRecord, ...]


def read_shard(path: Path) -> ShardRecord:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"{path}: cannot read it: {exc.strerror}") from None
    except ValueError as exc:
        raise MergeError(f"{path}: not JSON: {exc}") from None
    raw = document.get("record") if isinstance(document, dict) else None
    if not isinstance(raw, dict) or not raw.get("shard"):
        raise MergeError(
            f'{path}: no shard record in it (a run with --shard I/N writes one under "record"; '
            "this is a whole run's JSON, or another file)"
        )
    try:
        shard = parse_shard(raw["shard"], f"{path}: shard")
        thresholds = _thresholds(raw["thresholds"])
        record = record_from_wire(raw, thresholds)
    except (ConfigError, KeyError, TypeError, ValueError) as exc:
        raise MergeError(f"{path}: not a record this burnin can read: {exc}") from None
    return ShardRecord(path, shard, record, tuple(document.get("reports") or ()), raw)


def _thresholds(raw: Wire) -> Any:
    """The thresholds the shard judged by, from the file's text it kept (the path as it was)."""
    return thresholds_of(tomllib.loads(raw["text"]), Path(raw["path"]), CRITERIA)


def check_set(shards: Sequence[ShardRecord]) -> None:
    """One run's shards, each once, none missing."""
    if not shards:
        raise MergeError("no shard records given: python -m burnin merge A.json B.json ...")
    first = shards[0]
    for other in shards[1:]:
        if other.shard.total != first.shard.total:
            raise MergeError(
                f"{first.path} is shard {first.shard}, {other.path} shard {other.shard}: shards "
                "of different splits of the fleet"
            )
        for key in SAME_RUN:
            if other.raw.get(key) != first.raw.get(key):
                hint = (
                    " (give every shard the same --at: each judges its own moment otherwise)"
                    if key in ("windows", "at")
                    else ""
                )
                raise MergeError(
                    f"{first.path} and {other.path} are shards of different runs: their {key} "
                    f"differ ({_short(first.raw.get(key))} / {_short(other.raw.get(key))}){hint}"
                )
    seen: dict[int, Path] = {}
    for part in shards:
        if part.shard.index in seen:
            raise MergeError(
                f"{seen[part.shard.index]} and {part.path} are both shard {part.shard}: give "
                "each shard's record once"
            )
        seen[part.shard.index] = part.path
    total = first.shard.total
    missing = [i for i in range(1, total + 1) if i not in seen]
    if missing:
        raise MergeError(
            f"missing shard {', '.join(f'{i}/{total}' for i in missing)} of {first.raw['target']} "
            f"(given {', '.join(f'{i}/{total}' for i in sorted(seen))}): a merge of part of the "
            "fleet is not the fleet's record; rerun or download the missing shard"
        )


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def merge(shards: Sequence[ShardRecord]) -> Merged:
    """The fleet's record from its shards' (checked first: MergeError)."""
    check_set(shards)
    ordered = sorted(shards, key=lambda s: s.shard.index)
    first = ordered[0].record
    results = _in_fleet_order([s.record for s in ordered], first.fleet_bots)
    consoles: dict[str, Consoles] = {}
    for part in reversed(ordered):  # the first shard's "" (the fleet's first bot) wins
        consoles.update(part.record.consoles)
    record = replace(
        first,
        started=min(s.record.started for s in ordered),
        finished=max(s.record.finished for s in ordered),
        results=results,
        environment=tuple(row for row in first.environment if row[0] != SHARD_ROW),
        interrupted=any(s.record.interrupted for s in ordered),
        consoles=consoles,
        shard="",
        fleet_bots=(),
    )
    position = {row.nodeid: index for index, row in enumerate(results)}
    reports = [r for s in ordered for r in s.reports]
    last = len(position)
    reports.sort(key=lambda r: position.get(str(r.get("nodeid")), last))  # stable: setup first
    return Merged(record, tuple(reports), tuple(ordered))


def _in_fleet_order(
    records: Sequence[RunRecord], fleet_bots: Sequence[str]
) -> tuple[CriterionResult, ...]:
    """Rows as the unsharded run orders them: each test function and phase where the first
    shard ran it (it runs every criterion: the fleet-wide ones too), its bots in fleet order."""
    slots: dict[tuple[str, str, bool], int] = {}
    for record in records:
        for row in record.results:
            slots.setdefault(_slot(row), len(slots))
    bot_index = {bot: index for index, bot in enumerate(fleet_bots)}
    rows = [row for record in records for row in record.results]
    return tuple(sorted(rows, key=lambda r: (slots[_slot(r)], bot_index.get(r.bot, -1))))


def _slot(row: CriterionResult) -> tuple[str, str, bool]:
    return (row.nodeid.partition("[")[0], row.phase, row.bot == "")
