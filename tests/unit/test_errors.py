"""burnin.errors.again: a remembered exception raised once more as a copy with its own
traceback (a gate's first failure, a measurement a fleet's bots share)."""

from __future__ import annotations

import pickle
import traceback

import pytest

from burnin.errors import SourceError, again
from burnin.gate import SourceGate


def test_a_source_error_copies_and_pickles_as_made() -> None:
    error = SourceError("ssh", "ssh://root@h:22", "cannot connect: refused")
    for copy in (again(error), pickle.loads(pickle.dumps(error))):
        assert copy is not error and type(copy) is SourceError
        assert (copy.source, copy.where, copy.cause, str(copy)) == (
            error.source, error.where, error.cause, str(error),
        )  # fmt: skip


class Unrebuildable(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}+{b}")  # args cannot rebuild it


def test_an_exception_that_cannot_be_copied_is_raised_with_its_traceback_cleared() -> None:
    try:
        raise Unrebuildable(1, 2)
    except Unrebuildable as exc:
        kept = exc
    assert kept.__traceback__ is not None
    assert again(kept) is kept and kept.__traceback__ is None


def test_the_copy_keeps_what_the_exception_came_from() -> None:
    try:
        try:
            raise OSError("refused")
        except OSError as cause:
            raise ValueError("no answer") from cause
    except ValueError as exc:
        kept = exc
    copy = again(kept)
    assert copy is not kept and isinstance(copy.__cause__, OSError)


def test_a_gate_raises_its_first_failure_each_time_with_a_traceback_of_its_own() -> None:
    def refuse(_probe: object) -> None:
        raise SourceError("prometheus", "http://p:9090", "connection refused")

    gate = SourceGate(object(), refuse)
    depths = set()
    for _ in range(30):
        with pytest.raises(SourceError, match="connection refused") as raised:
            gate.require()
        depths.add(len(traceback.extract_tb(raised.value.__traceback__)))
    assert len(depths) == 1, depths


def test_a_failed_answer_taken_again_keeps_its_cause() -> None:
    from concurrent.futures import Future

    from burnin.flight import answer_of

    try:
        try:
            raise OSError("connection reset")
        except OSError as cause:
            raise SourceError("prometheus", "http://p:9090", "not reachable") from cause
    except SourceError as exc:
        failed = exc
    answer: Future[None] = Future()
    answer.set_exception(failed)
    for _ in range(3):
        with pytest.raises(SourceError) as raised:
            answer_of(answer)
        assert raised.value is not failed and isinstance(raised.value.__cause__, OSError)
