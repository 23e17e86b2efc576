"""Commands on the bot's host over SSH (fabric), results returned as objects, never raised."""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import paramiko
from fabric import Connection
from invoke.exceptions import CommandTimedOut

from burnin.clock import skew, skew_cause
from burnin.flight import Flights
from burnin.verdict import SourceError

# Channels opened at once on the one connection (sshd's MaxSessions defaults to 10).
MAX_CHANNELS = 4


@dataclass(frozen=True)
class CommandResult:
    command: str  # exactly what ran on the host, quoted
    exit_code: int | None  # None: it did not finish (timeout, connection lost)
    stdout: str
    stderr: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def describe(self) -> str:
        text = f"`{self.command}` exit {self.exit_code}"
        if self.problem:
            text += f" ({self.problem})"
        if self.stderr.strip():
            text += f"; stderr: {self.stderr.strip()[:300]}"
        return text


CLOCK_COMMAND = ("date", "+%s")


def host_clock_skew(result: CommandResult, sent: float, received: float) -> float | None:
    """The host's clock minus ours from `date +%s`; None when the host did not say (the
    commands that matter report their own failures)."""
    try:
        return skew(float(result.stdout.strip()), sent, received) if result.ok else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SshSettings:
    host: str
    user: str = ""
    port: int = 0
    key: Path | None = None
    known_hosts: Path | None = None
    accept_new_host_key: bool = False
    sudo: bool = False
    timeout_s: float = 10.0

    @property
    def where(self) -> str:
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"ssh://{user}{self.host}{port}"


class SshProbe:
    """One connection per target per session; ssh_config (Host aliases, User, Port,
    IdentityFile) is honoured through fabric. Host keys are verified unless the user opted out."""

    source = "ssh"

    def __init__(self, settings: SshSettings) -> None:
        self.settings = settings
        self._connection: Connection | None = None
        # Every command the suite runs only reads; within one run the same command (the
        # service state, the journal's retention for a window) is asked once.
        # Lost connections and timeouts are not kept: the next ask tries again.
        self._answers: Flights[str, CommandResult] = Flights(lambda r: r.exit_code is not None)
        # Channels open at once on the connection, whoever asks (sshd's MaxSessions is 10).
        self._channels = threading.BoundedSemaphore(MAX_CHANNELS)
        self.clock_skew_s: float | None = None  # the host's clock minus ours, once connected

    def _fail(self, cause: str) -> SourceError:
        return SourceError(self.source, self.settings.where, cause)

    def connect(self) -> None:
        """Open the connection now, or raise SourceError saying why not."""
        s = self.settings
        connect_kwargs: dict[str, object] = {
            "banner_timeout": s.timeout_s,
            "auth_timeout": s.timeout_s,
        }
        if s.key is not None:
            connect_kwargs.update(key_filename=str(s.key), look_for_keys=False, allow_agent=False)
        connection = Connection(
            s.host,
            user=s.user or None,
            port=s.port or None,
            connect_timeout=max(1, int(s.timeout_s)),
            connect_kwargs=connect_kwargs,
        )
        # fabric trusts unknown host keys silently; production must not.
        if s.accept_new_host_key:
            connection.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        else:
            connection.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        if s.known_hosts is not None and s.known_hosts.exists():
            connection.client.load_host_keys(str(s.known_hosts))
        elif not s.accept_new_host_key:
            raise self._fail(
                f"known_hosts file {s.known_hosts} not found: host keys cannot be verified "
                "(set --known-hosts, or --accept-new-host-key to trust the host's key)"
            )
        try:
            connection.open()
        except paramiko.BadHostKeyException as exc:
            raise self._fail(
                f"host key CHANGED: {s.known_hosts} holds a {exc.expected_key.get_name()} key "
                f"{exc.expected_key.get_base64()[:16]}... for this host, the host offered "
                f"{exc.key.get_name()} {exc.key.get_base64()[:16]}... (someone in the middle, or "
                "the host was rebuilt: verify, then replace its line in known_hosts)"
            ) from None
        except paramiko.AuthenticationException as exc:
            raise self._fail(
                f"authentication refused for {s.user or '(ssh_config user)'}: {exc} (check "
                "--ssh-key / the agent and the host's authorized_keys)"
            ) from None
        except paramiko.SSHException as exc:
            if "not found in known_hosts" in str(exc):
                raise self._fail(
                    f"host key not in {s.known_hosts}: {exc} (verify it and add it, or pass "
                    "--accept-new-host-key)"
                ) from None
            raise self._fail(f"SSH refused: {exc}") from None
        except (OSError, EOFError) as exc:  # refused, unreachable, timed out
            raise self._fail(f"cannot connect: {exc}") from None
        self._connection = connection
        # journalctl's --since/--until are placed by our clock, its lines stamped by the host's.
        sent = time.time()
        clock = self.run(CLOCK_COMMAND)
        self.clock_skew_s = host_clock_skew(clock, sent, time.time())
        cause = skew_cause("the host's", f"`{clock.command}` over SSH", self.clock_skew_s)
        if cause:
            self.close()
            raise self._fail(cause)

    def _command(self, argv: Sequence[str], privileged: bool) -> str:
        words = list(argv)
        if privileged and self.settings.sudo:
            words = ["sudo", "-n", *words]
        return shlex.join(words)

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        """Run argv (each word quoted). `privileged` adds `sudo -n` when the target needs it."""
        command = self._command(argv, privileged)
        return self._answers.get(command, lambda: self._execute(command))

    def _execute(self, command: str) -> CommandResult:
        if self._connection is None:
            return CommandResult(command, None, "", "", "not connected")
        try:
            with self._channels:
                result = self._connection.run(
                    command, hide=True, warn=True, timeout=self.settings.timeout_s, in_stream=False
                )
        except CommandTimedOut:
            return CommandResult(
                command, None, "", "", f"timed out after {self.settings.timeout_s:g} s"
            )
        except (paramiko.SSHException, OSError, EOFError) as exc:
            return CommandResult(command, None, "", "", f"connection lost: {exc}")
        if result.exited == -1:  # paramiko: the channel closed without an exit status
            return CommandResult(
                command,
                None,
                result.stdout,
                result.stderr,
                "connection lost before the command finished (no exit status)",
            )
        return CommandResult(command, result.exited, result.stdout, result.stderr)

    def run_all(
        self, commands: Sequence[Sequence[str]], privileged: bool = False
    ) -> list[CommandResult]:
        """Run several commands at once, each on its own channel of the one connection (SSH
        multiplexes them): the time of the slowest, not of all of them."""
        if len(commands) <= 1 or self._connection is None:
            return [self.run(argv, privileged) for argv in commands]
        answers: list[CommandResult | None] = [None] * len(commands)

        def ask(index: int) -> None:
            answers[index] = self.run(commands[index], privileged)

        # Daemon threads (the channels are bounded by the probe): a run that ends never waits
        # at exit for a command still hanging on the host.
        threads = [
            threading.Thread(target=ask, args=(i,), daemon=True) for i in range(len(commands))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [
            answer or CommandResult(shlex.join(argv), None, "", "", "not answered")
            for answer, argv in zip(answers, commands, strict=True)
        ]

    def forget(self) -> None:
        """Drop the answers kept for the run: the next commands are asked for real."""
        self._answers.clear()

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.is_connected

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
