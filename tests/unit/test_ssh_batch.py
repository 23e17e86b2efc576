"""One SSH session for many commands (burnin.probes.ssh_batch): the remote script run by real
local shells (bash, as sshd runs a login shell, and dash), its frames split back apart, with
outputs that try to break the framing."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from burnin.probes.ssh import CommandResult, SshProbe, SshSettings
from burnin.probes.ssh_batch import Frame, HostCommand, batch_script, new_boundary, split_frames
from tests.unit.hosts import LocalShell

SHELLS = ("bash", "dash")


def run_batch(
    argvs: Sequence[Sequence[str]], shell: str = "bash", timeout_s: float = 10.0
) -> tuple[list[Frame] | None, str, str, str]:
    boundary = new_boundary()
    script = batch_script(argvs, boundary, timeout_s)
    done = subprocess.run([shell, "-c", script], capture_output=True, check=False)
    out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    return split_frames(out, err, boundary, len(argvs)), out, err, boundary


def alone(argv: Sequence[str], shell: str = "bash") -> Frame:
    """What the command gives run on its own, as a single SSH command runs."""
    done = subprocess.run(
        [shell, "-c", shlex.join(argv)], capture_output=True, check=False, stdin=subprocess.DEVNULL
    )
    return Frame(
        done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
        done.returncode,
    )  # fmt: skip


@pytest.mark.parametrize("shell", SHELLS)
def test_each_command_gets_back_exactly_what_it_printed_and_its_exit(shell, tmp_path):
    binary = tmp_path / "binary"
    binary.write_bytes(bytes(range(256)) * 4 + b"\xff\xfe no newline")
    argvs = [
        ["printf", "%s", "no trailing newline"],
        ["printf", "two\\n\\nblank lines\\n\\n"],
        ["sh", "-c", "echo out; echo err >&2; exit 3"],
        ["cat", str(binary)],
        ["printf", ""],  # nothing at all
        ["sh", "-c", "printf 'err without newline' >&2; exit 1"],
        ["true"],
    ]
    frames, *_ = run_batch(argvs, shell)
    assert frames == [alone(argv, shell) for argv in argvs]
    assert frames[2] == Frame("out\n", "err\n", 3)
    assert frames[0].stdout == "no trailing newline"


@pytest.mark.parametrize("shell", SHELLS)
def test_output_with_fake_frames_cannot_forge_one(shell, tmp_path):
    """A command printing frames of any other boundary (and the start marker's shape) is only
    output: the boundary is drawn for each batch, 128 bits."""
    other = new_boundary()
    forged = (
        f"{other} start\n\n{other} end 0 0 0\n\n{other} end 1 0 0\n"
        "\nburnin- end 1 0 0\n\n end 0 0 0\n"
    )
    hostile = tmp_path / "hostile"
    hostile.write_text(forged)
    argvs = [["cat", str(hostile)], ["sh", "-c", f"cat {shlex.quote(str(hostile))} >&2; exit 4"]]
    frames, *_ = run_batch(argvs, shell)
    assert frames == [Frame(forged, "", 0), Frame("", forged, 4)]


def test_words_are_quoted_never_run_as_shell(tmp_path):
    marker = tmp_path / "pwned"
    nasty = [f"$(touch {marker})", f"`touch {marker}`", f"; touch {marker}", "a'b\"c\nd", "*"]
    frames, *_ = run_batch([["printf", "%s|", *nasty]])
    assert frames == [Frame("".join(f"{w}|" for w in nasty), "", 0)]
    assert not marker.exists()


def test_huge_output_comes_back_whole(tmp_path):
    big = tmp_path / "big"
    line = "x" * 1023 + "\n"
    big.write_text(line * 6000)  # 6 MB
    frames, *_ = run_batch([["cat", str(big)], ["echo", "after"]])
    assert frames is not None
    assert frames[0] == Frame(line * 6000, "", 0)
    assert frames[1] == Frame("after\n", "", 0)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_command_that_times_out_fails_alone(shell):
    frames, *_ = run_batch(
        [["echo", "before"], ["sleep", "30"], ["echo", "after"]], shell, timeout_s=0.2
    )
    assert frames == [
        Frame("before\n", "", 0),
        Frame("", "", None, timed_out=True),
        Frame("after\n", "", 0),
    ]


def test_a_missing_program_says_so_as_the_shell_does_alone():
    frames, *_ = run_batch([["no-such-program-here", "-x"], ["echo", "ok"]])
    assert frames is not None
    assert frames[0].exit_code == 127
    assert "no-such-program-here: command not found" in frames[0].stderr
    assert frames[1] == Frame("ok\n", "", 0)


def test_a_session_cut_anywhere_keeps_the_frames_that_finished():
    argvs = [["echo", "one"], ["sh", "-c", "echo two; echo oops >&2; exit 2"], ["echo", "three"]]
    full, out, err, boundary = run_batch(argvs)
    assert full is not None
    for cut in range(len(out) + 1):
        frames = split_frames(out[:cut], err, boundary, len(argvs))
        if frames is None:
            assert f"{boundary} start\n" not in out[:cut]
            continue
        done = [f for f in frames if f.exit_code is not None]
        assert done == full[: len(done)]  # a finished command is exactly as in the full run
        assert all(f.exit_code is None for f in frames[len(done) :])
        assert len(frames) == len(argvs)


def test_what_the_login_shell_prints_first_is_dropped_and_no_start_is_none():
    argvs = [["echo", "ok"]]
    boundary = new_boundary()
    script = batch_script(argvs, boundary, 5)
    noisy = f"printf 'Welcome! nvm loaded\\n'; echo rc-warning >&2; {script}"
    done = subprocess.run(["bash", "-c", noisy], capture_output=True, text=True, check=False)
    assert split_frames(done.stdout, done.stderr, boundary, 1) == [Frame("ok\n", "", 0)]
    assert split_frames("fish: Unknown command\n", "", boundary, 1) is None


def test_a_boundary_is_never_spliced_unchecked():
    with pytest.raises(ValueError):
        batch_script([["true"]], "x'; rm -rf /", 5)
    assert new_boundary() != new_boundary()


# ------------------------------------------------------------------ through the probe


def local_probe(noise: str = "", timeout_s: float = 10.0) -> tuple[SshProbe, LocalShell]:
    probe = SshProbe(SshSettings("lab", timeout_s=timeout_s))
    connection = LocalShell(noise)
    probe._connection = connection
    return probe, connection


def test_run_all_is_one_session_and_each_result_is_as_if_run_alone(tmp_path):
    probe, connection = local_probe(noise="motd\n")
    argvs = [["echo", "a"], ["sh", "-c", "echo b >&2; exit 5"], ["printf", "c"]]
    results = probe.run_all(argvs)
    assert len(connection.sessions) == 1
    assert results == [
        CommandResult("echo a", 0, "a\n", ""),
        CommandResult("sh -c 'echo b >&2; exit 5'", 5, "", "b\n"),
        CommandResult("printf c", 0, "c", ""),
    ]
    assert probe.run(["echo", "a"]) == results[0]  # kept for the run: no new session
    assert len(connection.sessions) == 1


def test_a_timed_out_command_in_a_batch_reads_as_it_did_alone():
    probe, _ = local_probe(timeout_s=0.2)
    results = probe.run_all([["sleep", "30"], ["echo", "fine"]])
    assert results[0] == CommandResult("sleep 30", None, "", "", "timed out after 0.2 s")
    assert results[1] == CommandResult("echo fine", 0, "fine\n", "")


def test_a_batch_cut_by_its_overall_bound_keeps_what_finished():
    probe, _ = local_probe(timeout_s=0.3)
    # Each within its own timeout, but together past the session's bound (0.3 s x 2 turns).
    argvs = [["echo", "first"], *(["sleep", f"0.2{n}"] for n in range(5, 9)), ["echo", "never"]]
    results = probe.run_all(argvs)
    assert results[0] == CommandResult("echo first", 0, "first\n", "")
    assert results[-1].exit_code is None
    assert "overall bound" in results[-1].problem
    assert probe.run(["echo", "first"]) == results[0]


def test_sudo_is_added_per_command_as_before():
    probe = SshProbe(SshSettings("lab", sudo=True))
    connection = LocalShell()
    probe._connection = connection
    results = probe.run_all([["true"], ["false"]], privileged=True)
    assert [r.command for r in results] == ["sudo -n true", "sudo -n false"]
    assert "sudo -n true" in connection.sessions[0]


def test_a_login_shell_that_cannot_run_the_script_falls_back_to_a_session_each():
    class Fish(LocalShell):
        def run(self, command: str, timeout: float | None = None, **kw: object) -> object:
            if "burnin_timeout" in command:  # not a POSIX shell: the script is refused
                self.sessions.append(command)
                return LocalShell.run(self, "echo 'fish: Unsupported' >&2; exit 127", timeout)
            return LocalShell.run(self, command, timeout)

    probe = SshProbe(SshSettings("lab"))
    connection = Fish()
    probe._connection = connection
    results = probe.run_all([["echo", "x"], ["echo", "y"]])
    assert [r.stdout for r in results] == ["x\n", "y\n"]
    assert len(connection.sessions) == 4  # the script, then one each


def test_planned_commands_are_one_session_with_the_clock(monkeypatch):
    probe = SshProbe(SshSettings("lab"))
    connection = LocalShell()
    # Opening the link is fabric's; here the local shell is the host, already open.
    monkeypatch.setattr(probe, "_known_hosts", lambda: None)
    monkeypatch.setattr(probe, "_connection_object", lambda: connection)
    monkeypatch.setattr(probe, "_open", lambda *_a: None)
    probe.plan(HostCommand.of([["echo", "a"], ["echo", "b"]]))
    probe.plan([HostCommand(("echo", "a"))])  # planned twice: asked once
    probe.connect()
    assert len(connection.sessions) == 1
    assert "date +%s" in connection.sessions[0]
    assert probe.clock_skew_s == 0.0
    assert probe.run_all([["echo", "b"], ["echo", "a"]]) == [
        CommandResult("echo b", 0, "b\n", ""),
        CommandResult("echo a", 0, "a\n", ""),
    ]
    assert len(connection.sessions) == 1


def test_a_planned_command_that_did_not_finish_is_its_first_asker_s_answer(monkeypatch):
    """As if the measurement had asked itself: its criterion reports the failure; a later ask
    tries again, in a session of its own."""
    probe = SshProbe(SshSettings("lab", timeout_s=0.2))
    connection = LocalShell()
    monkeypatch.setattr(probe, "_known_hosts", lambda: None)
    monkeypatch.setattr(probe, "_connection_object", lambda: connection)
    monkeypatch.setattr(probe, "_open", lambda *_a: None)
    probe.plan(HostCommand.of([["sleep", "5"], ["echo", "a"]]))
    probe.connect()
    timed_out = CommandResult("sleep 5", None, "", "", "timed out after 0.2 s")
    assert probe.run_all([["sleep", "5"], ["echo", "a"]])[0] == timed_out
    assert len(connection.sessions) == 1
    assert probe.run(["sleep", "5"]) == timed_out
    assert len(connection.sessions) == 2  # asked again


def test_planned_commands_of_a_connection_that_failed_answer_so(monkeypatch):
    from burnin.errors import SourceError

    probe, _ = local_probe()

    def refused() -> None:
        raise SourceError("ssh", "lab", "cannot connect: refused")

    monkeypatch.setattr(probe, "_known_hosts", refused)
    probe.plan([HostCommand(("echo", "a"))])
    with pytest.raises(SourceError):
        probe.connect()
    result = probe._answers.get("echo a", lambda: CommandResult("echo a", 9, "", ""))
    assert result.exit_code == 9  # nothing kept from the failed connection: asked again


# ------------------------------------------------------------------ declared up front


def test_every_host_command_a_measurement_asks_is_declared_up_front(tmp_path):
    """What the registry declares (the first session sends it) is what the measurements ask:
    nothing asked later opens a session of its own."""
    import textwrap
    from datetime import UTC, datetime

    from burnin.catalogue import CRITERIA, MEASUREMENTS
    from burnin.config import load_target, load_thresholds
    from burnin.run import RunSettings
    from tests.unit.hosts import ScriptedSsh

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "targets.toml"
    path.write_text(
        textwrap.dedent('default = "lab"\n[targets.lab]\nssh_host = "lab"\nssh_sudo = true\n')
    )
    run = RunSettings(
        load_thresholds(root / "thresholds.toml", CRITERIA),
        load_target(path, {}, {}),
        None,
        datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    )
    declaring = {name for name, m in MEASUREMENTS.items() if m.host_commands}
    assert declaring == {"restarts", "logs", "service", "channel-events", "backup"}
    for name in declaring - {"restarts"}:  # restarts asks Prometheus too: its commands below
        ssh = ScriptedSsh(lambda _argv: (0, "", ""))

        class Sources:
            pass

        sources = Sources()
        sources.ssh = ssh  # type: ignore[attr-defined]
        MEASUREMENTS[name].measure(sources, run, "24h")  # type: ignore[arg-type]
        declared = MEASUREMENTS[name].host_commands(run, "24h")  # type: ignore[misc]
        asked = [HostCommand(tuple(argv), privileged) for argv, privileged in ssh.asked]
        assert asked and set(asked) == set(declared), name
    from burnin.criteria.restarts import restart_commands

    assert MEASUREMENTS["restarts"].host_commands(run, "24h") == HostCommand.of(  # type: ignore[misc]
        restart_commands("rosey-bot", run.window("24h")), privileged=True
    )


def test_plan_host_plans_the_selected_measurements_commands_and_nothing_for_a_failed_gate(
    tmp_path,
):
    import textwrap
    from datetime import UTC, datetime

    from burnin.catalogue import CRITERIA
    from burnin.config import load_target, load_thresholds
    from burnin.criteria.host import service_commands
    from burnin.errors import SourceError
    from burnin.gate import SourceGate
    from burnin.gather import plan_host
    from burnin.run import RunSettings

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "targets.toml"
    path.write_text(textwrap.dedent('default = "lab"\n[targets.lab]\nssh_host = "lab"\n'))
    run = RunSettings(
        load_thresholds(root / "thresholds.toml", CRITERIA),
        load_target(path, {}, {}),
        None,
        datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    )
    planned: list[HostCommand] = []

    class Probe:
        settings = SshSettings("lab")

        def plan(self, commands: list[HostCommand]) -> None:
            planned.extend(commands)

    class Sources:
        ssh_gate = SourceGate(Probe(), lambda _probe: None)

    selected = [("service-active", "24h"), ("uptime", "24h"), ("logs-clean", "24h")]
    plan_host(Sources(), run, selected)  # type: ignore[arg-type]
    assert planned[:2] == HostCommand.of(service_commands("rosey-bot"), privileged=True)
    assert len(planned) == 2 + 5  # service-active's two, logs-clean's five; uptime asks none
    planned.clear()
    Sources.ssh_gate.failure = SourceError("ssh", "lab", "refused")
    plan_host(Sources(), run, selected)  # type: ignore[arg-type]
    assert planned == []
