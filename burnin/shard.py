"""`--shard I/N`: one of N runs that split a fleet between them (a CI job matrix), each judging
every N-th bot in the fleet's order, from the I-th (I counts from 1). `python -m burnin merge`
joins the shards' records into the fleet's one (burnin.merge)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from burnin.errors import ConfigError

SHARD_ENV = "BURNIN_SHARD"
SHARD_TEXT = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int  # from 1
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"

    @property
    def first(self) -> bool:
        """The shard that judges the fleet-wide criteria (sign-off, the test alert) once."""
        return self.index == 1

    def pick(self, bots: Sequence[T]) -> tuple[T, ...]:
        """Every `total`-th bot, from the `index`-th: deterministic by the fleet's order."""
        return tuple(bots[self.index - 1 :: self.total])


def parse_shard(raw: str, where: str) -> Shard:
    """`2/5` -> Shard(2, 5); anything else is one line saying what was expected."""
    found = SHARD_TEXT.fullmatch(raw)
    if found is None:
        raise ConfigError(
            f"{where}: {raw!r} is not a shard; expected I/N, e.g. 2/5 (the 2nd of 5 runs that "
            "split the fleet)"
        )
    index, total = int(found.group(1)), int(found.group(2))
    if total < 1 or not 1 <= index <= total:
        raise ConfigError(
            f"{where}: {raw!r}: the shard's number must be 1 to {max(total, 1)} "
            f"(I/N counts I from 1 to N), e.g. 1/{max(total, 2)}"
        )
    return Shard(index, total)


def check_shard(shard: Shard, bots: Sequence[str], target: str, where: str) -> None:
    """A shard must have a bot to judge: a target of one bot is shard 1/1 only, and a fleet is
    split into at most as many shards as it has bots (an empty shard would judge nothing and
    still write a record)."""
    if shard.total == 1:
        return
    if len(bots) <= 1:
        raise ConfigError(
            f"{where}: {shard}: target {target} is one bot (no instances), which cannot be "
            "split; leave --shard out (or give 1/1), or shard a fleet (instances)"
        )
    if shard.total > len(bots):
        raise ConfigError(
            f"{where}: {shard}: target {target} has {len(bots)} bots, fewer than {shard.total} "
            f"shards (a shard would judge no bot); use at most {len(bots)} shards"
        )
