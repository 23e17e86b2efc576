"""Commands sent ahead at session start: the plan of the selected criteria, and the probe
that keeps their answers for the criteria that ask."""

from __future__ import annotations

import textwrap
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from burnin.config import load_target, load_thresholds
from burnin.criteria.backup import backup_command
from burnin.criteria.channel import channel_events_command
from burnin.criteria.host import journal_commands, retention_command, service_commands
from burnin.criteria.restarts import restart_commands
from burnin.plan import SSH_CRITERIA, ssh_commands
from burnin.probes.ssh import SshProbe, SshSettings
from burnin.run import RunSettings

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def settings(tmp_path: Path, extra: str = "") -> RunSettings:
    path = tmp_path / "targets.toml"
    path.write_text(
        textwrap.dedent(
            """
            default = "lab"
            [targets.lab]
            ssh_host = "lab"
            unit = "rosey-bot"
            backup_glob = "/srv/backups/rosey-*.db"
            """
            + extra
        )
    )
    thresholds = load_thresholds(ROOT / "thresholds.toml")
    return RunSettings(thresholds, load_target(path, {}, {}), None, NOW)


def test_the_plan_holds_each_selected_criterion_s_commands_once(tmp_path):
    run = settings(tmp_path)
    day, smoke = run.window("24h"), run.window("smoke")
    selected = [(c, "24h") for c in sorted(SSH_CRITERIA)] + [
        ("logs-clean", "smoke"), ("service-active", "smoke"), ("uptime", "24h"),
    ]  # fmt: skip
    planned = ssh_commands(run, selected)
    expected = [
        backup_command("/srv/backups", "rosey-*.db"),
        channel_events_command("rosey-bot", day),
        retention_command(day),
        *[c for c in journal_commands("rosey-bot", day) if c != retention_command(day)],
        *restart_commands("rosey-bot", day),
        *service_commands("rosey-bot"),
        *journal_commands("rosey-bot", smoke),
    ]
    assert sorted(map(tuple, planned)) == sorted(map(tuple, expected))
    assert len({tuple(c) for c in planned}) == len(planned)


def test_a_log_file_target_plans_nothing_for_the_log_criteria(tmp_path):
    """A log file is listed, then read in steps that depend on the listing: asked when needed."""
    run = settings(tmp_path, 'log_file = "/var/log/rosey/bot.log"\n')
    assert ssh_commands(run, [("logs-clean", "24h"), ("channel-events", "24h")]) == []


@dataclass
class Ran:
    exited: int
    stdout: str
    stderr: str = ""


class FakeConnection:
    """fabric's Connection as the probe uses it; `hold` keeps commands running until set."""

    def __init__(self, fail_first: set[str] | None = None) -> None:
        self.asked: list[str] = []
        self.hold = threading.Event()
        self.hold.set()
        self.fail_first = set(fail_first or ())
        self.is_connected = True

    def run(self, command: str, **_kw: object) -> Ran:
        self.asked.append(command)
        self.hold.wait(5)
        if command in self.fail_first:
            self.fail_first.discard(command)
            raise OSError("Socket is closed")
        return Ran(0, f"answer of {command}\n")

    def close(self) -> None:
        self.is_connected = False


def probe_with(connection: FakeConnection, sudo: bool = False) -> SshProbe:
    probe = SshProbe(SshSettings("lab", sudo=sudo))
    probe._connection = connection  # type: ignore[assignment]
    return probe


def test_a_prefetched_answer_is_taken_without_asking_again():
    connection = FakeConnection()
    probe = probe_with(connection, sudo=True)
    probe.prefetch([["systemctl", "is-active", "rosey-bot"], ["date"]], privileged=True)
    answer = probe.run(["systemctl", "is-active", "rosey-bot"], privileged=True)
    assert answer.stdout == "answer of sudo -n systemctl is-active rosey-bot\n"
    probe.run(["date"], privileged=True)
    probe.run(["date"], privileged=True)
    assert sorted(connection.asked) == ["sudo -n date", "sudo -n systemctl is-active rosey-bot"]
    probe.close()


def test_an_ask_while_the_command_runs_waits_for_that_answer():
    connection = FakeConnection()
    connection.hold.clear()
    probe = probe_with(connection)
    probe.prefetch([["journalctl", "-n", "1"]])
    answers = []
    asker = threading.Thread(target=lambda: answers.append(probe.run(["journalctl", "-n", "1"])))
    asker.start()
    asker.join(0.2)
    assert asker.is_alive() and not answers  # waiting, not asking a second time
    connection.hold.set()
    asker.join(5)
    assert answers[0].ok and connection.asked == ["journalctl -n 1"]
    probe.close()


def test_a_prefetched_failure_is_one_ask_s_answer_and_the_next_ask_tries_again():
    connection = FakeConnection(fail_first={"journalctl -n 1"})
    probe = probe_with(connection)
    probe.prefetch([["journalctl", "-n", "1"]])
    first = probe.run(["journalctl", "-n", "1"])
    assert first.exit_code is None and "connection lost: Socket is closed" in first.problem
    assert probe.run(["journalctl", "-n", "1"]).ok
    assert connection.asked == ["journalctl -n 1", "journalctl -n 1"]
    probe.close()


def test_nothing_is_sent_ahead_without_a_connection():
    probe = SshProbe(SshSettings("lab"))
    probe.prefetch([["date"]])
    assert probe.run(["date"]).problem == "not connected"


@pytest.mark.parametrize("criterion", sorted(SSH_CRITERIA))
def test_every_host_criterion_is_planned(tmp_path, criterion):
    assert ssh_commands(settings(tmp_path), [(criterion, "24h")])
