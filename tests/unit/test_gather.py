"""Evidence gathered ahead: the measurements of the selected criteria start at session start,
each answer is asked once however many ask at the same moment, and the host's channels stay
bounded."""

from __future__ import annotations

import shlex
import threading
import time
import traceback
from concurrent.futures import CancelledError
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from burnin.catalogue import CRITERIA, MEASUREMENTS
from burnin.errors import SourceError
from burnin.flight import Flights
from burnin.gather import Gathering, gather_ahead, take
from burnin.probes.ssh import MAX_CHANNELS, CommandResult, SshProbe, SshSettings
from tests.unit.hosts import LocalShell

# ------------------------------------------------------------------ what is gathered


def test_every_criterion_needs_declared_measurements_and_every_measurement_is_needed():
    needed = {name for c in CRITERIA.values() for name in c.needs}
    assert needed == set(MEASUREMENTS)
    assert all(c.needs for c in CRITERIA.values())


@dataclass(frozen=True)
class Bot:
    """A run's settings as far as the gathering reads them: the bot's label."""

    label: str
    endpoint: str = ""  # its health endpoint's host (default: its label)

    @property
    def target(self) -> Bot:
        return self

    @property
    def settings(self) -> Bot:
        return self

    timeout_s = 5.0

    def __getitem__(self, key: str) -> object:
        host = self.endpoint or self.label
        return {"health_url": f"http://{host}/api/health", "timeout_s": self.timeout_s}[key]


class Recorder(Gathering):
    def __init__(self) -> None:
        super().__init__(workers=1)
        self.order: list[object] = []

    def start(self, key, measure, bound_s=None):  # type: ignore[no-untyped-def]
        self.order.append(key)


def test_the_host_s_measurements_start_first_each_once_and_the_timed_ones_not_at_all():
    gathering = Recorder()
    selected = [("uptime", "24h"), ("coverage", "24h"), ("health-latency", "24h"),
                ("logs-clean", "24h"), ("peak-handled", "24h"), ("service-active", "smoke")]  # fmt: skip
    gather_ahead(gathering, None, Bot("bot-3"), selected)  # type: ignore[arg-type]
    assert gathering.order == [
        ("logs", "bot-3", "24h"),
        ("service", "bot-3", "smoke"),
        ("connection", "bot-3", "24h"),
        ("peak-periods", "bot-3", "24h"),
    ]
    gathering.close()


# ------------------------------------------------------------------ the gathering


def test_a_measurement_started_ahead_is_taken_and_one_not_started_is_measured_now():
    gathering = Gathering(workers=2)
    calls: list[str] = []
    gathering.start("a", lambda: calls.append("a") or "ahead")
    assert gathering.take("a", lambda: "now") == "ahead"
    assert gathering.take("a", lambda: "now") == "ahead"  # shared by the criteria that take it
    assert gathering.take("b", lambda: "now") == "now"
    assert calls == ["a"]
    gathering.close()


def test_a_source_error_raised_ahead_is_raised_in_the_test_that_takes_it():
    gathering = Gathering(workers=1)
    error = SourceError("prometheus", "http://p:9090", "query refused")

    def broken() -> None:
        raise error

    gathering.start("x", broken)
    depths = []
    for _ in range(50):  # a fleet's bots all take it
        with pytest.raises(SourceError) as raised:
            gathering.take("x", lambda: None)
        got = raised.value
        assert (got.source, got.where, got.cause, str(got)) == (
            error.source, error.where, error.cause, str(error),
        )  # fmt: skip
        depths.append(len(traceback.extract_tb(got.__traceback__)))
    # Each take raises a copy with its own traceback: the one object raised 50 times gained
    # every raise's frames (pytest's reading of them made a 100-bot run 40 s).
    assert len(set(depths)) == 1 and depths[0] < 10, depths
    gathering.close()


def test_quiet_waits_for_everything_started():
    gathering = Gathering(workers=2)
    done = []
    running = threading.Event()
    release = threading.Event()

    def slow() -> None:
        running.set()
        release.wait(30)
        done.append("slow")

    gathering.start("slow", slow)
    running.wait(30)
    quiet = threading.Thread(target=gathering.quiet)
    quiet.start()
    quiet.join(0.05)
    assert quiet.is_alive() and done == []  # still waiting: the measurement runs
    release.set()
    quiet.join(30)
    assert not quiet.is_alive() and done == ["slow"]
    gathering.close()


def test_a_timed_measurement_is_taken_alone_after_the_rest():
    gathering = Gathering(workers=2)
    busy = threading.Event()
    gathering.start(
        ("connection", "production", "24h"), lambda: (busy.set(), time.sleep(0.2), busy.clear())
    )
    busy.wait(30)

    class Health:
        timeout_s = 5.0
        hung = None  # no request of the run hung

        def read(self) -> SimpleNamespace:
            # crowded: True if anything else were running
            return SimpleNamespace(answered=True, crowded=busy.is_set())

    class Run:
        target = Bot("production")

        class thresholds:  # noqa: N801 - stands in for the configuration
            class sampling:  # noqa: N801
                health_requests = 3

    class Sources:
        health = Health()

    sample = take(gathering, Sources(), Run(), "health-latency", "24h")  # type: ignore[arg-type]
    assert [reading.crowded for reading in sample.readings] == [False, False, False]
    gathering.close()


def test_closing_never_waits_for_a_measurement_stuck_on_a_source():
    """The measurement waits on an event nobody sets before close() returns: had close() waited
    for it, the test would hang (pytest-timeout)."""
    gathering = Gathering(workers=1)
    stuck = threading.Event()
    running = threading.Event()
    ran: list[str] = []
    gathering.start("hangs", lambda: (running.set(), stuck.wait()))
    gathering.start("queued", lambda: ran.append("queued"))
    running.wait(30)
    gathering.close()
    assert not stuck.is_set()
    stuck.set()
    with pytest.raises(CancelledError):
        gathering.take("queued", lambda: "now")
    assert ran == []  # dropped, never run


# ------------------------------------------------------------------ one answer per question


def test_a_question_asked_twice_at_once_is_asked_once():
    flights: Flights[str, int] = Flights()
    calls = []
    release = threading.Event()

    def fetch() -> int:
        calls.append(1)
        release.wait(30)
        return 7

    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(flights.get("q", fetch))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    while not calls:  # one of them is fetching; the others wait on it or find it kept
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(30)
    assert answers == [7, 7, 7] and calls == [1]
    assert flights.get("q", lambda: 8) == 7  # kept


def test_an_answer_not_worth_keeping_and_an_exception_are_asked_again():
    flights: Flights[str, int] = Flights(keep=lambda answer: answer > 0)
    assert flights.get("q", lambda: -1) == -1
    assert flights.get("q", lambda: 5) == 5
    with pytest.raises(ValueError):
        flights.get("e", lambda: int("x"))
    assert flights.get("e", lambda: 3) == 3


@dataclass
class Ran:
    exited: int
    stdout: str
    stderr: str = ""


class SlowConnection:
    """fabric's Connection as the probe uses it: each command takes a moment."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.asked: list[str] = []
        self.lock = threading.Lock()
        self.is_connected = True

    def run(self, command: str, **_kw: object) -> Ran:
        with self.lock:
            self.asked.append(command)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return Ran(0, f"answer of {command}\n")

    def close(self) -> None:
        self.is_connected = False


def test_the_host_s_channels_stay_bounded_and_a_shared_command_runs_once():
    connection = SlowConnection()
    probe = SshProbe(SshSettings("lab"))
    probe._connection = connection  # type: ignore[assignment]
    commands = [["journalctl", "-n", str(i)] for i in range(6)] + [["date"]]
    threads = [
        threading.Thread(target=probe.run, args=(argv,)) for argv in commands for _ in range(3)
    ]  # three measurements at once, all asking the same commands
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert connection.most <= MAX_CHANNELS
    assert sorted(connection.asked) == sorted(" ".join(c) for c in commands)


def test_commands_asked_together_are_one_session_and_asked_once_whoever_asks():
    connection = LocalShell()
    probe = SshProbe(SshSettings("lab"))
    probe._connection = connection  # type: ignore[assignment]
    commands = [["echo", f"answer {i}"] for i in range(6)] + [["printf", "%s", "same"]]
    answers: list[list[CommandResult]] = []
    threads = [
        threading.Thread(target=lambda: answers.append(probe.run_all(commands))) for _ in range(3)
    ]  # three measurements at once, all asking the same commands
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(connection.sessions) == 1, connection.sessions
    assert len(answers) == 3
    for results in answers:
        assert [r.stdout for r in results] == [*(f"answer {i}\n" for i in range(6)), "same"]
        assert [r.command for r in results] == [shlex.join(c) for c in commands]


def test_bots_sharing_a_health_endpoint_share_its_measurement_and_the_rest_is_each_bot_s():
    gathering = Gathering(workers=1)
    calls: list[str] = []

    class Health:
        timeout_s = 5.0
        hung = None  # no request of the run hung

        def read(self) -> str:
            calls.append("read")
            return "answer"

    class Sources:
        health = Health()

    @dataclass
    class Run:
        target: Bot

    behind_one = [Run(Bot("bot-1", "lb")), Run(Bot("bot-2", "lb")), Run(Bot("bot-1", "lb"))]
    for run in behind_one:
        assert take(gathering, Sources(), run, "health", "24h") == "answer"  # type: ignore[arg-type]
    assert calls == ["read"]
    assert take(gathering, Sources(), Run(Bot("bot-3")), "health", "24h") == "answer"  # type: ignore[arg-type]
    assert calls == ["read", "read"]  # another endpoint: its own reading
    gathering.close()


def test_a_fleet_s_timed_measurements_start_together_once_the_rest_has_ended():
    gathering = Gathering(workers=4)
    rest = threading.Event()
    gathering.start("connection", lambda: (time.sleep(0.1), rest.set()))
    # Each bot's sampling waits until all three are sampling: they end only if sampled at once
    # (one after the other, the barrier breaks and the sampling raises).
    together = threading.Barrier(3, timeout=30)

    def sample(bot: str) -> str:
        assert rest.is_set()  # nothing else of the run's is under way
        together.wait()
        return bot

    for bot in ("bot-1", "bot-2", "bot-3"):
        gathering.defer(("health-latency", bot), lambda b=bot: sample(b))
    assert gathering.take_timed(("health-latency", "bot-2"), lambda: "now") == "bot-2"
    assert gathering.take_timed(("health-latency", "bot-3"), lambda: "now") == "bot-3"
    gathering.close()


def test_ended_measurements_are_not_looked_at_again():
    """A fleet's run ends thousands of measurements: each later quiet() (one per timed test)
    and each overdue check looks at the ones still running, not at all of them again."""
    gathering = Gathering(workers=2)
    for n in range(50):
        gathering.start(("m", n), lambda n=n: n)
    gathering.quiet()
    assert gathering._quiet_upto == 50 and gathering._running == set()
    release = threading.Event()
    gathering.start("slow", lambda: release.wait(30))
    while not gathering._running:
        time.sleep(0.01)
    assert [job.key for job in gathering._running] == ["slow"]
    release.set()
    gathering.quiet()
    assert gathering._quiet_upto == 51 and gathering._running == set()
    gathering.close()
