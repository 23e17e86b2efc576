"""Series as Prometheus answers them: samples, a series' points in two arrays, and the matrix
decoder that reads an answer's bytes straight into them. Plain data: no probe, no network."""

from __future__ import annotations

import bisect
import json
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, overload

from burnin.schedule import Window


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


class Points(Sequence[tuple[float, float]]):
    """A series' (unix seconds, value) pairs in two arrays of doubles: 16 bytes a sample where a
    list of tuples of floats takes about 110 (a day of a 100-bot fleet's raw samples: 4 million
    of them). Reads like a list of pairs."""

    __slots__ = ("times", "values")

    def __init__(self, times: array[float], values: array[float]) -> None:
        self.times = times
        self.values = values

    @classmethod
    def of(cls, pairs: Iterable[Sequence[Any]]) -> Points:
        """From Prometheus's [[1796000000.0, "1"], ...] (values as text)."""
        listed = pairs if isinstance(pairs, list) else list(pairs)
        return cls(array("d", [t for t, _ in listed]), array("d", [float(v) for _, v in listed]))

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, index: int) -> tuple[float, float]: ...
    @overload
    def __getitem__(self, index: slice) -> Points: ...
    def __getitem__(self, index: int | slice) -> tuple[float, float] | Points:
        if isinstance(index, slice):
            return Points(self.times[index], self.values[index])
        return self.times[index], self.values[index]

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(self.times, self.values, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Points({list(self)!r})"


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: Sequence[tuple[float, float]]  # (unix seconds, value), in time order


class Labelled(Protocol):
    @property
    def labels(self) -> dict[str, str]: ...


L = TypeVar("L", bound=Labelled)


class Answer(list[L]):
    """An answer of Prometheus as kept for the run (its samples or series), split by a label's
    value once when asked: a fleet's bots each take their own series by value, where each bot
    read every bot's series (bots x bots label checks per answer). Read-only once made."""

    __slots__ = ("_split", "warnings")
    _split: dict[str, dict[str | None, list[L]]]

    def __init__(self, items: Iterable[L] = (), warnings: tuple[str, ...] = ()) -> None:
        super().__init__(items)
        # What Prometheus said of the answer's data: missing parts (burnin.partial).
        self.warnings = warnings

    def of(self, label: str, value: str) -> list[L]:
        """The items whose `label` is `value` (a new list)."""
        try:
            split = self._split
        except AttributeError:
            split = {}
            self._split = split
        by_value = split.get(label)
        if by_value is None:
            by_value = {}
            for item in self:
                by_value.setdefault(item.labels.get(label), []).append(item)
            split[label] = by_value
        return list(by_value.get(value, ()))


@dataclass(frozen=True)
class MemberOf:
    """A `keep` of a fleet's bot: the items whose `label` is `value` (an Answer finds them by
    value; any other sequence is read item by item)."""

    label: str
    value: str

    def __call__(self, item: Labelled) -> bool:
        return item.labels.get(self.label) == self.value

    def of(self, answer: Sequence[L]) -> list[L]:
        if isinstance(answer, Answer):
            return answer.of(self.label, self.value)
        return [item for item in answer if self(item)]


class Interner:
    """Equal arrays of samples kept once: every family a target exports is stamped with the
    same scrape times (a bot's connected, errors, uptime, memory ... one times array), and a
    healthy fleet's 0/1 series hold the same values. Equal means the same bytes (0.0 and -0.0,
    NaNs told apart), never merely ==. Arrays are shared read-only: nothing writes to them."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int], list[array[float]]] = {}
        self._lock = threading.Lock()

    def __call__(self, numbers: array[float]) -> array[float]:
        raw = numbers.tobytes()
        key = (len(raw), hash(raw))
        with self._lock:
            same = self._kept.setdefault(key, [])
            for kept in same:
                if kept.tobytes() == raw:
                    return kept
            same.append(numbers)
        return numbers


def _own(numbers: array[float]) -> array[float]:
    return numbers


MATRIX_HEAD = b'{"status":"success","data":{"resultType":"matrix","result":['
SERIES_HEAD = b'{"metric":'
VALUES_HEAD = b',"values":['


def decode_matrix(
    body: bytes, intern: Callable[[array[float]], array[float]] = _own
) -> list[Series]:
    """Prometheus's matrix answer as Series. A day of a 100-bot fleet is 10 MB of JSON: decoded
    as JSON it is ~85 MB of lists and strings for a moment; here each series' samples go
    straight from the bytes into two arrays (about twice as fast, nothing in between), each
    array passed through `intern` (an Interner: equal arrays of earlier answers kept once). An
    answer laid out otherwise (another server's, native histograms) is decoded as JSON."""
    try:
        return _lean_matrix(body, intern)
    except ValueError:
        pass
    try:
        result = json.loads(body)["data"]["result"]
        # A series of native histograms only has no float samples ("histograms", no "values").
        return [Series(i.get("metric", {}), Points.of(i.get("values", []))) for i in result]
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"not a matrix answer: {type(exc).__name__}: {exc}") from None


def _lean_matrix(
    body: bytes, intern: Callable[[array[float]], array[float]] = _own
) -> list[Series]:
    """Prometheus's own layout, series by series; ValueError at anything else."""
    if not body.startswith(MATRIX_HEAD):
        raise ValueError("another layout")
    found = []
    at = len(MATRIX_HEAD)
    while not body.startswith(b"]", at):
        split = body.find(VALUES_HEAD, at)
        end = body.find(b"]]}", split)
        if not body.startswith(SERIES_HEAD, at) or split < 0 or end < 0:
            raise ValueError("another layout")
        labels = json.loads(body[at + len(SERIES_HEAD) : split])
        flat = body[split + len(VALUES_HEAD) : end + 1].translate(None, b'[]"').split(b",")
        numbers = array("d", map(float, flat))  # ValueError at anything but numbers
        if len(numbers) % 2 or not isinstance(labels, dict):
            raise ValueError("another layout")
        found.append(Series(labels, Points(intern(numbers[0::2]), intern(numbers[1::2]))))
        at = end + 3
        if body.startswith(b",", at):
            at += 1
    return found


def inside(points: Sequence[tuple[float, float]], window: Window) -> Sequence[tuple[float, float]]:
    """The points of a series (in time order, as Prometheus answers) that lie in the window,
    ends included."""
    start, end = window.start.timestamp(), window.end.timestamp()
    times = points.times if isinstance(points, Points) else [t for t, _ in points]
    first, last = bisect.bisect_left(times, start), bisect.bisect_right(times, end)
    if first == 0 and last == len(times):
        return points  # all inside: the same points, not a copy (a fleet's bots keep theirs)
    return points[first:last]
