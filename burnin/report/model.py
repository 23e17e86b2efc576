"""RunRecord: everything the report needs about one run, gathered once, typed, and free of pytest."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import Thresholds
from burnin.decision import Decision, Outcome, Overall, decide
from burnin.history import RunRow
from burnin.redact import redact_url
from burnin.report.links import Consoles
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Verdict

# The spec's "Decision" line of each checkpoint, by outcome.
PHASE_DECISION = {
    "6h": {
        Decision.PASS: "Continue monitoring",
        Decision.AWAITING_SIGNOFF: "Continue monitoring; the team's sign-off is still open",
        Decision.PARTIAL: "Investigate issues",
        Decision.FAIL: "Investigate issues",
        Decision.CANNOT_DECIDE: "Cannot decide: fix the observer's access and rerun",
    },
    "12h": {
        Decision.PASS: "Continue to 24 hours",
        Decision.AWAITING_SIGNOFF: "Continue to 24 hours; the team's sign-off is still open",
        Decision.PARTIAL: "Continue to 24 hours, watching the issues",
        Decision.FAIL: "Rollback",
        Decision.CANNOT_DECIDE: "Cannot decide: fix the observer's access and rerun",
    },
    "24h": {
        Decision.PASS: "Declare Sprint 6 success, move to Sortie 11",
        Decision.AWAITING_SIGNOFF: "Healthy so far: declare success once the team signs off",
        Decision.PARTIAL: "Fix issues, extend monitoring",
        Decision.FAIL: "Rollback, investigate, retry",
        Decision.CANNOT_DECIDE: "Cannot decide: fix the observer's access and rerun",
    },
}


# Bands from the worst news to the best: which of a fleet's rows stands for a criterion.
WORST_FIRST = (
    Band.CRITICAL,
    Band.SOURCE_ERROR,
    Band.NO_DATA,
    Band.DEGRADED,
    Band.PENDING,
    Band.ACCEPTABLE,
    Band.TARGET,
    Band.SKIPPED,
)

# The order the report lists what did not pass in: what the sources proved wrong with the bot
# first (a reviewer's first screen), then what could not be judged, then what waits for people.
PROVEN_FIRST = (
    Band.CRITICAL,
    Band.DEGRADED,
    Band.SOURCE_ERROR,
    Band.NO_DATA,
    Band.PENDING,
)


@dataclass(frozen=True)
class CriterionResult:
    """One test row: the verdict when the criterion judged, else only its band and the failure."""

    nodeid: str
    criterion: str  # catalogue id, e.g. "uptime"
    phase: str  # "24h"
    band: Band
    verdict: Verdict | None = None
    detail: str = ""  # the failure text when there is no verdict (a source that is down)
    bot: str = ""  # the fleet's bot it judged ("": the target's one bot, or the whole fleet)

    @property
    def place(self) -> str:
        """`[24h]`, or `[bot-3 24h]` for one bot of a fleet."""
        return f"[{self.bot} {self.phase}]" if self.bot else f"[{self.phase}]"

    @property
    def title(self) -> str:
        known = CRITERIA.get(self.criterion)
        return known.title if known else self.criterion

    @property
    def observed_text(self) -> str:
        if self.verdict is None:
            return "no value"
        return self.verdict.observed_text

    @property
    def shown_value(self) -> str:
        """The value as the report's tables show it: words where nothing was measured."""
        if self.band is Band.SOURCE_ERROR:
            return "source error"
        if self.band is Band.SKIPPED:
            return "not measured"
        if self.verdict is None or self.verdict.observed is None:
            return "no data"
        return self.verdict.observed_text

    @property
    def cause(self) -> str:
        if self.verdict is not None:
            return self.verdict.cause
        return self.detail.strip().splitlines()[0] if self.detail.strip() else ""

    @property
    def queries(self) -> list[str]:
        return [] if self.verdict is None else [e.query for e in self.verdict.evidence]

    def values(self, key: str) -> list[Any]:
        """Every evidence value stored under `key`, in evidence order."""
        if self.verdict is None:
            return []
        return [e.values[key] for e in self.verdict.evidence if key in e.values]


@dataclass(frozen=True)
class RangeAnswer:
    """One range query a criterion asked, with Prometheus' answer (kept by the probe)."""

    query: str
    start: datetime
    end: datetime
    step_s: int
    series: tuple[Series, ...]


@dataclass(frozen=True)
class RunRecord:
    target: str
    windows: Mapping[str, Window]  # phase -> window, for the phases that ran
    started: datetime
    finished: datetime
    validator: str
    thresholds: Thresholds
    results: tuple[CriterionResult, ...]
    environment: tuple[tuple[str, str], ...] = ()
    ranges: Mapping[str, RangeAnswer] = field(default_factory=dict)  # "bot_connected" -> answer
    interrupted: bool = False
    version: str = ""  # burnin's
    earlier: tuple[RunRow, ...] = ()  # this deployment's recorded runs (the run history)
    # Where a reader asks each bot's sources again ("": the target's one bot, and fleet-wide rows).
    consoles: Mapping[str, Consoles] = field(default_factory=dict)
    # `--shard I/N`: this record is one shard of the fleet's run ("": the whole run), and the
    # fleet's bots in order (a shard's rows name only its own).
    shard: str = ""
    fleet_bots: tuple[str, ...] = ()

    @property
    def shard_note(self) -> str:
        """What a shard's record covers, in words (every artefact says it): "" for a whole run."""
        if not self.shard:
            return ""
        mine = self.bots
        shown = ", ".join(mine[:5]) + (f", ... ({len(mine)})" if len(mine) > 5 else "")
        return (
            f"Shard {self.shard} of the fleet only: {len(mine)} of {len(self.fleet_bots)} bots "
            f"({shown}). Not the fleet's verdict: join every shard's JSON with "
            "`python -m burnin merge`"
        )

    @property
    def phases(self) -> list[str]:
        return list(self.windows)

    def consoles_of(self, row: CriterionResult) -> Consoles:
        """The Prometheus and dashboard a row's numbers can be asked of again."""
        return self.consoles.get(row.bot) or self.consoles.get("") or Consoles()

    @property
    def timezone(self) -> ZoneInfo:
        return self.thresholds.traffic.timezone

    @cached_property
    def outcome(self) -> Outcome:
        """State, decision and recommendation (burnin.decision): the same in every artefact."""
        return decide(self.results)

    @property
    def overall(self) -> Overall:
        return self.outcome.overall

    @property
    def decision(self) -> Decision:
        return self.outcome.decision

    @property
    def recommendation(self) -> str:
        return self.outcome.recommendation

    def phase_decision(self, phase: str) -> str:
        table = PHASE_DECISION.get(phase)
        return table[self.decision] if table else self.recommendation

    @property
    def counts(self) -> Counter[Band]:
        return Counter(r.band for r in self.results)

    @property
    def failed(self) -> list[CriterionResult]:
        """Rows that did not pass and were not skipped: the issues."""
        return [r for r in self.results if not r.band.passes and r.band is not Band.SKIPPED]

    def result(self, criterion: str, phase: str | None = None) -> CriterionResult | None:
        """The criterion's row (of the phase); in a fleet, the worst bot's."""
        rows = self.rows(criterion, phase)
        return min(rows, key=lambda r: WORST_FIRST.index(r.band)) if rows else None

    def rows(self, criterion: str, phase: str | None = None) -> list[CriterionResult]:
        """The criterion's rows (of the phase): one per bot."""
        return [r for r in self.results if r.criterion == criterion and phase in (None, r.phase)]

    @property
    def bots(self) -> list[str]:
        """A fleet's bots, in the order they ran (empty for a target of one bot)."""
        return list(dict.fromkeys(r.bot for r in self.results if r.bot))

    def fleet(self) -> list[tuple[str, Overall, list[CriterionResult]]]:
        """Each bot of a fleet: its overall state and the rows it did not pass."""
        summary = []
        for bot in self.bots:
            mine = [r for r in self.results if r.bot == bot]
            failed = [r for r in mine if not r.band.passes and r.band is not Band.SKIPPED]
            summary.append((bot, decide(mine).overall, failed))
        return summary

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    @property
    def report_date(self) -> str:
        ends = [w.end for w in self.windows.values()] or [self.started]
        return f"{self.local(max(ends)):%Y-%m-%d}"

    @property
    def main_window(self) -> Window | None:
        """The longest window that ran: the one plots and the timeline cover."""
        if not self.windows:
            return None
        return max(self.windows.values(), key=lambda w: w.seconds)

    @property
    def title(self) -> str:
        phases = ", ".join(self.phases) or "no phase"
        target = f"{self.target} (shard {self.shard})" if self.shard else self.target
        return f"Production Validation Report — {target} — {phases} — {self.report_date}"


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


def deployed_version(results: Iterable[CriterionResult]) -> str | None:
    """The version the health endpoint reported, from any health evidence in the run."""
    for row in results:
        for payload in row.values("payload"):
            if isinstance(payload, Mapping) and payload.get("version"):
                return str(payload["version"])
    return None


def name_ranges(
    answers: Iterable[RangeAnswer], queries: Mapping[str, str]
) -> dict[str, RangeAnswer]:
    """Pick the cached answers the plots know by name (`queries`: name -> exact PromQL); the
    longest answer wins when one query was asked over several windows."""
    wanted = {query: name for name, query in queries.items()}
    named: dict[str, RangeAnswer] = {}
    for answer in answers:
        name = wanted.get(answer.query)
        if name is None:
            continue
        keep_longest(named, name, answer)
    return named


def keep_longest(named: dict[str, RangeAnswer], name: str, answer: RangeAnswer) -> None:
    """Keep `answer` under `name` unless an answer over a longer window is there already."""
    current = named.get(name)
    if current is None or answer.end - answer.start > current.end - current.start:
        named[name] = answer


def _ssh_host(values: Mapping[str, Any]) -> str:
    host = str(values.get("ssh_host", ""))
    if not host:
        return ""
    user = values.get("ssh_user") or ""
    port = values.get("ssh_port") or 0
    return f"{user + '@' if user else ''}{host}{f':{port}' if port else ''}"


def environment_rows(
    target: str,
    target_values: Mapping[str, Any],
    windows: Mapping[str, Window],
    zone: ZoneInfo,
    version: str | None,
    thresholds_path: Path,
    burnin_version: str,
    validator: str,
) -> list[tuple[str, str]]:
    """The report's environment table: what was judged, when, from which sources, by which rules."""
    rows = [("Target", target), ("Validator", validator)]
    for phase, window in windows.items():
        start, end = window.start.astimezone(zone), window.end.astimezone(zone)
        rows.append(
            (f"Window {phase} start", start.isoformat(timespec="seconds") + f" ({zone.key})")
        )
        rows.append((f"Window {phase} end", end.isoformat(timespec="seconds") + f" ({zone.key})"))
    expected = target_values.get("version") or ""
    shown = version or "unknown (health endpoint not read)"
    if expected:
        shown += f" (expected {expected})"
    rows.append(("Deployed version", shown))
    for key, label in (
        ("health_url", "Health URL"),
        ("prometheus_url", "Prometheus URL"),
        ("alertmanager_url", "Alertmanager URL"),
        ("dashboard_url", "Dashboard URL"),
    ):
        if target_values.get(key):
            rows.append((label, redact_url(str(target_values[key]))))
    rows.append(("SSH host", _ssh_host(target_values) or "(none)"))
    rows.append(("burnin", burnin_version))
    rows.append(("Thresholds", str(thresholds_path)))
    rows.append(("Thresholds sha256", file_sha256(thresholds_path)))
    return rows
