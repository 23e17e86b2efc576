"""SSH through bastions (ssh_config ProxyJump), without a network: the chain in OpenSSH's
order, every hop verified against known_hosts as the host is, and every refusal naming the hop
with both keys' fingerprints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import paramiko
import pytest
from fabric import Connection

from burnin.errors import SourceError
from burnin.probes.known_hosts import RefuseUnknown, TrustForThisRun, fingerprint
from burnin.probes.ssh import MAX_JUMPS, SshProbe, SshSettings, gateways, hop_name

SSH_CONFIG = """\
Host prod
    HostName 10.0.0.5
    Port 2200
    User rosey
    ProxyJump jump1,ops@bastion.example:2222
Host jump1
    HostName 192.0.2.1
    IdentityFile /keys/jump1
Host single
    HostName 10.0.0.6
    ProxyJump bastion.example:2222
Host via-own
    ProxyJump jump2
Host jump2
    ProxyJump jump1
Host loop-*
    ProxyJump loop-a
Host direct
    ProxyJump none
"""

HOST_KEY = paramiko.ECDSAKey.generate()
BASTION_KEY = paramiko.ECDSAKey.generate()
OTHER_KEY = paramiko.ECDSAKey.generate()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "ssh_config"
    config.write_text(SSH_CONFIG)
    known = tmp_path / "known_hosts"
    known.write_text(
        f"[10.0.0.5]:2200 {HOST_KEY.get_name()} {HOST_KEY.get_base64()}\n"
        f"[10.0.0.6]:22 {HOST_KEY.get_name()} {HOST_KEY.get_base64()}\n"
        f"[bastion.example]:2222 {BASTION_KEY.get_name()} {BASTION_KEY.get_base64()}\n"
    )
    return config, known


def probe(files: tuple[Path, Path], host: str = "prod", **settings: object) -> SshProbe:
    config, known = files
    defaults: dict[str, object] = {"ssh_config": config, "known_hosts": known}
    return SshProbe(SshSettings(host, **{**defaults, **settings}))  # type: ignore[arg-type]


def chain(p: SshProbe) -> list[Connection]:
    connection = p._connection_object()
    return [*gateways(connection), connection]


def test_proxyjump_hops_are_visited_in_sshs_order(files):
    """`ProxyJump jump1,ops@bastion.example:2222`: jump1 first, then the bastion through it,
    then the host through the bastion (fabric alone links them the other way round)."""
    links = chain(probe(files))
    assert [(c.original_host, c.host, c.port, c.user) for c in links[:2]] == [
        ("jump1", "192.0.2.1", 22, links[0].user),
        ("bastion.example", "bastion.example", 2222, "ops"),
    ]
    assert not links[0].gateway and links[1].gateway is links[0] and links[2].gateway is links[1]
    assert (links[2].host, links[2].port, links[2].user) == ("10.0.0.5", 2200, "rosey")
    assert [hop_name(c) for c in links[:2]] == ["jump1 (192.0.2.1:22)", "bastion.example:2222"]


def test_the_first_hops_own_proxyjump_applies_and_none_is_none(files):
    links = chain(probe(files, host="via-own"))
    assert [c.original_host for c in links] == ["jump1", "jump2", "via-own"]
    assert gateways(chain(probe(files, host="direct"))[-1]) == []


def test_a_proxyjump_loop_is_a_source_error_not_a_recursion(files):
    """`Host loop-*` jumps through loop-a, which the pattern matches too: fabric's own guard
    ends it; a longer loop is cut after MAX_JUMPS hops, said as such."""
    assert [c.original_host for c in chain(probe(files, host="loop-b"))] == ["loop-a", "loop-b"]
    config, known = files
    hops = ",".join(f"hop{i}" for i in range(MAX_JUMPS + 1))
    config.write_text(f"Host far\n    ProxyJump {hops}\n")
    with pytest.raises(SourceError, match=f"ProxyJump chains more than {MAX_JUMPS} hops"):
        chain(probe(files, host="far"))


def test_a_missing_or_broken_ssh_config_is_a_source_error(files, tmp_path):
    with pytest.raises(SourceError, match="ssh_config file .*nowhere not found"):
        probe(files, ssh_config=tmp_path / "nowhere").connect()
    broken = tmp_path / "broken"
    broken.write_text("Match nonsense\n")
    with pytest.raises(SourceError, match="cannot use the ssh_config"):
        probe(files, ssh_config=broken).connect()


Behaviour = Callable[[Connection], None]


@pytest.fixture
def opened(monkeypatch) -> tuple[list[Connection], dict[str, Behaviour]]:
    """Connection.open replaced: records each link opened; a link named in the dict behaves as
    told (by its alias), the host (10.0.0.5) ends the test with an OSError."""
    seen: list[Connection] = []
    behaviours: dict[str, Behaviour] = {}

    def fake_open(self: Connection) -> None:
        seen.append(self)
        if self.original_host in behaviours:
            behaviours[self.original_host](self)
        elif self.host in ("10.0.0.5", "10.0.0.6"):
            raise OSError("no network in unit tests")

    monkeypatch.setattr(Connection, "open", fake_open)
    return seen, behaviours


def offers(key: paramiko.PKey) -> Behaviour:
    """The link's server offers `key`: what paramiko does with it and the client's host keys."""

    def handshake(link: Connection) -> None:
        name = f"[{link.host}]:{link.port}"
        known = link.client.get_host_keys().lookup(name)
        if known is None:
            link.client._policy.missing_host_key(link.client, name, key)
        elif known.get(key.get_name()) != key:
            raise paramiko.BadHostKeyException(link.host, key, next(iter(known.values())))

    return handshake


def test_every_hop_is_verified_and_authenticated_as_the_host_is(files, opened):
    seen, _ = opened
    with pytest.raises(SourceError, match="cannot connect: no network"):
        probe(files, key=Path("/keys/prod"), timeout_s=7.0).connect()
    jump1, bastion, host = seen
    assert (jump1.original_host, bastion.original_host, host.host) == (
        "jump1", "bastion.example", "10.0.0.5",
    )  # fmt: skip
    for link in seen:
        assert type(link.client._policy) is RefuseUnknown
        assert link.client.get_host_keys().lookup("[bastion.example]:2222") is not None
        assert link.connect_kwargs["banner_timeout"] == link.connect_kwargs["auth_timeout"] == 7.0
        assert link.connect_timeout == 7
    for hop in (jump1, bastion):
        assert hop.connect_kwargs["channel_timeout"] == 7.0  # the host's channel through it
        assert hop.connect_kwargs["allow_agent"] is False
    assert jump1.connect_kwargs["key_filename"] == ["/keys/prod", "/keys/jump1"]
    assert bastion.connect_kwargs["key_filename"] == ["/keys/prod"]


def test_a_changed_bastion_key_names_the_bastion_and_both_fingerprints(files, opened):
    _, behaviours = opened
    behaviours["bastion.example"] = offers(OTHER_KEY)
    with pytest.raises(SourceError) as raised:
        probe(files, host="single").connect()
    cause = raised.value.cause
    assert cause.startswith("bastion bastion.example:2222: host key CHANGED: ")
    assert (
        f"holds ecdsa-sha2-nistp256 {fingerprint(BASTION_KEY)} for [bastion.example]:2222" in cause
    )
    assert f"it offered ecdsa-sha2-nistp256 {fingerprint(OTHER_KEY)}" in cause


def test_an_unknown_bastion_key_is_refused_unless_accepted(files, opened):
    seen, behaviours = opened
    config, known = files
    known.write_text(f"[10.0.0.6]:22 {HOST_KEY.get_name()} {HOST_KEY.get_base64()}\n")
    behaviours["bastion.example"] = offers(BASTION_KEY)
    with pytest.raises(SourceError) as raised:
        probe(files, host="single").connect()
    assert raised.value.cause.startswith(
        f"bastion bastion.example:2222: host key not in known_hosts {known}: no "
        "ecdsa-sha2-nistp256 key for [bastion.example]:2222, it offered ecdsa-sha2-nistp256 "
        f"{fingerprint(BASTION_KEY)}"
    )
    assert len(seen) == 1  # the host was never tried
    before = known.read_text()
    with pytest.raises(SourceError) as raised:
        probe(files, host="single", accept_new_host_key=True).connect()
    assert raised.value.cause == "cannot connect: no network in unit tests"  # past the bastion
    assert type(seen[-1].client._policy) is TrustForThisRun
    assert known.read_text() == before  # trusted for the run, never written


def test_a_revoked_bastion_key_is_refused_even_when_new_keys_are_accepted(files, opened):
    _, behaviours = opened
    config, known = files
    known.write_text(f"@revoked * {OTHER_KEY.get_name()} {OTHER_KEY.get_base64()}\n")
    behaviours["bastion.example"] = offers(OTHER_KEY)
    with pytest.raises(SourceError, match="bastion bastion.example:2222: host key REVOKED"):
        probe(files, host="single", accept_new_host_key=True).connect()


def test_no_known_hosts_is_refused_before_any_hop(files, opened, tmp_path):
    seen, _ = opened
    with pytest.raises(SourceError, match="known_hosts file .* not found"):
        probe(files, known_hosts=tmp_path / "none").connect()
    assert seen == []


def test_a_bastion_that_will_not_forward_is_named(files, opened):
    _, behaviours = opened
    behaviours["bastion.example"] = lambda link: None

    def prohibited(link: Connection) -> None:
        raise paramiko.ChannelException(1, "Administratively prohibited")

    behaviours["single"] = prohibited
    with pytest.raises(SourceError) as raised:
        probe(files, host="single").connect()
    assert raised.value.cause.startswith(
        "bastion bastion.example:2222: would not open a channel to 10.0.0.6:22: "
        "Administratively prohibited (code 1"
    )


def test_a_host_that_takes_the_connection_and_never_speaks_ssh_is_named_so(tmp_path):
    """A real socket that accepts and stays silent (a wrong port, a wedged sshd): the line says
    the handshake never completed, not that SSH refused or that a session is missing."""
    import socket

    known = tmp_path / "known_hosts"
    known.write_text("")
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("")
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        settings = SshSettings(
            "127.0.0.1", user="root", port=port, known_hosts=known, timeout_s=0.5,
            ssh_config=ssh_config,
        )  # fmt: skip
        with pytest.raises(SourceError) as raised:
            SshProbe(settings).connect()
    assert raised.value.cause.startswith(
        f"the SSH handshake with [127.0.0.1]:{port} did not complete: "
    ), raised.value.cause
    assert "no SSH greeting within 0.5 s" in raised.value.cause
