"""One SSH session per host per run: the 24 h checkpoint against the sandbox host reached through
its slow-login port (bash's BASH_ENV runs a start-up that takes 0.3 s and notes each session,
as a .bashrc loading version managers would) opens one session for every command of the run,
and judges exactly as the same host reached through its plain port."""

from __future__ import annotations

from pathlib import Path

import pytest

from burnin.sandbox.paths import Layout
from tests.e2e.suite_run import run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]


def sessions(path: Path) -> int:
    """Shells started by the slow-login port's logins (one line each)."""
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_checkpoint_run_asks_the_host_in_one_session_and_judges_as_the_plain_host(
    sandbox_up, tmp_path
):
    info = sandbox_up("healthy")
    started = Layout(Path(info.state_dir)).slow_login_sessions
    plain = run_suite(tmp_path / "plain", marker="checkpoint_24h")
    before = sessions(started)
    slow = run_suite(tmp_path / "slow", "--target=sandbox-slow-login", marker="checkpoint_24h")
    opened = sessions(started) - before
    assert opened == 1, f"{opened} SSH sessions for one run:\n{slow.output[-3000:]}"
    ssh_rows = {"service-active[24h]", "logs-clean[24h]", "restarts[24h]", "backup[24h]"}
    ssh_rows |= {"channel-events[24h]"}
    assert ssh_rows <= set(slow.bands), slow.output[-3000:]
    assert slow.bands == plain.bands, (slow.output[-3000:], plain.output[-3000:])
    assert slow.outcomes == plain.outcomes
    assert slow.returncode == plain.returncode


def test_the_slow_login_port_is_the_same_host_whose_every_session_pays_the_set_up(sandbox_up):
    """The fixture itself: each session on the slow-login port runs the start-up once."""
    from burnin.probes.ssh import SshProbe, SshSettings

    info = sandbox_up("healthy")
    started = Layout(Path(info.state_dir)).slow_login_sessions
    settings = SshSettings(
        info.host, "root", info.ports["ssh-slow-login"], Path(info.ssh_key),
        Path(info.known_hosts),
    )  # fmt: skip
    probe = SshProbe(settings)
    before = sessions(started)
    probe.connect()  # the clock reading: one session
    try:
        one = probe.run(["systemctl", "is-active", "rosey-bot"])
        assert one.stdout == "active\n", one.describe()
        both = probe.run_all([["true"], ["systemctl", "is-active", "rosey-bot"]])
    finally:
        probe.close()
    assert [r.exit_code for r in both] == [0, 0]
    assert sessions(started) - before == 3  # clock, the single command, the two together
