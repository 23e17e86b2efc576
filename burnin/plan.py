"""The SSH questions a run's selected criteria will ask, known before the first test: sent at
session start on channels of the one connection (the probe keeps the answers), so the host's
round trips overlap each other and the Prometheus criteria instead of adding up test by test.
The plan only saves time: a command it misses is asked when a criterion needs it, one it lists
in vain costs a channel, never a verdict."""

from __future__ import annotations

from collections.abc import Iterable

from burnin.config import ConfigError
from burnin.criteria.backup import backup_command, split_glob
from burnin.criteria.channel import channel_events_command
from burnin.criteria.host import journal_commands, retention_command, service_commands
from burnin.criteria.restarts import restart_commands
from burnin.run import RunSettings

# Criteria that ask the host: run after the others, while their commands are under way.
SSH_CRITERIA = frozenset({"logs-clean", "channel-events", "service-active", "restarts", "backup"})


def ssh_commands(run: RunSettings, selected: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The privileged commands of the (criterion, phase) pairs selected, each once, in order."""
    target = run.target
    unit, journal = target["unit"], not target["log_file"]  # a log file is read in steps
    planned: list[list[str]] = []
    for criterion, phase in selected:
        try:
            window = run.window(phase)
        except ConfigError:
            continue
        if criterion == "logs-clean" and journal:
            planned += journal_commands(unit, window)
        elif criterion == "channel-events" and journal:
            planned += [channel_events_command(unit, window), retention_command(window)]
        elif criterion == "service-active":
            planned += service_commands(unit)
        elif criterion == "restarts":
            planned += restart_commands(unit, window)
        elif criterion == "backup" and target["backup_glob"].strip():
            try:
                planned.append(backup_command(*split_glob(target["backup_glob"])))
            except ValueError:
                continue  # the criterion says why, with the glob
    unique: dict[str, list[str]] = {}
    for argv in planned:
        unique.setdefault("\0".join(argv), argv)
    return list(unique.values())
