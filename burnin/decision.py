"""The run's overall state and checkpoint decision, from its rows: one rule for every artefact
(HTML, Markdown, JSON, JUnit, the history and `watch` read what this says).

- A failure proven by the sources that answered stands: a critical row of a criterion whose
  failure is the deployment's (catalogue `rollback`) is FAIL, "roll back"; a critical row of
  something a rollback would not cure (no backup made, monitoring down) recommends fixing that
  thing (PARTIAL). Sources the observer could not ask are named beside it.
- An observer failure is never a verdict on the bot: with a SOURCE_ERROR row and no failure
  proven, the state is UNKNOWN and the decision CANNOT DECIDE, naming the sources to fix.
- Everything judged passed and only manual items open (the team's sign-off not recorded yet:
  catalogue `manual`) is HEALTHY / AWAITING SIGN-OFF: healthy so far, the checkpoint stays open
  until the team signs off (the history does not count it done; `watch` and `--phase auto` run it
  again). Nothing is wrong, so nothing says "address issues".
- Anything else short of a pass (degraded, no data, pending) is ISSUES / PARTIAL.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from burnin.bands import Band
from burnin.catalogue import CRITERIA


class Overall(enum.Enum):
    HEALTHY = "✅ HEALTHY"
    ISSUES = "⚠️ ISSUES"
    CRITICAL = "❌ CRITICAL"
    UNKNOWN = "❓ UNKNOWN"  # the observer could not tell: cannot decide


class Decision(enum.Enum):
    """The spec's checkpoint decision (PASS / PARTIAL / FAIL), and the one it cannot make."""

    PASS = "PASS"
    # Everything judged passed; only manual items (the team's sign-off) are not recorded yet.
    AWAITING_SIGNOFF = "AWAITING SIGN-OFF"
    PARTIAL = "PARTIAL"
    FAIL = "FAIL"
    CANNOT_DECIDE = "CANNOT DECIDE"


class Row(Protocol):
    """What the decision reads of a report row (burnin.report.model.CriterionResult)."""

    @property
    def criterion(self) -> str: ...
    @property
    def band(self) -> Band: ...
    @property
    def place(self) -> str: ...
    @property
    def cause(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def bot(self) -> str: ...


# "prometheus at https://...: certificate not trusted ..." (SourceError's own wording), as a
# row's cause carries it: after pytest's "Failed: " and the "SOURCE_ERROR " of the fixtures.
SOURCE_LINE = re.compile(r"^(?:Failed:\s+)?(?:SOURCE_ERROR\s+)?([a-z][\w+-]*) at (\S+?):\s")


def source_of(row: Row) -> str:
    """The source a SOURCE_ERROR row could not ask, as `prometheus at https://host:9090`."""
    found = SOURCE_LINE.match(row.cause)
    if found:
        return f"{found[1]} at {found[2]}"
    known = CRITERIA.get(row.criterion)
    return known.source if known else row.criterion


def is_manual(criterion: str) -> bool:
    """Whether a person answers `criterion` (the team's sign-off), not a probe."""
    known = CRITERIA.get(criterion)
    return known.manual if known else False


def can_roll_back(criterion: str) -> bool:
    """Whether a failure of `criterion` is the deployment's (a rollback may cure it)."""
    known = CRITERIA.get(criterion)
    return known.rollback if known else True


@dataclass(frozen=True)
class Outcome:
    overall: Overall
    decision: Decision
    rollback: tuple[str, ...]  # critical rows that call for a rollback
    fix: tuple[str, ...]  # critical rows a rollback would not cure
    unreachable: tuple[str, ...]  # sources the observer could not ask
    awaited: tuple[str, ...] = ()  # manual items not recorded yet (the team's sign-off)

    @property
    def recommendation(self) -> str:
        """The spec's recommendation, following the cause."""
        beside = f" (also could not ask: {', '.join(self.unreachable)})" if self.unreachable else ""
        if self.decision is Decision.PASS:
            return "Continue monitoring (PASS at the final checkpoint: declare success)"
        if self.decision is Decision.AWAITING_SIGNOFF:
            return (
                f"Healthy so far; waiting for the team's sign-off ({', '.join(self.awaited)}): "
                "record it, then rerun this checkpoint"
            )
        if self.decision is Decision.FAIL:
            return f"Roll back and investigate: {'; '.join(self.rollback)}{beside}"
        if self.decision is Decision.CANNOT_DECIDE:
            if not self.unreachable:
                return "Cannot decide: nothing was judged; rerun with the checks selected"
            return (
                f"Cannot decide: the observer could not ask {', '.join(self.unreachable)}; "
                "fix that access and rerun (nothing proven here calls for a rollback)"
            )
        if self.fix:
            return (
                f"Fix what failed around the bot (a rollback would not cure it): "
                f"{'; '.join(self.fix)}; then rerun{beside}"
            )
        return f"Address the issues listed and keep monitoring{beside}"


def decide(rows: Iterable[Row]) -> Outcome:
    listed: Sequence[Row] = list(rows)
    critical = [r for r in listed if r.band is Band.CRITICAL]
    rollback = _named([r for r in critical if can_roll_back(r.criterion)])
    fix = _named([r for r in critical if not can_roll_back(r.criterion)])
    unreachable = tuple(dict.fromkeys(source_of(r) for r in listed if r.band is Band.SOURCE_ERROR))
    proven = [r for r in listed if r.band in (Band.CRITICAL, Band.DEGRADED)]
    passed = [r for r in listed if r.band.passes]
    short = [r for r in listed if not r.band.passes and r.band is not Band.SKIPPED]
    awaited = tuple(
        dict.fromkeys(
            f"{r.criterion} {r.place}"
            for r in short
            if r.band is Band.PENDING and is_manual(r.criterion)
        )
    )
    if rollback:
        decision = Decision.FAIL
    elif (unreachable and not proven) or not (passed or short):
        decision = Decision.CANNOT_DECIDE
    elif passed and short and all(r.band is Band.PENDING and is_manual(r.criterion) for r in short):
        decision = Decision.AWAITING_SIGNOFF
    elif short or not passed:
        decision = Decision.PARTIAL
    else:
        decision = Decision.PASS
    if critical:
        overall = Overall.CRITICAL
    else:
        overall = {
            Decision.CANNOT_DECIDE: Overall.UNKNOWN,
            Decision.PARTIAL: Overall.ISSUES,
            Decision.AWAITING_SIGNOFF: Overall.HEALTHY,
            Decision.PASS: Overall.HEALTHY,
        }[decision]
    return Outcome(overall, decision, rollback, fix, unreachable, awaited)


# Criteria named in a recommendation before "and N more" (a fleet's rows failing alike are one).
NAMED = 8


def _named(rows: Sequence[Row]) -> tuple[str, ...]:
    """Each failing criterion once with its first cause: `uptime [24h] (uptime 97 %)`, or for a
    fleet's bots failing it alike `uptime [24h] on 3 bots (bot-1: uptime 97 %)`; past NAMED,
    how many more."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.criterion, row.phase), []).append(row)
    names = []
    for (criterion, phase), group in groups.items():
        first = group[0]
        cause = first.cause.splitlines()[0] if first.cause else ""
        if len(group) == 1:
            names.append(f"{criterion} {first.place}" + (f" ({cause})" if cause else ""))
            continue
        said = f"{first.bot}: {cause}" if first.bot and cause else cause
        names.append(f"{criterion} [{phase}] on {len(group)} bots" + (f" ({said})" if said else ""))
    if len(names) > NAMED:
        return (*names[:NAMED], f"and {len(names) - NAMED} more")
    return tuple(names)
