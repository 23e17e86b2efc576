"""Evidence, the verdict of one criterion, and the overall verdict of a run."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from burnin.bands import Band, Tiers
from burnin.schedule import Window


@dataclass(frozen=True)
class Evidence:
    """What one probe saw: the exact query or command, and the raw values it returned."""

    source: str  # "prometheus", "health", "ssh"
    query: str  # PromQL, shell command or URL
    values: Mapping[str, Any] = field(default_factory=dict)
    excerpt: str = ""  # text worth reading as is (journal lines)

    def describe(self) -> str:
        return f"{self.source}: {self.query}"


@dataclass(frozen=True)
class Verdict:
    criterion: str
    band: Band
    observed: float | str | None
    unit: str
    threshold: str
    cause: str = ""
    window: Window | None = None
    evidence: tuple[Evidence, ...] = ()
    digits: int = 4  # significant digits of a float observed value

    @classmethod
    def from_tiers(
        cls,
        criterion: str,
        value: float,
        tiers: Tiers,
        window: Window | None,
        evidence: Iterable[Evidence],
        cause: str = "",
    ) -> Verdict:
        return cls(
            criterion,
            tiers.band(value),
            value,
            tiers.unit,
            tiers.describe(),
            cause,
            window,
            tuple(evidence),
            digits_for(value, tiers),
        )

    @property
    def observed_text(self) -> str:
        if self.observed is None:
            return "no value"
        if isinstance(self.observed, float):
            return f"{self.observed:.{self.digits}g} {self.unit}".strip()
        return f"{self.observed} {self.unit}".strip()

    def message(self) -> str:
        """One block with everything needed to judge the judgement."""
        head = f"{self.criterion}: {self.band.name}"
        if self.band in (Band.NO_DATA, Band.SOURCE_ERROR, Band.SKIPPED, Band.PENDING):
            head += f": {self.cause}"
        else:
            head += f": observed {self.observed_text}; threshold {self.threshold}"
            if self.cause:
                head += f"; {self.cause}"
        lines = [head]
        if self.window is not None:
            lines.append(f"  window: {self.window}")
        for item in self.evidence:
            lines.append(f"  {item.describe()}")
            if item.excerpt:
                lines.extend("    | " + line for line in item.excerpt.splitlines()[:20])
        return "\n".join(lines)


def digits_for(value: float, tiers: Tiers, least: int = 4, most: int = 12) -> int:
    """As many significant digits as the band needs: the printed value sits on the same side
    of every line as the value itself (99.896 % is not printed as "99.9 %" beside
    "> 99.9 %")."""
    lines = [x for x in (tiers.target, tiers.acceptable, tiers.critical) if x is not None]
    for digits in range(least, most + 1):
        shown = float(f"{value:.{digits}g}")
        if all(
            (shown > line) - (shown < line) == (value > line) - (value < line) for line in lines
        ):
            return digits
    return most


def no_data(
    criterion: str, cause: str, window: Window | None, evidence: Iterable[Evidence]
) -> Verdict:
    return Verdict(criterion, Band.NO_DATA, None, "", "", cause, window, tuple(evidence))


class Nagios(enum.IntEnum):
    """A run as monitoring systems read it (`--exit-status nagios`)."""

    OK = 0
    WARNING = 1  # degraded, or a pending manual item
    CRITICAL = 2
    UNKNOWN = 3  # a source error or no data: the observer could not tell


def nagios(bands: Iterable[Band], interrupted: bool = False) -> Nagios:
    """CRITICAL if anything is critical; UNKNOWN if a source failed, data was missing, the run
    was interrupted or nothing was judged; WARNING if anything is degraded or pending; else OK."""
    seen = set(bands)
    if Band.CRITICAL in seen:
        return Nagios.CRITICAL
    judged = seen & {Band.TARGET, Band.ACCEPTABLE, Band.DEGRADED}
    if interrupted or seen & {Band.NO_DATA, Band.SOURCE_ERROR} or not judged:
        return Nagios.UNKNOWN
    if seen & {Band.DEGRADED, Band.PENDING}:
        return Nagios.WARNING
    return Nagios.OK


# What the `judge` fixture hands a criterion test: pass, skip or fail the test by the verdict.
Judge = Callable[[Verdict], None]
