"""End-to-end tests bring the sandbox production up themselves and take it down at the end.

Each test names the scenario it needs with `@pytest.mark.scenario(NAME)`; the tests here run
grouped by scenario (healthy first), so one sandbox `up` serves every test of its scenario; those
marked `disturbs` (a stopped or restarted Prometheus leaves a hole in the data) last of theirs."""

from __future__ import annotations

import os

import pytest

HERE = os.path.dirname(__file__)


def scenario_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("scenario")
    return marker.args[0] if marker else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slots = [i for i, item in enumerate(items) if str(item.path).startswith(HERE)]
    ours = [items[i] for i in slots]
    # Tests that leave a hole in the sandbox's data (a stopped Prometheus) run last of their
    # scenario: a later test's window would otherwise hold their hole.
    ours.sort(
        key=lambda item: (
            scenario_of(item) != "healthy",
            scenario_of(item),
            item.get_closest_marker("disturbs") is not None,
        )
    )
    for slot, item in zip(slots, ours, strict=True):
        items[slot] = item
