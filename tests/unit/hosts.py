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


class LocalShell:
    """fabric's Connection as the probe uses it, running each command (a batch's script too)
    in a local bash as sshd runs it in the login shell: `bash -c COMMAND`. `sessions` counts
    the commands run; `noise` is printed first, as a chatty .bashrc does."""

    def __init__(self, noise: str = "") -> None:
        import types

        self.is_connected = True
        self.noise = noise
        self.sessions: list[str] = []
        self.gateway = None
        self.client = types.SimpleNamespace(set_missing_host_key_policy=lambda _policy: None)

    def run(self, command: str, timeout: float | None = None, **_kw: object) -> object:
        import subprocess

        from invoke.exceptions import CommandTimedOut
        from invoke.runners import Result

        self.sessions.append(command)
        shell = f"printf %s {shlex.quote(self.noise)}; {command}" if self.noise else command
        process = subprocess.Popen(
            ["bash", "-c", shell],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            import os
            import signal

            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            timed_out = True
        result = Result(
            stdout=out.decode("utf-8", "replace"),
            stderr=err.decode("utf-8", "replace"),
            exited=-1 if timed_out else process.returncode,
            command=command,
        )
        if timed_out:
            raise CommandTimedOut(result, timeout=timeout)  # type: ignore[arg-type]
        return result

    def open(self) -> None:
        self.is_connected = True

    def close(self) -> None:
        self.is_connected = False
