"""A scripted SSH host for the unit tests: journalctl answers chosen per command."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Sequence
from datetime import datetime

from burnin.probes.ssh import CommandResult

Answer = tuple[int | None, str, str]  # exit code (None: never finished), stdout, stderr


def journal_line(message: str | list[int], priority: int, at: datetime) -> str:
    micros = int(at.timestamp() * 1_000_000)
    return json.dumps(
        {"MESSAGE": message, "PRIORITY": str(priority), "__REALTIME_TIMESTAMP": str(micros)}
    )


def is_retention_probe(argv: Sequence[str]) -> bool:
    """The command that asks for the newest journal entry before the window's start."""
    return "--reverse" in argv


class ScriptedSsh:
    """Stands in for SshProbe: `answer(argv)` gives each command's result; records the asks."""

    def __init__(self, answer: Callable[[list[str]], Answer]) -> None:
        self.answer = answer
        self.asked: list[tuple[list[str], bool]] = []

    def run_all(
        self, commands: Sequence[Sequence[str]], privileged: bool = False
    ) -> list[CommandResult]:
        return [self.run(argv, privileged) for argv in commands]

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        self.asked.append((list(argv), privileged))
        return CommandResult(shlex.join(argv), *self.answer(list(argv)))

    @classmethod
    def journal(
        cls, unit_stdout: str, before_start: datetime | None, retention: Answer | None = None
    ) -> ScriptedSsh:
        """The unit's lines for every query of the window; the retention probe finds an entry at
        `before_start` (None: the journal starts inside the window), or answers `retention`."""

        def answer(argv: list[str]) -> Answer:
            if not is_retention_probe(argv):
                return (0, unit_stdout, "")
            if retention is not None:
                return retention
            found = "" if before_start is None else journal_line("boot", 6, before_start) + "\n"
            return (0, found, "")

        return cls(answer)
