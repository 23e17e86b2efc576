"""The suite reaching production through a bastion, as production is reached: an ssh_config with
`Host prod` and `ProxyJump bastion`, against the sandbox's bastion sshd. Every hop's host key is
verified: a wrong or unknown bastion key is SOURCE_ERROR naming the bastion, with fingerprints
as `ssh-keygen -lf` prints them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import burnin.sandbox as sandbox
from burnin.probes.ssh import SshProbe, SshSettings
from burnin.sandbox import bastion
from burnin.sandbox.paths import Layout
from tests.e2e.suite_run import run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]

SSH_CRITERIA = "service_active or logs_clean or restarts or backup"
ALIAS = f"{bastion.BASTION_ALIAS} (127.0.0.1:{bastion.BASTION_PORT})"  # as the errors name it


def layout_of(info: sandbox.SandboxInfo) -> Layout:
    return Layout(Path(info.state_dir))


def via_bastion(info: sandbox.SandboxInfo, known_hosts: Path) -> tuple[str, ...]:
    return (
        f"--ssh-config={info.ssh_config}",
        f"--ssh-host={bastion.HOST_ALIAS}",
        f"--known-hosts={known_hosts}",
    )


def forwards(info: sandbox.SandboxInfo, port: int) -> int:
    """direct-tcpip channels the bastion opened to 127.0.0.1:port (its DEBUG1 log)."""
    log = bastion.log_file(layout_of(info)).read_text(errors="replace")
    return sum(
        "server_request_direct_tcpip" in line and line.endswith(f"target 127.0.0.1 port {port}")
        for line in log.splitlines()
    )


def keygen_fingerprint(pub: Path) -> str:
    return subprocess.run(
        ["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True
    ).stdout.split()[1]


def host_line(info: sandbox.SandboxInfo) -> str:
    """The sandbox host's own known_hosts line (the bastion's follows it)."""
    (line,) = [
        line
        for line in Path(info.known_hosts).read_text().splitlines()
        if line.startswith(f"[127.0.0.1]:{info.ports['ssh']} ")
    ]
    return line + "\n"


def test_the_ssh_criteria_pass_through_the_bastion_with_hashed_known_hosts(sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    hashed = Path(info.known_hosts_hashed).read_text()
    # the host's two ports (plain and slow-login) and the bastion's
    assert "127.0.0.1" not in hashed and hashed.count("|1|") == 3
    before = forwards(info, info.ports["ssh"])
    run = run_suite(
        tmp_path,
        *via_bastion(info, Path(info.known_hosts_hashed)),
        "-k",
        SSH_CRITERIA,
        marker="checkpoint_24h",
    )
    assert run.bands == {
        "service-active[24h]": "target",
        "logs-clean[24h]": "target",
        "restarts[24h]": "target",
        "backup[24h]": "target",
    }, run.output[-3000:]
    assert forwards(info, info.ports["ssh"]) > before  # the run did go through the bastion


def test_a_wrong_bastion_key_is_a_source_error_naming_it_with_both_fingerprints(
    sandbox_up, tmp_path
):
    info = sandbox_up("healthy")
    other = tmp_path / "other_bastion_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known = tmp_path / "known_hosts"
    kind, body = other.with_suffix(".pub").read_text().split()[:2]
    known.write_text(host_line(info) + f"[127.0.0.1]:{info.ports['bastion']} {kind} {body}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(known)], check=True, capture_output=True)
    run = run_suite(
        tmp_path, *via_bastion(info, known), "-k", "service_active", marker="checkpoint_24h"
    )
    assert run.bands == {"service-active[24h]": "source_error"}, run.output[-3000:]
    message = run.messages["service-active[24h]"]
    assert f"bastion {ALIAS}: host key CHANGED" in message
    expected = keygen_fingerprint(other.with_suffix(".pub"))
    offered = keygen_fingerprint(bastion.host_key(layout_of(info)).with_suffix(".pub"))
    assert f"holds ssh-ed25519 {expected}" in message
    assert f"it offered ssh-ed25519 {offered}" in message


def test_an_unknown_bastion_key_is_refused_unless_accepted(sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    known = tmp_path / "known_hosts"
    known.write_text(host_line(info))  # the host's key only
    refused = run_suite(
        tmp_path / "refused", *via_bastion(info, known), "-k", "service_active",
        marker="checkpoint_24h",
    )  # fmt: skip
    assert refused.bands == {"service-active[24h]": "source_error"}, refused.output[-3000:]
    offered = keygen_fingerprint(bastion.host_key(layout_of(info)).with_suffix(".pub"))
    message = refused.messages["service-active[24h]"]
    assert f"bastion {ALIAS}: host key not in known_hosts {known}" in message
    assert f"it offered ssh-ed25519 {offered}" in message
    accepted = run_suite(
        tmp_path / "accepted", *via_bastion(info, known), "--accept-new-host-key",
        "-k", "service_active", marker="checkpoint_24h",
    )  # fmt: skip
    assert accepted.bands == {"service-active[24h]": "target"}, accepted.output[-3000:]
    assert known.read_text() == host_line(info)  # trusted for that run, never written


def _probe(info: sandbox.SandboxInfo, host: str, ssh_config: Path) -> SshProbe:
    return SshProbe(
        SshSettings(
            host,
            key=Path(info.ssh_key),
            known_hosts=Path(info.known_hosts_hashed),
            ssh_config=ssh_config,
        )
    )


def test_two_bastions_in_a_row_and_a_proxycommand(sandbox_up, tmp_path):
    """`ProxyJump bastion,bastion`: the second hop is reached through the first (the bastion
    forwards to itself), each verified; a ProxyCommand runs ssh, which verifies the bastion
    itself, while the host is still verified here."""
    info = sandbox_up("healthy")
    config = tmp_path / "ssh_config"
    config.write_text(
        Path(info.ssh_config).read_text()
        + f"Host twice\n    HostName 127.0.0.1\n    Port {info.ports['ssh']}\n    User root\n"
        f"    ProxyJump {bastion.BASTION_ALIAS},{bastion.BASTION_ALIAS}\n"
        f"Host command\n    HostName 127.0.0.1\n    Port {info.ports['ssh']}\n    User root\n"
        f"    ProxyCommand ssh -F {info.ssh_config} -W %h:%p {bastion.BASTION_ALIAS}\n"
    )
    to_itself = forwards(info, info.ports["bastion"])
    for host in ("twice", "command"):
        probe = _probe(info, host, config)
        try:
            probe.connect()
            assert probe.run(["systemctl", "is-active", "rosey-bot"]).stdout == "active\n"
        finally:
            probe.close()
    assert forwards(info, info.ports["bastion"]) == to_itself + 1  # the second hop, once


def test_the_bastion_listens_on_loopback_only(sandbox_up):
    info = sandbox_up("healthy")
    state = json.loads(bastion.state_file(layout_of(info)).read_text())
    listening = subprocess.run(
        ["ss", "-H", "-ltnp"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    ours = [line for line in listening if f"pid={state['pid']}," in line]
    assert [line.split()[3] for line in ours] == [f"127.0.0.1:{info.ports['bastion']}"], ours
