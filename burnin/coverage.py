"""How much of a window a series' raw samples cover: the rule behind "partial data can prove a
failure, never a pass".

A sample holds its value until the next scrape. A gap between two samples is counted in whole
scrape intervals, rounded (gap_tolerance_s): one missed scrape, its neighbours stamped up to
half an interval early or late (a busy machine's scrape loop), is jitter and the time counts as
known; two missed scrapes are a hole, whose unknown part starts one interval after the sample
before it.
The window's edges are holes too when the first sample comes late or the last one early. At
the window's end (usually now) the newest sample may lie a scrape timeout further back still:
a scrape's sample is stamped when it starts and stored when it ends, seconds later on a loaded
machine (end_tolerance_s). The scrape interval is read from the samples themselves (the median
spacing of each series).
"""

from __future__ import annotations

import bisect
import heapq
import statistics
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import compress, repeat
from operator import gt, lt, ne, sub
from typing import Generic, TypeVar

from burnin.schedule import Window
from burnin.series import Points

T = TypeVar("T")
HOLE_FACTOR = 2.0
# How late (or early) a scrape may be stamped, in intervals: counted to the nearest interval.
LATE_FACTOR = 0.5
# Fewer samples than this cannot tell a scrape interval, let alone speak for a window.
MIN_SAMPLES = 3
# Prometheus's default scrape_timeout; it never lets a timeout exceed the scrape interval.
DEFAULT_SCRAPE_TIMEOUT_S = 10.0


def scrape_timeout_s(interval_s: float) -> float:
    """How long a scrape may take before its sample is stored: Prometheus's default timeout,
    never more than the interval."""
    return min(DEFAULT_SCRAPE_TIMEOUT_S, interval_s)


def gap_tolerance_s(interval_s: float) -> float:
    """The longest gap between two samples (or from the window's start to the first) that is not
    a hole: HOLE_FACTOR intervals (one missed scrape) and LATE_FACTOR (half an interval) more.
    Scrapes run on a fixed grid, stamped when they start; on a loaded machine a scrape starts
    late, so a missed scrape's gap is 31 s as often as 30 s at a 15 s interval. Rounded to whole
    intervals, 31 s is still one scrape missed; 45 s (two missed) is a hole however its
    neighbours lie."""
    return (HOLE_FACTOR + LATE_FACTOR) * interval_s


def end_tolerance_s(interval_s: float) -> float:
    """How far before the window's end the newest sample may lie without a hole there: a missed
    scrape (HOLE_FACTOR intervals, as anywhere) plus a scrape still in flight (its timeout) or
    started late (half an interval, as anywhere), whichever is longer: never less than a gap
    allows. A last scrape 1.5 intervals back is not monitoring lost; 3 intervals back is a hole
    (with the default timeout and an interval of 10 s or more)."""
    return HOLE_FACTOR * interval_s + max(scrape_timeout_s(interval_s), LATE_FACTOR * interval_s)


@dataclass(frozen=True)
class Coverage:
    """Known and unknown time of one window, from the sample timestamps of a series family."""

    series: str  # the selector whose samples these are, for messages
    window: Window
    samples: int
    interval_s: float | None  # None: too few samples to tell
    first: float | None
    last: float | None
    holes: tuple[tuple[float, float], ...]  # unknown stretches, epoch seconds, in time order

    @property
    def window_s(self) -> float:
        return max(1.0, self.window.duration.total_seconds())

    @property
    def unknown_s(self) -> float:
        if self.interval_s is None:
            return self.window_s
        return sum(end - start for start, end in self.holes)

    @property
    def known_s(self) -> float:
        return self.window_s - self.unknown_s

    @property
    def percent(self) -> float:
        return 100.0 * self.known_s / self.window_s

    @property
    def widest_hole_s(self) -> float:
        if self.interval_s is None:
            return self.window_s
        return max((end - start for start, end in self.holes), default=0.0)

    def known_spans(self) -> list[tuple[float, float]]:
        """The window minus its holes, as (start, end) epoch seconds."""
        if self.interval_s is None:
            return []
        spans, cursor = [], self.window.start.timestamp()
        for start, end in self.holes:
            if start > cursor:
                spans.append((cursor, start))
            cursor = max(cursor, end)
        if self.window.end.timestamp() > cursor:
            spans.append((cursor, self.window.end.timestamp()))
        return spans

    def unknown_within(self, start: float, end: float) -> float:
        """Unknown seconds inside [start, end]."""
        if self.interval_s is None:
            return max(0.0, end - start)
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.holes)

    def describe(self) -> str:
        """'22.00 of 24.00 h covered (91.67 %); holes: 20:00-22:00Z (2.00 h, to the window's end)'"""
        hours = self.window_s / 3600
        if self.interval_s is None:
            return f"{self.samples} sample(s) of {self.series} in the {hours:.2f} h window"
        text = (
            f"{self.known_s / 3600:.2f} of {hours:.2f} h covered ({self.percent:.2f} %), "
            f"scrape interval {self.interval_s:g} s"
        )
        if self.holes:
            shown = [self._hole_text(a, b) for a, b in self.holes[:3]]
            more = f" and {len(self.holes) - 3} more" if len(self.holes) > 3 else ""
            text += f"; holes: {', '.join(shown)}{more}"
        return text

    def _hole_text(self, start: float, end: float) -> str:
        where = ""
        if start <= self.window.start.timestamp():
            where = ", from the window's start"
        elif end >= self.window.end.timestamp():
            where = ", to the window's end"
        return f"{_stamp(start)}..{_stamp(end)} ({_duration(end - start)}{where})"

    def values(self) -> dict[str, object]:
        """For evidence: plain numbers."""
        return {
            "series": self.series,
            "samples": self.samples,
            "scrape_interval_s": self.interval_s,
            "first_sample": None if self.first is None else _stamp(self.first),
            "last_sample": None if self.last is None else _stamp(self.last),
            "covered_percent": round(self.percent, 3),
            "unknown_s": round(self.unknown_s, 1),
            "holes": [[_stamp(a), _stamp(b)] for a, b in self.holes[:20]],
        }


def _stamp(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.2f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"


class ByArray(Generic[T]):
    """A function of a series' numbers, kept per array object while the array lives: a fleet's
    raw answers share their arrays (burnin.series.Interner: a bot's families one times array),
    so a bot's criteria ask the same question of one array many times over. An array is never
    written to once decoded; an entry goes when its array does (a weak reference: nothing is
    kept alive for the sake of this). Other sequences (lists) are answered each time."""

    def __init__(self, function: Callable[[Sequence[float]], T]) -> None:
        self._function = function
        self._kept: dict[int, tuple[weakref.ref[array[float]], T]] = {}

    def __call__(self, numbers: Sequence[float]) -> T:
        if not isinstance(numbers, array):
            return self._function(numbers)
        key = id(numbers)
        found = self._kept.get(key)
        if found is not None and found[0]() is numbers:
            return found[1]
        value = self._function(numbers)
        self._kept[key] = (weakref.ref(numbers, partial(self._forget, key)), value)
        return value

    def __len__(self) -> int:
        return len(self._kept)

    def _forget(self, key: int, gone: weakref.ref[array[float]]) -> None:
        if self._kept.get(key, (None,))[0] is gone:  # not a newer array given the same id
            self._kept.pop(key, None)


def _indices_where(
    compare: Callable[[float, float], bool],
) -> Callable[[Sequence[float]], list[int]]:
    """Each index i >= 1 where compare(numbers[i], numbers[i - 1]) (run in C)."""

    def indices(numbers: Sequence[float]) -> list[int]:
        return list(compress(range(1, len(numbers)), map(compare, numbers[1:], numbers)))

    return indices


# Whether the times only rise (as Prometheus answers a series' samples).
increasing: ByArray[bool] = ByArray(lambda times: all(map(lt, times, times[1:])))
# Each index i >= 1 whose value differs from the one before.
changes: ByArray[list[int]] = ByArray(_indices_where(ne))
# Each index i >= 1 whose value is below the one before (a counter's reset).
falls: ByArray[list[int]] = ByArray(_indices_where(lt))


def times_of(points: Sequence[tuple[float, float]]) -> Sequence[float]:
    """A series' sample times: the array itself of Points (no copy), else a list."""
    return points.times if isinstance(points, Points) else [t for t, _ in points]


def columns(points: Sequence[tuple[float, float]]) -> tuple[Sequence[float], Sequence[float]]:
    """A series' times and values apart: the arrays themselves of Points (no copy)."""
    if isinstance(points, Points):
        return points.times, points.values
    return [t for t, _ in points], [v for _, v in points]


def _gaps_over(times: Sequence[float], tolerance: float) -> Iterable[int]:
    """Each index i >= 1 whose time lies more than `tolerance` after the one before (the
    comparisons run in C: a day of 15-second samples in a fraction of a millisecond), kept per
    array and tolerance (a bot's families share their times)."""
    kept = _gaps_of_array(times)  # a fresh dict for a list
    if tolerance not in kept:
        kept[tolerance] = _gap_indices(times, tolerance)
    return kept[tolerance]


def _gap_indices(times: Sequence[float], tolerance: float) -> list[int]:
    after = map(gt, map(sub, times[1:], times), repeat(tolerance))
    return list(compress(range(1, len(times)), after))


_gaps_of_array: ByArray[dict[float, list[int]]] = ByArray(lambda _times: {})


def _within(times: Sequence[float], first: int, last: int) -> Sequence[float]:
    """times[first:last], the sequence itself when that is all of it (an array kept as is
    keeps what is known of it)."""
    return times if first == 0 and last == len(times) else times[first:last]


def _median_spacing(times: Sequence[float]) -> float | None:
    """The median spacing of one series' samples; None under MIN_SAMPLES or no spacing."""
    ordered = times if increasing(times) else sorted(times)
    gaps = [gap for gap in map(sub, ordered[1:], ordered) if gap > 0]
    return statistics.median(gaps) if len(ordered) >= MIN_SAMPLES and gaps else None


_spacing_of_array = ByArray(_median_spacing)


def scrape_interval(series_times: Iterable[Sequence[float]]) -> float | None:
    """The largest of the per-series median spacings; None when no series has 3 samples."""
    medians = [m for m in map(_spacing_of_array, series_times) if m is not None]
    return max(medians) if medians else None


def coverage_of(series: str, series_times: Iterable[Sequence[float]], window: Window) -> Coverage:
    """The coverage of `window` by the samples of every series in `series_times` together
    (each a sequence of times: a list, or a Points' array as is)."""
    per_series = [t if isinstance(t, list | array) else list(t) for t in series_times]
    interval = scrape_interval(per_series)
    start, end = window.start.timestamp(), window.end.timestamp()
    if len(per_series) == 1 and increasing(per_series[0]):
        merged: Sequence[float] = per_series[0]
    else:
        merged = sorted(set().union(*per_series))
    times = _within(merged, bisect.bisect_left(merged, start), bisect.bisect_right(merged, end))
    if interval is None or not times:
        return Coverage(series, window, len(times), None, None, None, ((start, end),))
    tolerance = gap_tolerance_s(interval)
    holes: list[tuple[float, float]] = []
    if times[0] - start > tolerance:
        holes.append((start, times[0]))
    holes.extend((times[i - 1] + interval, times[i]) for i in _gaps_over(times, tolerance))
    if end - times[-1] > end_tolerance_s(interval):
        holes.append((times[-1] + interval, end))
    return Coverage(series, window, len(times), interval, times[0], times[-1], tuple(holes))


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of known time and the value held over it."""

    start: float
    end: float
    value: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def held(points: Sequence[tuple[float, float]], coverage: Coverage) -> list[Stretch]:
    """Each sample's value held over the known time it stands for: until the next sample (or
    the window's end, within end_tolerance_s), or for one scrape interval before a hole; the
    first sample also stands for a late start shorter than a hole. The stretches add up to
    `coverage.known_s`; touching stretches of one value are one (a healthy day of 15-second
    samples is one stretch, not 5,760).

    Samples in time order (Prometheus's) are read in runs: a new stretch starts only where the
    value changes or a hole opens (found in C), so a day of one value costs one stretch's
    work; other input is held sample by sample (held_each), to the same stretches."""
    interval = coverage.interval_s
    window_start, window_end = coverage.window.start.timestamp(), coverage.window.end.timestamp()
    times, values = columns(points)
    if not increasing(times):
        return held_each(points, coverage)
    first_in = bisect.bisect_left(times, window_start)
    last_in = bisect.bisect_right(times, window_end)
    times, values = _within(times, first_in, last_in), _within(values, first_in, last_in)
    if interval is None or not times:
        return []
    tolerance = gap_tolerance_s(interval)
    count = len(times)
    breaks = sorted({*_gaps_over(times, tolerance), *changes(values)})
    stretches: list[Stretch] = []
    # Each run of samples [first, last]: one value, no hole between them. Its stretch starts
    # where its first sample's would and ends where its last sample's would (held_each).
    for first, last in zip([0, *breaks], [*(i - 1 for i in breaks), count - 1], strict=True):
        late_start = first == 0 and times[0] - window_start <= tolerance
        start = window_start if late_start else times[first]
        t = times[last]
        if last == count - 1:
            following, reach = window_end, end_tolerance_s(interval)
        else:
            following, reach = times[last + 1], tolerance
        end = min(following if following - t <= reach else t + interval, window_end)
        # A last sample at the window's very end stands for no time: the value held is the
        # one before it (its stretch already reaches the end).
        value = values[last - 1] if last > first and end <= t else values[last]
        if end > start:
            stretches.append(Stretch(start, end, value))
    return stretches


def held_each(points: Sequence[tuple[float, float]], coverage: Coverage) -> list[Stretch]:
    """held(), sample by sample: for samples in any order (the rule as first written)."""
    interval = coverage.interval_s
    window_start, window_end = coverage.window.start.timestamp(), coverage.window.end.timestamp()
    ordered = sorted((t, v) for t, v in points if window_start <= t <= window_end)
    if interval is None or not ordered:
        return []
    tolerance = gap_tolerance_s(interval)
    stretches: list[Stretch] = []
    for i, (t, value) in enumerate(ordered):
        start = window_start if i == 0 and t - window_start <= tolerance else t
        last = i + 1 == len(ordered)
        following = window_end if last else ordered[i + 1][0]
        reach = end_tolerance_s(interval) if last else tolerance
        end = min(following if following - t <= reach else t + interval, window_end)
        if end <= start:
            continue
        if stretches and stretches[-1].end == start and stretches[-1].value == value:
            stretches[-1] = Stretch(stretches[-1].start, end, value)  # the value still held
        else:
            stretches.append(Stretch(start, end, value))
    return stretches


def lowest_of(timelines: Sequence[Sequence[Stretch]]) -> list[Stretch]:
    """Several series' stretches as one timeline: at every moment the lowest value any series
    holds then (one bot down is down, whatever its other series say); known where any is.
    One sweep over the stretches' edges with a heap of the values held: a day of 15-second
    samples from many series takes a moment, not minutes (checking every stretch at every
    edge took 15 s for three series)."""
    if len(timelines) == 1:
        return list(timelines[0])
    # (time, 0 = a stretch ends / 1 = one starts, value): ends before starts at the same time
    edges = sorted(
        (x, kind, s.value)
        for line in timelines
        for s in line
        if s.end > s.start
        for x, kind in ((s.start, 1), (s.end, 0))
    )
    held: Counter[float] = Counter()
    lowest: list[float] = []
    merged: list[Stretch] = []
    i = 0
    while i < len(edges):
        moment = edges[i][0]
        while i < len(edges) and edges[i][0] == moment:
            _, kind, value = edges[i]
            if kind:
                held[value] += 1
                heapq.heappush(lowest, value)
            else:
                held[value] -= 1
            i += 1
        while lowest and held[lowest[0]] <= 0:
            heapq.heappop(lowest)
        if i == len(edges) or not lowest:
            continue
        value, until = lowest[0], edges[i][0]
        if merged and merged[-1].end == moment and merged[-1].value == value:
            merged[-1] = Stretch(merged[-1].start, until, value)
        else:
            merged.append(Stretch(moment, until, value))
    return merged


def with_unknown_as(stretches: Sequence[Stretch], window: Window, value: float) -> list[Stretch]:
    """The stretches with every unknown part of the window filled with `value` (the worst case
    a hole could hide)."""
    filled: list[Stretch] = []
    cursor = window.start.timestamp()
    for stretch in sorted(stretches, key=lambda s: s.start):
        if stretch.start > cursor:
            filled.append(Stretch(cursor, stretch.start, value))
        filled.append(stretch)
        cursor = max(cursor, stretch.end)
    if window.end.timestamp() > cursor:
        filled.append(Stretch(cursor, window.end.timestamp(), value))
    return filled
