"""Every wait bounded: a source that stalls anywhere (never answers, stalls mid-answer, in a
handshake, in another thread) ends as an answer saying so or a SourceError, never a hang. The
fakes here never answer (an event never set, released at the end of the test); each test ends
only because the wait it exercises has a bound (pytest-timeout is the backstop)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paramiko
import pytest
import requests

import burnin.flight
import burnin.gather
import burnin.probes.prometheus
import burnin.probes.ssh
from burnin.errors import SourceError
from burnin.flight import Flights, GaveUp, Slots, call_within
from burnin.gather import Gathering, measurement_bound_s
from burnin.probes.prometheus import RAW_AT_ONCE, PrometheusProbe
from burnin.probes.ssh import CommandResult, SshProbe, SshSettings
from burnin.schedule import Window

MARGIN_S = 0.05  # the margin of every bound, made small: these tests end at their bounds


@pytest.fixture(autouse=True)
def small_margins(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (burnin.flight, burnin.gather, burnin.probes.prometheus, burnin.probes.ssh):
        monkeypatch.setattr(module, "MARGIN_S", MARGIN_S)


@pytest.fixture
def never() -> Iterator[threading.Event]:
    """An event nobody sets while the test runs (set after it, to free the stuck threads)."""
    event = threading.Event()
    yield event
    event.set()


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """`call()` on a thread; its result or exception lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


# ------------------------------------------------------------------ the building blocks


def test_a_waiter_on_a_fetch_that_never_returns_gives_up_after_its_bound(never):
    flights: Flights[str, str] = Flights(bound_s=0.05)
    owner, _ = in_thread(lambda: flights.get("q", lambda: never.wait() and "late"))
    while not flights._flying:  # the owner is fetching
        time.sleep(0.01)
    with pytest.raises(GaveUp, match=r"gave up waiting [\d.]+ s for the answer to 'q'"):
        flights.get("q", lambda: "mine")
    assert owner.is_alive()  # still stuck: nobody waited for it


def test_a_waiter_s_give_up_can_be_an_answer_saying_so(never):
    flights: Flights[str, str] = Flights(
        bound_s=0.05, gave_up=lambda key, waited_s: f"no answer to {key}"
    )
    in_thread(lambda: flights.get("q", never.wait))
    while not flights._flying:
        time.sleep(0.01)
    assert flights.get("q", lambda: "mine") == "no answer to q"


def test_a_slot_held_by_a_stuck_holder_is_given_up_on(never):
    slots = Slots(1, hold_s=0.05, what="the one slot")

    def hold() -> None:
        with slots.held():
            never.wait()

    in_thread(hold)
    while not slots._holders:
        time.sleep(0.01)
    with pytest.raises(GaveUp, match="gave up waiting for the one slot: held .* s by a request "):
        with slots.held():
            pass


def test_a_queue_of_busy_holders_is_waited_through():
    """Each holder ends within its bound: waiting behind several is no reason to give up."""
    slots = Slots(1, hold_s=30.0, what="the one slot")
    order: list[int] = []
    turn = threading.Event()

    def hold(number: int) -> None:
        with slots.held():
            turn.wait(30)
            order.append(number)

    threads = [in_thread(lambda n=n: hold(n))[0] for n in range(3)]
    turn.set()
    for thread in threads:
        thread.join(30)
    assert sorted(order) == [0, 1, 2]


def test_a_fetch_waiting_for_a_stuck_slot_raises_to_its_waiters_too(never):
    slots = Slots(1, hold_s=0.05, what="a turn")
    flights: Flights[str, str] = Flights(bound_s=30.0)

    def hold() -> None:
        with slots.held():
            never.wait()

    in_thread(hold)
    while not slots._holders:
        time.sleep(0.01)
    asker, asked = in_thread(lambda: flights.get("q", lambda: "fetched", slots))
    while not flights._flying:
        time.sleep(0.01)
    with pytest.raises(GaveUp, match="gave up waiting for a turn"):
        flights.get("q", lambda: "mine", slots)
    asker.join(30)
    assert isinstance(asked[0], GaveUp)


def test_a_call_that_never_returns_is_given_up_on(never):
    assert call_within(0.05, never.wait) == (False, None)
    assert call_within(30, lambda: 7) == (True, 7)
    with pytest.raises(ZeroDivisionError):
        call_within(30, lambda: 1 / 0)


# ------------------------------------------------------------------ the gathering


def test_a_measurement_that_never_ends_is_a_source_error_in_its_test(never):
    gathering = Gathering(workers=1)
    gathering.start("stuck", never.wait, bound_s=0.05)
    with pytest.raises(SourceError, match=r"gave up waiting: still running after \d+ s"):
        gathering.take("stuck", lambda: "now", bound_s=0.05)
    gathering.close()


def test_the_queue_behind_a_stuck_measurement_moves_on(never):
    """One worker, stuck: given up on, it is replaced, and the measurement queued behind it
    runs on the new worker (quiet() waits for it, taking nothing itself)."""
    gathering = Gathering(workers=1)
    ran: list[str] = []
    gathering.start("stuck", never.wait, bound_s=0.05)
    gathering.start("next", lambda: ran.append("next"), bound_s=30.0)
    gathering.quiet()
    assert ran == ["next"]
    gathering.close()


def test_a_queued_measurement_is_taken_at_once_by_its_test(never):
    """Every worker busy: the test measures it itself instead of waiting for a worker."""
    gathering = Gathering(workers=1)
    gathering.start("busy", never.wait, bound_s=30.0)
    gathering.start("queued", lambda: "measured", bound_s=30.0)
    assert gathering.take("queued", lambda: "other", bound_s=30.0) == "measured"
    gathering.close()


def test_a_measurement_s_bound_grows_with_the_source_timeout():
    assert measurement_bound_s(2.0) < measurement_bound_s(10.0)
    assert measurement_bound_s(10.0) - measurement_bound_s(2.0) == pytest.approx(
        burnin.gather.MEASURE_TIMEOUTS * 8.0
    )


# ------------------------------------------------------------------ Prometheus


class StalledSession(requests.Session):
    """A session whose every request blocks until `release` is set (never, in these tests)."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release
        self.asked = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.asked += 1
        self.release.wait()
        raise requests.ConnectionError("released")


def window() -> Window:
    end = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    return Window(end - timedelta(hours=24), end)


def test_a_criterion_waiting_on_a_stuck_prometheus_request_gives_up_with_a_source_error(never):
    session = StalledSession(never)
    probe = PrometheusProbe("http://prometheus.invalid:9090", 0.01, session=session)
    for selector in ["up", *(f"stuck_{n}" for n in range(1, RAW_AT_ONCE))]:  # every raw turn
        in_thread(lambda selector=selector: probe.samples(selector, window()))
    while session.asked < RAW_AT_ONCE:
        time.sleep(0.01)
    # The same samples (another criterion), and another selector waiting for a raw turn (every
    # one held by a stuck request).
    with pytest.raises(SourceError, match="gave up waiting 0 s for an answer another criterion"):
        probe.samples("up", window())
    with pytest.raises(SourceError, match="gave up waiting for a turn to fetch raw samples"):
        probe.samples("bot_connected", window())
    assert session.asked == RAW_AT_ONCE


def test_a_prometheus_that_accepts_and_never_answers_is_a_source_error():
    """A real socket: the connection is taken (the kernel's backlog), no byte ever comes."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        probe = PrometheusProbe(f"http://127.0.0.1:{port}", 0.2)
        with pytest.raises(SourceError, match="timed out|timeout|no answer"):
            probe.ready()
        with pytest.raises(SourceError):
            probe.samples("up", window())


# ------------------------------------------------------------------ SSH, with fakes


class NeverAnswers:
    """fabric's Connection as the probe uses it, whose commands never come back."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.is_connected = True
        self.closed = threading.Event()

    def run(self, command: str, **_kw: object) -> object:
        self.release.wait()
        raise OSError("released")

    def open(self) -> None:
        raise OSError("connection refused")  # the host is gone

    def close(self) -> None:
        self.is_connected = False
        self.closed.set()


def stuck_probe(release: threading.Event) -> tuple[SshProbe, NeverAnswers]:
    probe = SshProbe(SshSettings("lab", timeout_s=0.01))
    connection = NeverAnswers(release)
    probe._connection = connection  # type: ignore[assignment]
    return probe, connection


def test_a_command_that_never_comes_back_is_a_lost_connection_and_closes_it(never):
    probe, connection = stuck_probe(never)
    result = probe.run(["systemctl", "is-active", "rosey-bot"])
    assert result.exit_code is None
    assert result.problem.startswith("connection lost: no answer within ")
    assert "gave up waiting" in result.problem
    assert connection.closed.wait(30)  # never trusted again: the next ask opens a new one


def test_commands_run_at_once_on_a_stuck_connection_all_end(never):
    probe, _ = stuck_probe(never)
    commands = [["journalctl", "-n", str(n)] for n in range(6)]
    results = probe.run_all(commands)
    assert [r.exit_code for r in results] == [None] * 6
    assert all(r.problem.startswith("connection lost: ") for r in results)


def test_a_second_asker_of_a_stuck_command_ends_too(never):
    probe, _ = stuck_probe(never)
    first, asked = in_thread(lambda: probe.run(["date"]))
    second = probe.run(["date"])
    first.join(30)
    for result in (second, asked[0]):
        assert isinstance(result, CommandResult) and result.exit_code is None


# ------------------------------------------------------------------ SSH, a real handshake

Stage = str  # where the server stalls


class StallingServer(paramiko.ServerInterface):
    """An SSH server (paramiko's) that lets anyone in and answers `date +%s`, but stalls, for
    good, at `stage`: authentication, a channel's opening, a command's start, or mid-answer."""

    def __init__(self, stage: Stage, release: threading.Event) -> None:
        self.stage = stage
        self.release = release

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        if self.stage == "auth":
            self.release.wait()
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if self.stage == "channel":
            self.release.wait()
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        if command == b"date +%s":
            threading.Thread(target=_answer_date, args=(channel,), daemon=True).start()
        elif self.stage == "exec":
            self.release.wait()  # the request is never answered: paramiko waits on an event
        elif self.stage == "mid-answer":
            channel.sendall(b"first half of the journal\n")  # then nothing, ever
        return True


def _answer_date(channel: paramiko.Channel) -> None:
    channel.sendall(f"{int(time.time())}\n".encode())
    channel.send_exit_status(0)
    channel.shutdown_write()


@pytest.fixture
def ssh_server(never: threading.Event) -> Iterator[Callable[[Stage], int]]:
    """`start(stage)`: a port on 127.0.0.1 where the next connection meets that server;
    "banner" never says hello, "kex" says hello and stalls in the key exchange."""
    listeners: list[socket.socket] = []
    transports: list[paramiko.Transport] = []
    host_key = paramiko.RSAKey.generate(1024)

    def serve(listener: socket.socket, stage: Stage) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        if stage == "banner":
            never.wait()
            return
        if stage == "kex":
            client.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
            never.wait()
            return
        transport = paramiko.Transport(client)
        transports.append(transport)
        transport.add_server_key(host_key)
        transport.start_server(server=StallingServer(stage, never))

    def start(stage: Stage) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        threading.Thread(target=serve, args=(listener, stage), daemon=True).start()
        return listener.getsockname()[1]

    yield start
    never.set()
    for listener in listeners:
        listener.close()
    for transport in transports:
        transport.close()


def probe_at(port: int, tmp_path: Path) -> SshProbe:
    key = tmp_path / "id_rsa"
    if not key.exists():
        paramiko.RSAKey.generate(1024).write_private_key_file(str(key))
    config = tmp_path / "ssh_config"
    config.write_text("")
    settings = SshSettings(
        "127.0.0.1", "root", port, key, None, accept_new_host_key=True, timeout_s=0.3,
        ssh_config=config,
    )  # fmt: skip
    return SshProbe(settings)


@pytest.mark.parametrize("stage", ["banner", "kex", "auth"])
def test_an_ssh_server_stalling_in_the_handshake_is_a_source_error(ssh_server, tmp_path, stage):
    probe = probe_at(ssh_server(stage), tmp_path)
    with pytest.raises(SourceError) as raised:
        probe.connect()
    assert raised.value.source == "ssh"


@pytest.mark.parametrize(
    ("stage", "said"),
    [
        ("channel", "connection lost: "),  # paramiko's channel_timeout
        ("exec", "connection lost: no answer within "),  # no timeout of paramiko's: ours
        ("mid-answer", "timed out after 0.3 s"),  # the command's own timeout
    ],
)
def test_an_ssh_server_stalling_after_the_login_ends_the_command(ssh_server, tmp_path, stage, said):
    probe = probe_at(ssh_server(stage), tmp_path)
    probe.connect()  # the clock command is answered
    try:
        result = probe.run(["journalctl", "-u", "rosey-bot"])
    finally:
        probe.close()
    assert result.exit_code is None
    assert result.problem.startswith(said), result.problem
