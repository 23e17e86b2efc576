"""Host keys named as OpenSSH names them (checked against ssh-keygen itself), and known_hosts
read as OpenSSH reads it: hashed entries, [host]:port, marker lines."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import paramiko
import pytest

from burnin.probes.known_hosts import describe_key, entry_name, fingerprint, read_known_hosts

needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is not installed"
)


def make_key(directory: Path, kind: str, name: str = "key") -> Path:
    """A fresh key pair made by ssh-keygen; the public key's path."""
    path = directory / f"{name}-{kind}"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "test", "-f", str(path)], check=True
    )
    return path.with_suffix(".pub")


def public_key(pub: Path) -> paramiko.PKey:
    kind, body = pub.read_text().split()[:2]
    return paramiko.PKey.from_type_string(kind, base64.b64decode(body))


def keygen_fingerprint(pub: Path) -> str:
    """`ssh-keygen -lf`: `256 SHA256:... comment (ED25519)`."""
    out = subprocess.run(
        ["ssh-keygen", "-lf", str(pub)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()[1]


@needs_ssh_keygen
@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_the_fingerprint_is_the_one_ssh_keygen_prints(tmp_path, kind):
    pub = make_key(tmp_path, kind)
    key = public_key(pub)
    assert fingerprint(key) == keygen_fingerprint(pub)
    assert fingerprint(key).startswith("SHA256:") and not fingerprint(key).endswith("=")
    assert describe_key(key) == f"{pub.read_text().split()[0]} {keygen_fingerprint(pub)}"


@needs_ssh_keygen
def test_two_ed25519_keys_differ_in_their_fingerprints(tmp_path):
    """The old message's first 16 base64 characters are the same for every ed25519 key (the
    blob starts with its type); the fingerprints differ."""
    one, two = (public_key(make_key(tmp_path, "ed25519", n)) for n in ("one", "two"))
    assert one.get_base64()[:16] == two.get_base64()[:16]
    assert fingerprint(one) != fingerprint(two)


def test_known_hosts_names_a_port_other_than_22_in_brackets():
    assert entry_name("bastion.example", 22) == "bastion.example"
    assert entry_name("bastion.example", 0) == "bastion.example"
    assert entry_name("10.0.0.9", 2222) == "[10.0.0.9]:2222"


def _client_knows(known_hosts: Path, name: str) -> dict[str, paramiko.PKey]:
    client = paramiko.SSHClient()
    read_known_hosts(known_hosts).install(client)
    return dict(client.get_host_keys().lookup(name) or {})


@needs_ssh_keygen
def test_hashed_entries_are_found_for_the_host_and_a_non_22_port(tmp_path):
    host, bastion = make_key(tmp_path, "ed25519", "host"), make_key(tmp_path, "ed25519", "jump")
    known = tmp_path / "known_hosts"
    known.write_text(
        f"prod.example {' '.join(host.read_text().split()[:2])}\n"
        f"[bastion.example]:2222 {' '.join(bastion.read_text().split()[:2])}\n"
    )
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(known)], check=True, capture_output=True)
    assert "prod.example" not in known.read_text() and known.read_text().startswith("|1|")
    found = _client_knows(known, "prod.example")
    assert fingerprint(found["ssh-ed25519"]) == keygen_fingerprint(host)
    found = _client_knows(known, "[bastion.example]:2222")
    assert fingerprint(found["ssh-ed25519"]) == keygen_fingerprint(bastion)
    assert _client_knows(known, "bastion.example") == {}  # port 22 is another entry
    assert _client_knows(known, "[bastion.example]:2223") == {}


@needs_ssh_keygen
def test_marker_lines_and_broken_lines_do_not_stop_the_reading(tmp_path):
    """paramiko's own reader raises at an @cert-authority or @revoked line: every line after
    it would be lost. A revoked key is kept apart and never installed as known."""
    good, revoked = make_key(tmp_path, "ed25519", "good"), make_key(tmp_path, "ed25519", "bad")
    good_key = " ".join(good.read_text().split()[:2])
    bad_key = " ".join(revoked.read_text().split()[:2])
    known = tmp_path / "known_hosts"
    known.write_text(
        "# a comment\n\n"
        f"@cert-authority *.example {good_key}\n"
        f"@revoked * {bad_key}\n"
        "broken.example ssh-ed25519 !!!not-base64!!!\n"
        "short.example\n"
        "odd.example sk-unknown-type@openssh.com AAAA\n"
        f"old.example {bad_key}\n"
        f"prod.example,10.0.0.5    {good_key}\n"  # several names, several blanks
    )
    read = read_known_hosts(known)
    assert read.is_revoked(public_key(revoked)) and not read.is_revoked(public_key(good))
    assert set(_client_knows(known, "prod.example")) == {"ssh-ed25519"}
    assert set(_client_knows(known, "10.0.0.5")) == {"ssh-ed25519"}
    assert _client_knows(known, "old.example") == {}  # its key is revoked
    assert _client_knows(known, "broken.example") == {}
