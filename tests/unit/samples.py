"""Raw Prometheus samples for the unit tests: scrape grids with holes, and the Coverage and
SeriesSamples the judges take, built the way measure_samples builds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from burnin.config.access import HttpAccess
from burnin.coverage import Coverage, coverage_of
from burnin.criteria.connection import SeriesSamples
from burnin.schedule import Window
from burnin.series import Series

T = TypeVar("T")

SELECTOR = 'bot_connected{env="production"}'
STEP_S = 15


def grid(first_s: float, last_s: float, step_s: float = STEP_S) -> list[float]:
    """Scrape times every step from first to last, both included."""
    count = int((last_s - first_s) // step_s) + 1
    return [first_s + n * step_s for n in range(count)]


def window_grid(window: Window, step_s: float = STEP_S) -> list[float]:
    return grid(window.start.timestamp(), window.end.timestamp(), step_s)


def without(times: Iterable[float], start_s: float, end_s: float) -> list[float]:
    """The times minus those strictly inside (start_s, end_s): a hole between two scrapes."""
    return [t for t in times if not start_s < t < end_s]


def with_hole(window: Window, after_s: float, hole_s: float) -> list[float]:
    """A full grid whose scrapes stop `after_s` into the window and resume so that exactly
    `hole_s` seconds are unknown (a hole starts one interval after the last scrape before it).
    Both must be multiples of the step, `hole_s` more than one step."""
    before = window.start.timestamp() + after_s
    return without(window_grid(window), before, before + hole_s + STEP_S)


def connected(times: Iterable[float], value: float = 1.0) -> list[tuple[float, float]]:
    return [(t, value) for t in times]


def down_between(times: Iterable[float], start_s: float, end_s: float) -> list[tuple[float, float]]:
    """Connected everywhere but in [start_s, end_s), where the samples say 0."""
    return [(t, 0.0 if start_s <= t < end_s else 1.0) for t in times]


def coverage(
    window: Window, times: Sequence[float] | None = None, selector: str = SELECTOR
) -> Coverage:
    """The coverage of `window` by one series scraped at `times` (a full grid by default)."""
    return coverage_of(selector, [window_grid(window) if times is None else list(times)], window)


def series_samples(
    window: Window, *series_points: list[tuple[float, float]], selector: str = SELECTOR
) -> SeriesSamples:
    series = [Series({"instance": f"bot{n}"}, list(p)) for n, p in enumerate(series_points)]
    times = ([t for t, _ in s.points] for s in series)
    return SeriesSamples(selector, series, coverage_of(selector, times, window))


class FakePrometheus:
    """Stands in for PrometheusProbe in measure_* functions: canned raw samples per selector,
    scalars per query, alerting rules; records what was asked, in order."""

    url = "http://prometheus.example:9090"
    where = url
    access = HttpAccess("prometheus")
    rules_wait = None  # rules all evaluated when asked

    def __init__(
        self,
        raw: dict[str, list[Series]] | None = None,
        scalars: dict[str, float | None] | None = None,
        rules: Sequence[object] = (),
    ) -> None:
        self.raw = raw or {}
        self.scalars = scalars or {}
        self.rules = list(rules)
        self.asked: list[str] = []

    def samples(
        self, selector: str, window: Window, keep: Callable[[Series], bool] = lambda _s: True
    ) -> list[Series]:
        self.asked.append(f"{selector}{window.promql_range()}")
        return [s for s in self.raw.get(selector, []) if keep(s)]

    def scalar(self, query: str, at: object) -> float | None:
        self.asked.append(query)
        return self.scalars.get(query)

    def range(self, query: str, start: object, end: object, step_s: int) -> list[Series]:
        self.asked.append(f"range {query}")
        return []

    def stack_answer(self, url: str, fetch: Callable[[], T]) -> T:
        return fetch()

    def alerting_rules(self) -> list[object]:
        self.asked.append("rules")
        return self.rules
