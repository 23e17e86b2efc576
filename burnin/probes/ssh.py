"""Commands on the bot's host over SSH (fabric), results returned as objects, never raised."""

from __future__ import annotations

import logging
import shlex
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from burnin.clock import skew, skew_cause
from burnin.errors import SourceError
from burnin.flight import MARGIN_S, Flights, GaveUp, Slots, call_within
from burnin.lazy import lazy_module
from burnin.probes.ssh_batch import (
    Frame,
    HostCommand,
    batch_script,
    new_boundary,
    split_frames,
)

if TYPE_CHECKING:
    import fabric
    import fabric.connection
    import invoke
    import paramiko
    from fabric import Connection
    from fabric.runners import Result

    from burnin.probes.known_hosts import KnownHosts
else:  # imported by the first connection (burnin.lazy): a listing, a run asking no host, none
    fabric = lazy_module("fabric")
    invoke = lazy_module("invoke")
    paramiko = lazy_module("paramiko")

LOG = logging.getLogger(__name__)

# Channels opened at once on the one connection (sshd's MaxSessions defaults to 10).
MAX_CHANNELS = 4
# The waits of (re)opening one link of the chain, each bounded by the source timeout: TCP
# connect, banner and key exchange (paramiko's start_client), authentication.
OPEN_WAITS = 3


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


def _gave_up_waiting(command: str, waited_s: float) -> CommandResult:
    """A thread waiting on another's run of the same command, past that command's bound."""
    return CommandResult(
        command, None, "", "",
        f"connection lost: gave up waiting {waited_s:.0f} s for the same command run by "
        "another thread (past its bound)",
    )  # fmt: skip


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
    ssh_config: Path | None = None  # read instead of ~/.ssh/config and /etc/ssh/ssh_config

    @property
    def where(self) -> str:
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"ssh://{user}{self.host}{port}"

    def command_bound_s(self, links: int = 1) -> float:
        """The longest one command may take, every wait of it bounded by the timeout: the
        connection reopened when it was lost (OPEN_WAITS per link of the chain), the channel
        opened, the command run."""
        return self.timeout_s * (OPEN_WAITS * links + 2) + MARGIN_S

    def batch_timeout_s(self, commands: int) -> float:
        """The overall bound of one session running `commands` in turn (each bounded by the
        timeout on the host): no longer than those commands took on MAX_CHANNELS channels at
        once, a turn each, plus a turn for channels others held."""
        return self.timeout_s * min(commands, -(-commands // MAX_CHANNELS) + 1)


MAX_JUMPS = 8  # hops in one chain: more is a loop (`Host *` with ProxyJump reaches the bastion)


def resolve_gateway(connection: Connection, depth: int = 0) -> Connection | str | None:
    """The connection's gateway from its ssh_config, in OpenSSH's order: `ProxyJump a,b` goes to
    a first, from a to b, from b to the host (fabric 3.2.3 links several hops the other way
    round, going to b first: fabric/fabric#2203). The first hop's own ProxyJump or ProxyCommand
    applies to it, as ssh applies it; `ProxyJump none` is none. A ProxyCommand is the string ssh
    would run."""
    jump = connection.ssh_config.get("proxyjump")
    if jump is None:
        return connection.ssh_config.get("proxycommand")
    hops = [hop.strip() for hop in jump.split(",") if hop.strip()]
    if jump.strip().lower() == "none" or not hops:
        return None
    itself = {connection.original_host, connection.host}
    if any(fabric.connection.derive_shorthand(hop)["host"] in itself for hop in hops):
        return None  # a bastion matched by its own `Host *` ProxyJump: as fabric, no gateway
    if depth + len(hops) > MAX_JUMPS:
        raise ValueError(
            f"ProxyJump chains more than {MAX_JUMPS} hops from {connection.original_host} (a "
            "loop? a `Host *` ProxyJump applies to the bastions too)"
        )
    gateway: Connection | str | None = None
    for index, hop in enumerate(hops):
        link = fabric.Connection(hop, config=connection.config.clone(), gateway=False)
        link.gateway = resolve_gateway(link, depth + len(hops)) if index == 0 else gateway
        gateway = link
    return gateway


def gateways(connection: Connection) -> list[Connection]:
    """The ProxyJump bastions in front of `connection`, the first one (the one we connect to
    directly) first. A ProxyCommand (a string) is not one: ssh runs it, and ssh verifies
    whatever it connects through."""
    hops: list[Connection] = []
    gateway = connection.gateway
    while isinstance(gateway, fabric.Connection):
        hops.append(gateway)
        gateway = gateway.gateway
    return hops[::-1]


def hop_name(hop: Connection) -> str:
    """`bastion.example:2222`, or `jump (10.0.0.9:22)` when ssh_config gave the alias a HostName."""
    address = f"{hop.host}:{hop.port}"
    return address if hop.original_host == hop.host else f"{hop.original_host} ({address})"


class SshProbe:
    """One connection per target per session; ssh_config (Host aliases, User, Port,
    IdentityFile, ProxyJump) is honoured through fabric. Host keys, the bastions' too, are
    verified unless the user opted out."""

    source = "ssh"

    def __init__(self, settings: SshSettings) -> None:
        self.settings = settings
        self._connection: Connection | None = None
        self._hops: list[Connection] = []  # the ProxyJump bastions, the first one first
        # Every command the suite runs only reads; within one run the same command (the
        # service state, the journal's retention for a window) is asked once.
        # Lost connections and timeouts are not kept: the next ask tries again. A waiter on
        # another thread's command waits at most that command's bound.
        self._answers: Flights[str, CommandResult] = Flights(
            lambda r: r.exit_code is not None, settings.command_bound_s(), _gave_up_waiting
        )
        # Channels open at once on the connection, whoever asks (sshd's MaxSessions is 10).
        self._channels = Slots(MAX_CHANNELS, settings.command_bound_s(), "an SSH channel")
        # One thread reopens a lost connection; the others wait for it (fabric would reopen
        # it from every thread at once, on one client: transports overwriting each other).
        self._reopening = threading.Lock()
        self.clock_skew_s: float | None = None  # the host's clock minus ours, once connected
        # Commands planned before connecting (reserved in _answers: their askers wait), sent
        # in the connection's first session with the clock reading: (quoted, words).
        self._planned: list[tuple[str, list[str]]] = []
        self._plan_lock = threading.Lock()
        # Planned commands that did not finish in the first session (not kept): the answer
        # for their first asker, as if it had asked itself; a later ask tries again.
        self._unfinished: dict[str, CommandResult] = {}
        self.sessions = 0  # sessions (channels) opened for commands on the host

    def _fail(self, cause: str) -> SourceError:
        return SourceError(self.source, self.settings.where, cause)

    def plan(self, commands: Iterable[HostCommand]) -> None:
        """Commands the run will ask, known up front (burnin.gather): sent together in the
        connection's first session, with the clock reading; whoever asks one meanwhile waits
        for that session's answer instead of opening a session of its own. Once connected,
        nothing is planned (each run_all is one session still)."""
        if self._connection is not None:
            return
        wanted = {self._command(c.argv, c.privileged): c for c in commands}
        with self._plan_lock:
            for command in self._answers.reserve(wanted):
                spec = wanted[command]
                self._planned.append((command, self._words(spec.argv, spec.privileged)))

    def _take_plan(self) -> list[tuple[str, list[str]]]:
        with self._plan_lock:
            planned, self._planned = self._planned, []
        return planned

    def _unplan(self, planned: Sequence[tuple[str, list[str]]], cause: str) -> None:
        """Planned commands that will not be sent: their askers get `cause` (not kept)."""
        for command, _words in planned:
            self._answers.settle(command, CommandResult(command, None, "", "", cause))

    def connect(self) -> None:
        """Open the connection now (through every bastion of a ProxyJump chain, each one's host
        key verified like the host's), or raise SourceError saying why not. The clock is read
        in the first session, with every planned command."""
        planned = self._take_plan()
        try:
            self._connect(planned)
        except BaseException as exc:
            self._unplan(planned, f"not connected: {exc}")
            raise

    def _connect(self, planned: Sequence[tuple[str, list[str]]]) -> None:
        from burnin.probes.known_hosts import RefuseUnknown, TrustForThisRun

        s = self.settings
        known = self._known_hosts()
        connection = self._connection_object()
        hops = gateways(connection)
        links = [*hops, connection]
        for link in links:
            link.client.set_missing_host_key_policy(
                TrustForThisRun(known) if s.accept_new_host_key else RefuseUnknown(known)
            )
            if known is not None:
                known.install(link.client)
        for hop in hops:
            # fabric gives a hop only ssh_config's settings; it authenticates as the host does
            # and every wait on it is bounded as the host's are.
            hop.connect_kwargs = self._hop_kwargs(hop)
            hop.connect_timeout = max(1, int(s.timeout_s))
        try:
            for before, link in zip([None, *hops], links, strict=True):
                self._open(link, before, connection)
        except SourceError:
            for link in reversed(links):
                link.client.close()
            raise
        self._connection = connection
        self._hops = hops
        bound_s = s.command_bound_s(len(links))
        self._answers.bound_s = self._channels.hold_s = bound_s
        # journalctl's --since/--until are placed by our clock, its lines stamped by the host's.
        sent = time.time()
        if planned:
            clock, *answers = self._send_reserved(planned, first=[list(CLOCK_COMMAND)])
            with self._plan_lock:
                self._unfinished.update((a.command, a) for a in answers if a.exit_code is None)
        else:
            clock = self.run(CLOCK_COMMAND)
        self.clock_skew_s = host_clock_skew(clock, sent, time.time())
        cause = skew_cause("the host's", f"`{clock.command}` over SSH", self.clock_skew_s)
        if cause:
            self.close()
            raise self._fail(cause)

    def _known_hosts(self) -> KnownHosts | None:
        """The known_hosts every hop is checked against; None only when the user opted in to
        trusting unknown keys and there is no file."""
        from burnin.probes.known_hosts import read_known_hosts

        s = self.settings
        if s.known_hosts is not None and s.known_hosts.exists():
            try:
                return read_known_hosts(s.known_hosts)
            except OSError as exc:
                raise self._fail(f"cannot read known_hosts {s.known_hosts}: {exc}") from None
        if s.accept_new_host_key:
            return None
        raise self._fail(
            f"known_hosts file {s.known_hosts} not found: host keys cannot be verified "
            "(set --known-hosts, or --accept-new-host-key to trust the host's key)"
        )

    def _connect_kwargs(self) -> dict[str, object]:
        s = self.settings
        # Every wait of paramiko's bounded by the source timeout: the banner, authentication,
        # and a channel's opening (paramiko waits an hour by default).
        kwargs: dict[str, object] = {
            "banner_timeout": s.timeout_s,
            "auth_timeout": s.timeout_s,
            "channel_timeout": s.timeout_s,
        }
        if s.key is not None:
            kwargs.update(key_filename=str(s.key), look_for_keys=False, allow_agent=False)
        return kwargs

    def _hop_kwargs(self, hop: Connection) -> dict[str, object]:
        kwargs = dict(hop.connect_kwargs)  # ssh_config's IdentityFile for this hop, if any
        # Its timeouts, channel_timeout among them: the host's direct-tcpip channel through it.
        kwargs.update(self._connect_kwargs())
        if self.settings.key is not None:
            from_config = hop.connect_kwargs.get("key_filename") or []
            if isinstance(from_config, str):
                from_config = [from_config]
            kwargs["key_filename"] = [str(self.settings.key), *from_config]
        return kwargs

    def _connection_object(self) -> Connection:
        """The fabric connection (not opened), its ProxyJump hops resolved from ssh_config."""
        s = self.settings
        try:
            if s.ssh_config is None:
                config = fabric.Config()  # ~/.ssh/config and /etc/ssh/ssh_config, as ssh reads them
            elif not s.ssh_config.exists():
                raise self._fail(f"ssh_config file {s.ssh_config} not found (check --ssh-config)")
            else:
                config = fabric.Config(runtime_ssh_path=str(s.ssh_config))  # as `ssh -F FILE`
            connection = fabric.Connection(
                s.host,
                user=s.user or None,
                port=s.port or None,
                connect_timeout=max(1, int(s.timeout_s)),
                connect_kwargs=self._connect_kwargs(),
                config=config,
                gateway=False,  # resolved below, in ssh's order
            )
            connection.gateway = resolve_gateway(connection)
            return connection
        except (paramiko.SSHException, ValueError, OSError) as exc:  # ConfigParseError among them
            where = s.ssh_config or "~/.ssh/config or /etc/ssh/ssh_config"
            raise self._fail(f"cannot use the ssh_config ({where}): {exc}") from None

    def _open(self, link: Connection, before: Connection | None, host: Connection) -> None:
        """Open one link of the chain (the ones before it are open): errors name the bastion."""
        from burnin.probes.known_hosts import UnknownHostKey, describe_key, entry_name

        s = self.settings
        who = "" if link is host else f"bastion {hop_name(link)}: "
        entry = entry_name(link.host, link.port)
        try:
            link.open()
        except paramiko.BadHostKeyException as exc:
            raise self._fail(
                f"{who}host key CHANGED: {s.known_hosts} holds {describe_key(exc.expected_key)} "
                f"for {entry}, it offered {describe_key(exc.key)} (someone in the middle, or the "
                "host was rebuilt: verify, then replace its line in known_hosts)"
            ) from None
        except UnknownHostKey as exc:
            raise self._fail(f"{who}{exc.cause()}") from None
        except paramiko.AuthenticationException as exc:
            user = link.user or "(ssh_config user)"
            raise self._fail(
                f"{who}authentication refused for {user}: {exc} (check --ssh-key / the agent and "
                "the host's authorized_keys)"
            ) from None
        except paramiko.ChannelException as exc:  # the bastion before this link would not forward
            raise self._fail(
                f"bastion {hop_name(before) if before else '?'}: would not open a channel to "
                f"{link.host}:{link.port}: {exc.text} (code {exc.code}: check the bastion's "
                "AllowTcpForwarding / PermitOpen, and that the host is reachable from it)"
            ) from None
        except paramiko.ProxyCommandFailure as exc:
            raise self._fail(f"{who}the ssh_config ProxyCommand failed: {exc}") from None
        except paramiko.SSHException as exc:
            # Took the connection but never spoke SSH in time (paramiko says either, as its
            # transport thread or the authentication sees it first).
            if any(text in str(exc) for text in ("protocol banner", "No existing session")):
                raise self._fail(
                    f"{who}the SSH handshake with {entry} did not complete: {exc} (no SSH "
                    f"greeting within {s.timeout_s:g} s, or the server closed the connection: "
                    "is it an SSH server, is it overloaded?)"
                ) from None
            raise self._fail(f"{who}SSH refused: {exc}") from None
        except (OSError, EOFError) as exc:  # refused, unreachable, timed out
            raise self._fail(f"{who}cannot connect: {exc}") from None

    def _words(self, argv: Sequence[str], privileged: bool) -> list[str]:
        words = list(argv)
        if privileged and self.settings.sudo:
            words = ["sudo", "-n", *words]
        return words

    def _command(self, argv: Sequence[str], privileged: bool) -> str:
        return shlex.join(self._words(argv, privileged))

    def run(self, argv: Sequence[str], privileged: bool = False) -> CommandResult:
        """Run argv (each word quoted). `privileged` adds `sudo -n` when the target needs it."""
        command = self._command(argv, privileged)
        with self._plan_lock:
            unfinished = self._unfinished.pop(command, None)
        if unfinished is not None:
            return unfinished
        try:
            # A channel first (bounded: never behind a stuck command); the command's own bound,
            # which the askers of the same command wait through, counts from there.
            return self._answers.get(command, lambda: self._execute(command), self._channels)
        except GaveUp as exc:  # every channel held by a command stuck past its bound
            return CommandResult(command, None, "", "", f"connection lost: {exc}")

    def _execute(self, command: str) -> CommandResult:
        connection = self._connection
        if connection is None:
            return CommandResult(command, None, "", "", "not connected")
        bound_s = self._answers.bound_s or self.settings.command_bound_s()
        try:
            finished, result = call_within(bound_s, lambda: self._on_channel(connection, command))
        except invoke.CommandTimedOut:
            return CommandResult(
                command, None, "", "", f"timed out after {self.settings.timeout_s:g} s"
            )
        except (paramiko.SSHException, OSError, EOFError) as exc:
            return CommandResult(command, None, "", "", f"connection lost: {exc}")
        if not finished or result is None:
            # Stuck somewhere no timeout of paramiko's reaches (a channel request never
            # answered): the connection is not to be trusted again. Closed on the side, so
            # that nothing here waits on it; the next ask opens a new one.
            threading.Thread(target=connection.close, name="ssh-close", daemon=True).start()
            return CommandResult(
                command, None, "", "",
                f"connection lost: no answer within {bound_s:g} s (gave up waiting; "
                "the connection is closed)",
            )  # fmt: skip
        if result.exited == -1:  # paramiko: the channel closed without an exit status
            return CommandResult(
                command,
                None,
                result.stdout,
                result.stderr,
                "connection lost before the command finished (no exit status)",
            )
        return CommandResult(command, result.exited, result.stdout, result.stderr)

    def _on_channel(
        self, connection: Connection, command: str, timeout_s: float | None = None
    ) -> Result:
        """The command on its own channel, the connection reopened first if it was lost (by
        one thread: the others wait for it), every wait bounded by the timeout."""
        if not connection.is_connected:
            with self._reopening:
                if not connection.is_connected:
                    connection.open()
        self.sessions += 1
        return connection.run(
            command,
            hide=True,
            warn=True,
            timeout=timeout_s or self.settings.timeout_s,
            in_stream=False,
        )

    def _send_reserved(
        self, reserved: Sequence[tuple[str, list[str]]], first: Sequence[list[str]] = ()
    ) -> list[CommandResult]:
        """`first` and the reserved commands (reserved in _answers by this thread) in one
        session; every reserved one's answer settled (kept unless it did not finish), even
        when this raises. The results in order, `first`'s first."""
        commands = [shlex.join(words) for words in first] + [c for c, _ in reserved]
        bound_s = self._batch_bound_s(len(commands))
        self._answers.begin((c for c, _ in reserved), bound_s)
        results: list[CommandResult] = []
        try:
            results = self._batch([*first, *(words for _, words in reserved)])
        finally:
            answers = dict(zip(commands, results, strict=False))
            for command, _words in reserved:
                self._answers.settle(
                    command,
                    answers.get(command)
                    or CommandResult(command, None, "", "", "connection lost: not sent"),
                )
        return results

    def _batch_bound_s(self, commands: int) -> float:
        """The longest a session of `commands` may take: a command's bound (reopening the
        connection, opening the channel), the command's own timeout replaced by the batch's."""
        command_bound_s = self._answers.bound_s or self.settings.command_bound_s()
        return command_bound_s - self.settings.timeout_s + self.settings.batch_timeout_s(commands)

    def _batch(self, argvs: Sequence[Sequence[str]]) -> list[CommandResult]:
        """The commands (words, sudo added) in one session, in turn, on one channel; each its
        own result as if it had run alone (burnin.probes.ssh_batch frames them). One command
        runs as itself."""
        commands = [shlex.join(argv) for argv in argvs]
        if not commands:
            return []
        if len(commands) == 1:
            try:
                with self._channels.held():
                    return [self._execute(commands[0])]
            except GaveUp as exc:
                return [CommandResult(commands[0], None, "", "", f"connection lost: {exc}")]
        connection = self._connection
        if connection is None:
            return [CommandResult(c, None, "", "", "not connected") for c in commands]
        boundary = new_boundary()
        script = batch_script(argvs, boundary, self.settings.timeout_s)
        overall_s = self.settings.batch_timeout_s(len(commands))
        bound_s = self._batch_bound_s(len(commands))

        def lost(cause: str) -> list[CommandResult]:
            return [CommandResult(c, None, "", "", f"connection lost: {cause}") for c in commands]

        cut = ""  # why commands that did not finish did not
        try:
            with self._channels.held():
                finished, result = call_within(
                    bound_s, lambda: self._on_channel(connection, script, overall_s)
                )
        except GaveUp as exc:
            return lost(str(exc))
        except invoke.CommandTimedOut as exc:  # what finished before the overall bound still counts
            finished, result = True, exc.result
            cut = (
                f"timed out: the {len(commands)} commands sent in one session passed their "
                f"overall bound of {overall_s:g} s before this one finished"
            )
        except (paramiko.SSHException, OSError, EOFError) as exc:
            return lost(str(exc))
        if not finished or result is None:
            threading.Thread(target=connection.close, name="ssh-close", daemon=True).start()
            return lost(
                f"no answer within {bound_s:g} s (gave up waiting; the connection is closed)"
            )
        frames = split_frames(result.stdout, result.stderr, boundary, len(commands))
        if frames is None:
            if result.exited == -1 or cut:
                return lost(cut or "the session closed before the commands ran (no exit status)")
            # The login shell could not run the script (not a POSIX shell: fish, csh): each
            # command in a session of its own, as a single command always runs.
            LOG.warning(
                "%s: the login shell did not run the batch of commands (exit %s: %s); asking "
                "each in its own session",
                self.settings.where,
                result.exited,
                result.stderr.strip()[:200],
            )
            return [self._batch([argv])[0] for argv in argvs]
        if not cut and result.exited == -1:
            cut = "connection lost before the command finished (no exit status)"
        return [self._result(c, f, cut) for c, f in zip(commands, frames, strict=True)]

    def _result(self, command: str, frame: Frame, cut: str) -> CommandResult:
        if frame.timed_out:
            return CommandResult(
                command, None, "", "", f"timed out after {self.settings.timeout_s:g} s"
            )
        if frame.exit_code is None:
            return CommandResult(
                command, None, frame.stdout, frame.stderr, cut or "connection lost: no frame"
            )
        return CommandResult(command, frame.exit_code, frame.stdout, frame.stderr)

    def run_all(
        self, commands: Sequence[Sequence[str]], privileged: bool = False
    ) -> list[CommandResult]:
        """Several commands in one session (one remote script framing each one's output and
        exit status: burnin.probes.ssh_batch), except those already answered or being asked,
        which are waited for."""
        if len(commands) <= 1 or self._connection is None:
            return [self.run(argv, privileged) for argv in commands]
        with self._plan_lock:
            unfinished = {
                command: self._unfinished.pop(command)
                for argv in commands
                if (command := self._command(argv, privileged)) in self._unfinished
            }
        wanted = {
            command: self._words(argv, privileged)
            for argv in commands
            if (command := self._command(argv, privileged)) not in unfinished
        }
        reserved = [(c, wanted[c]) for c in self._answers.reserve(wanted)]
        answers = dict(zip((c for c, _ in reserved), self._send_reserved(reserved), strict=True))
        answers.update(unfinished)
        return [
            answers.get(self._command(argv, privileged)) or self.run(argv, privileged)
            for argv in commands
        ]

    def forget(self) -> None:
        """Drop the answers kept for the run: the next commands are asked for real."""
        self._answers.clear()
        with self._plan_lock:
            self._unfinished.clear()

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.is_connected

    def close(self) -> None:
        """Close the connection, then its bastions (fabric leaves those open)."""
        self._unplan(self._take_plan(), "not connected (closed before the commands were sent)")
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        for hop in reversed(self._hops):
            hop.close()
        self._hops = []
