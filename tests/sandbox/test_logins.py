"""The sandbox host's own logins: files the host's mount namespace sees as /etc/passwd and
/etc/group, and sshd's per-login settings."""

from __future__ import annotations

from burnin.sandbox.configs import HOMES, HOST_USERS, group, passwd, sshd_config
from burnin.sandbox.paths import default_layout

MACHINE_PASSWD = "root:x:0:0:root:/root:/bin/bash\nrosey:x:1000:1000::/home/rosey:/bin/sh\n"
MACHINE_GROUP = "root:x:0:\nsudo:x:27:alice\nrosey:x:1000:\n"


def test_every_login_is_added_once_with_its_own_home():
    lines = passwd(MACHINE_PASSWD).splitlines()
    assert lines[0] == f"root:x:0:0:root:{HOMES}/root:/bin/bash"  # none of the machine's dotfiles
    for name, uid in HOST_USERS.items():
        assert [line for line in lines if line.startswith(f"{name}:")] == [
            f"{name}:x:{uid}:{uid}:burnin sandbox:{HOMES}/{name}:/bin/bash"
        ]


def test_rosey_joins_group_sudo_and_every_login_has_its_group():
    lines = group(MACHINE_GROUP).splitlines()
    assert "sudo:x:27:alice,rosey" in lines
    assert "rosey:x:1000:" not in lines
    for name, uid in HOST_USERS.items():
        assert f"{name}:x:{uid}:" in lines


def test_sshd_empties_minimal_s_path_and_skews_skewed_s_clock():
    text = sshd_config(default_layout())
    main = text.partition("Match User")[0]
    assert "ListenAddress 127.0.0.1" in main
    assert "Match User minimal\n    SetEnv PATH=/nonexistent\n" in text
    assert "Match User skewed\n    SetEnv LD_PRELOAD=" in text and "FAKETIME=+5m" in text


def test_the_slow_login_port_s_shell_start_up_notes_each_session_and_takes_its_time(tmp_path):
    """SLOW_SSH_PORT: the same sshd and logins, the login shell sourcing a start-up file that
    notes the session and sleeps (as a .bashrc loading version managers takes its time), then
    running the command asked."""
    import subprocess

    from burnin.sandbox.configs import SLOW_LOGIN_S, slow_login_script
    from burnin.sandbox.paths import SLOW_SSH_PORT, SSH_PORT, Layout

    layout = Layout(tmp_path)
    layout.ssh.mkdir()
    text = sshd_config(layout)
    assert f"Port {SSH_PORT}\nPort {SLOW_SSH_PORT}\n" in text
    match, _, forced = text.partition(f"Match LocalPort {SLOW_SSH_PORT}\n    ForceCommand ")
    assert match and forced
    layout.slow_login.write_text(slow_login_script(layout))
    assert f"sleep {SLOW_LOGIN_S:g}" in layout.slow_login.read_text()
    for _ in range(2):  # sshd runs the ForceCommand in the login shell, the command asked in it
        ran = subprocess.run(
            ["bash", "-c", forced.splitlines()[0]],
            env={"SSH_ORIGINAL_COMMAND": "echo 'asked'; bash -c true", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert ran.stdout == "asked\n"
    assert len(layout.slow_login_sessions.read_text().splitlines()) == 2
