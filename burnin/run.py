"""Everything one run of the suite is told: thresholds, the target, the moment judged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from burnin.config import Target, Thresholds
from burnin.errors import ConfigError
from burnin.promql import Metrics, fleet_member, parse_selector
from burnin.schedule import Phase, Window, phase_window
from burnin.shard import Shard

if TYPE_CHECKING:  # imported by the first SSH settings made (a run's, not a listing's)
    from burnin.probes.ssh import SshSettings


@dataclass(frozen=True)
class RunSettings:
    thresholds: Thresholds
    target: Target
    at: datetime | None  # --at: judge this past moment instead of now
    started: datetime
    # The run history (reports/history.sqlite): vs-previous-release reads the smoke runs of this
    # deployment and the one before it. None: not read.
    history_db: Path | None = None
    shard: Shard | None = None  # --shard I/N: this run judges every N-th bot of the fleet

    @cached_property
    def bots(self) -> tuple[RunSettings, ...]:
        """The run of each bot of the target (one, unless it is a fleet); a shard's: its share."""
        bots = self.target.bots()
        if self.shard is not None:
            bots = self.shard.pick(bots)
        return tuple(replace(self, target=bot) for bot in bots)

    @cached_property
    def _by_label(self) -> dict[str, RunSettings]:
        return {run.target.label: run for run in self.bots}

    def bot(self, label: str) -> RunSettings:
        """The run of the bot named `label` (Target.label); the target's own label: the run of
        the whole fleet (its fleet-wide criteria)."""
        if label == self.target.label:
            return self
        return self._by_label[label]

    @cached_property
    def metrics(self) -> Metrics:
        return metrics_of(self.target)

    def phase(self, name: str) -> Phase:
        return self.thresholds.phases[name]

    def window(self, phase_name: str) -> Window:
        return phase_window(self.phase(phase_name), self.target.deployed_at, self.at, self.started)

    def due_windows(self, phases: Iterable[str]) -> dict[str, Window]:
        """The windows of the phases whose checkpoint is due (the others have none yet)."""
        windows = {}
        for name in phases:
            try:
                windows[name] = self.window(name)
            except ConfigError:
                continue
        return windows

    def span(self, phases: Iterable[str]) -> Window | None:
        """The union of the phases' windows: raw samples are fetched over it once."""
        windows = list(self.due_windows(phases).values())
        if not windows:
            return None
        return Window(min(w.start for w in windows), max(w.end for w in windows))

    def file_setting(self, key: str) -> Path | None:
        return self.target.path(key)


def metrics_of(target: Target) -> Metrics:
    """The target's metric names: selector, prefix and explicit mappings; for a bot of a fleet,
    its place in the fleet when the fleet's selector lets it be asked about with the others."""
    selector = parse_selector(target.settings.selector)
    member = None
    if target.instance:
        member = fleet_member(
            target.fleet_selector, selector, target.settings.instances, target.instance
        )
    return Metrics(selector, target.settings.metric_prefix, target.metric_names, member)


def ssh_settings_of(target: Target) -> SshSettings:
    """How to reach the target's host over SSH."""
    from burnin.probes.ssh import SshSettings

    return SshSettings(
        host=target.settings.ssh_host,
        user=target.settings.ssh_user,
        port=target.settings.ssh_port,
        key=target.path("ssh_key"),
        known_hosts=target.path("known_hosts"),
        accept_new_host_key=target.settings.accept_new_host_key,
        sudo=target.settings.ssh_sudo,
        timeout_s=target.settings.timeout_s,
        ssh_config=target.path("ssh_config"),
    )


def now() -> datetime:
    return datetime.now(UTC)
