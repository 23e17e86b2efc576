"""Tiers from the spec's Target / Acceptable / Critical table, and the band a value falls in."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class Band(enum.Enum):
    """Where an observation lands. The last three are not judgements of the service."""

    TARGET = "target"
    ACCEPTABLE = "acceptable"
    DEGRADED = "degraded"  # between acceptable and critical: a yellow flag
    CRITICAL = "critical"  # past the critical line: a red flag
    NO_DATA = "no_data"  # the source answered but had nothing to judge
    SOURCE_ERROR = "source_error"  # the observer is broken: a test error, not a failure
    SKIPPED = "skipped"  # an optional metric or setting the deployment does not have
    PENDING = "pending"  # a manual item nobody has recorded yet

    @property
    def passes(self) -> bool:
        return self in (Band.TARGET, Band.ACCEPTABLE)


class Better(enum.Enum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Tiers:
    """Three lines on one axis.

    Lower-is-better: TARGET when value <= target; ACCEPTABLE when value < acceptable; CRITICAL
    when value > critical; DEGRADED in between. Higher-is-better mirrors it. "0 restarts" is
    target = acceptable = critical = 0. `target` None: the spec names no target line (CPU).
    `stable_within`: memory-growth's stable line (thresholds.toml). Its judge applies it, not
    `band`: a TARGET there needs the slope's confidence interval, which one value does not have.
    """

    metric: str
    unit: str
    better: Better
    acceptable: float
    critical: float
    target: float | None = None
    stable_within: float | None = None

    def band(self, value: float) -> Band:
        if math.isnan(value):
            raise ValueError(f"{self.metric}: NaN has no band; the criterion must report NO_DATA")
        sign = 1.0 if self.better is Better.LOWER else -1.0
        scaled = sign * value
        if self.target is not None and scaled <= sign * self.target:
            return Band.TARGET
        if scaled < sign * self.acceptable:
            return Band.ACCEPTABLE
        if scaled > sign * self.critical:
            return Band.CRITICAL
        return Band.DEGRADED

    def describe(self) -> str:
        """The thresholds as the spec writes them, e.g. 'target 100 %, acceptable > 99.9 %'."""
        if self.better is Better.LOWER:
            good, bad = "<", ">"
        else:
            good, bad = ">", "<"
        parts = []
        if self.target is not None:
            parts.append(f"target {_num(self.target)} {self.unit}")
        if self.target is not None and self.acceptable == self.target:
            parts.append(f"acceptable {_num(self.acceptable)} {self.unit}")
        else:
            parts.append(f"acceptable {good} {_num(self.acceptable)} {self.unit}")
        parts.append(f"critical {bad} {_num(self.critical)} {self.unit}")
        return ", ".join(parts)


def _num(value: float) -> str:
    return f"{value:g}"
