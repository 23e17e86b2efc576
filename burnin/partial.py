"""Answers their source said may be partial, and what they do to a verdict.

Prometheus answers a query with `warnings` when part of its data could not be read: a remote
read store that is down, a Thanos store that did not answer (its partial response), a
federated Prometheus behind. The answer is still "success" and holds what could be read, so a
criterion judging it sees whole-looking data. The rule of partial data holds for it as for a
hole: what such an answer shows can prove a failure, never a pass.

A measurement notes each partial answer it reads (`note`, called by the probe as it hands an
answer over) while it runs under `collected`: the notes are the measurement's, whichever
thread (or test) ran it, and a kept answer read again is noted again. PromQL's own notes on a
query ("PromQL info: metric might not be a counter ...") say nothing about missing data and
are not partial.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

from burnin.bands import Band
from burnin.verdict import Evidence, Verdict, no_data

T = TypeVar("T")

# Prometheus's notes on the query itself, not on its data (infos; older versions sent them as
# warnings).
NOT_PARTIAL = ("PromQL info:",)
# A cause names at most this many questions of one saying, then counts the rest.
NAMED = 2
# The evidence item listing every partial answer a verdict read (each question and its words).
PARTIAL_EVIDENCE = "answers their source said may be partial"


@dataclass(frozen=True)
class PartialAnswer:
    """One answer its source said may be incomplete: the question and the source's words."""

    source: str
    query: str
    warnings: tuple[str, ...]


def describe(partial: Iterable[PartialAnswer]) -> str:
    """The partial answers in words: by what their source said, each saying's first NAMED
    questions and how many more ("prometheus said its answers to 'a', 'b' (and 3 more) may be
    partial: remote_read: ... connection refused")."""
    by_saying: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for answer in partial:
        by_saying.setdefault((answer.source, answer.warnings), []).append(answer.query)
    parts = []
    for (source, warnings), queries in by_saying.items():
        named = ", ".join(repr(q) for q in queries[:NAMED])
        more = f" (and {len(queries) - NAMED} more)" if len(queries) > NAMED else ""
        answers = "answers" if len(queries) > 1 else "answer"
        parts.append(
            f"{source} said its {answers} to {named}{more} may be partial: " + "; ".join(warnings)
        )
    return "; ".join(parts)


_READ: ContextVar[list[PartialAnswer] | None] = ContextVar("partial_answers_read", default=None)


def partial_warnings(warnings: Iterable[object]) -> tuple[str, ...]:
    """The warnings of an answer that say part of its data is missing."""
    return tuple(
        text
        for text in (str(w).strip() for w in warnings)
        if text and not text.startswith(NOT_PARTIAL)
    )


def note(source: str, query: str, warnings: tuple[str, ...]) -> None:
    """A measurement read an answer; if its source said it may be partial, the measurement
    notes it (outside `collected`, nothing is noted)."""
    read = _READ.get()
    if warnings and read is not None:
        found = PartialAnswer(source, query, warnings)
        if found not in read:
            read.append(found)


def collected(measure: Callable[[], T]) -> tuple[T, tuple[PartialAnswer, ...]]:
    """`measure()` and the partial answers it read."""
    read: list[PartialAnswer] = []
    token = _READ.set(read)
    try:
        return measure(), tuple(read)
    finally:
        _READ.reset(token)


def judged_on(verdict: Verdict, partial: Iterable[PartialAnswer]) -> Verdict:
    """A verdict whose measurements read partial answers: a pass becomes NO_DATA naming them
    (the rest of the data may hide the failure); a failure stands, saying what it was seen on;
    NO_DATA, SOURCE_ERROR, SKIPPED and PENDING stay as they are."""
    found = list(dict.fromkeys(partial))
    if not found:
        return verdict
    named = describe(found)
    evidence = (*verdict.evidence, partial_evidence(found))
    if verdict.band.passes:
        seen = verdict.observed_text if verdict.observed is not None else "nothing wrong"
        return no_data(
            verdict.criterion,
            f"{named}: a pass needs whole data (what it holds shows {seen})",
            verdict.window,
            evidence,
        )
    if verdict.band in (Band.DEGRADED, Band.CRITICAL):
        cause = "; ".join(
            part for part in (verdict.cause, f"seen on partial data: {named}") if part
        )
        return replace(verdict, cause=cause, evidence=evidence)
    return verdict


def partial_evidence(found: Sequence[PartialAnswer]) -> Evidence:
    """Every partial answer a verdict read, each question with its source's words."""
    answers = [{"source": p.source, "query": p.query, "warnings": list(p.warnings)} for p in found]
    return Evidence(found[0].source if found else "", PARTIAL_EVIDENCE, {"answers": answers})


def read_partial(verdict: Verdict) -> bool:
    """The verdict was judged on answers their source said may be partial."""
    return any(item.query == PARTIAL_EVIDENCE for item in verdict.evidence)
