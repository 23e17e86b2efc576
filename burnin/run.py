"""Everything one run of the suite is told: thresholds, the target, the moment judged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from burnin.config import Phase, Target, Thresholds
from burnin.promql import Metrics, parse_selector
from burnin.window import Window, phase_window


@dataclass(frozen=True)
class RunSettings:
    thresholds: Thresholds
    target: Target
    at: datetime | None  # --at: judge this past moment instead of now
    started: datetime

    @property
    def metrics(self) -> Metrics:
        return Metrics(parse_selector(self.target["selector"]), self.target["metric_prefix"])

    def phase(self, name: str) -> Phase:
        return self.thresholds.phases[name]

    def window(self, phase_name: str) -> Window:
        return phase_window(self.phase(phase_name), self.target.deployed_at, self.at, self.started)

    def file_setting(self, key: str) -> Path | None:
        return self.target.path(key)


def now() -> datetime:
    return datetime.now(UTC)
