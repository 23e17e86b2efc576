"""known_hosts read the way OpenSSH reads it, and host keys named the way OpenSSH names them."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import paramiko
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

DEFAULT_PORT = 22
LOG = logging.getLogger("burnin.probes.ssh")  # the connection's own log: the policies' words


def fingerprint(key: paramiko.PKey) -> str:
    """The key's fingerprint as `ssh-keygen -lf` and ssh's own messages print it: `SHA256:` and
    the unpadded base64 of the SHA-256 of the key's blob."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def describe_key(key: paramiko.PKey) -> str:
    """`ssh-ed25519 SHA256:...`: the type and the fingerprint, what an operator compares."""
    return f"{key.get_name()} {fingerprint(key)}"


def entry_name(host: str, port: int) -> str:
    """The name known_hosts files a host under: `host` on port 22, else `[host]:port`."""
    return host if port in (0, DEFAULT_PORT) else f"[{host}]:{port}"


@dataclass(frozen=True)
class KnownHosts:
    """A known_hosts file's plain and hashed (`ssh-keygen -H`) entries, and its @revoked keys.

    paramiko's own reader stops at the first line it cannot read (an @cert-authority or
    @revoked marker): here such lines are skipped or kept apart, as OpenSSH does."""

    path: Path
    entries: tuple[HostKeyEntry, ...]
    revoked: frozenset[bytes]  # key blobs marked @revoked: never trusted, for any host

    def install(self, client: paramiko.SSHClient) -> None:
        """Make the client verify hosts against these keys (a revoked key is never known)."""
        keys = client.get_host_keys()
        for entry in self.entries:
            if entry.key.asbytes() in self.revoked:
                continue
            for name in entry.hostnames:
                keys.add(name, entry.key.get_name(), entry.key)

    def is_revoked(self, key: paramiko.PKey) -> bool:
        return key.asbytes() in self.revoked


MARKER = re.compile(r"^@(\S+)\s+(.*)$")


def read_known_hosts(path: Path) -> KnownHosts:
    """Read `path` (raises OSError when it cannot be read). Lines that are not host keys
    paramiko understands (comments, @cert-authority: paramiko checks no host certificates, key
    types it does not know, broken lines) are skipped, as ssh skips what it cannot use."""
    entries: list[HostKeyEntry] = []
    revoked: set[bytes] = set()
    for number, raw in enumerate(path.read_text(errors="replace").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        marker = MARKER.match(line)
        if marker:
            if marker.group(1) == "revoked":
                entry = _entry(marker.group(2), number)
                if entry is not None:
                    revoked.add(entry.key.asbytes())
            continue
        entry = _entry(line, number)
        if entry is not None:
            entries.append(entry)
    return KnownHosts(path, tuple(entries), frozenset(revoked))


def _entry(line: str, number: int) -> HostKeyEntry | None:
    try:  # paramiko splits on single spaces; ssh allows any run of blanks
        entry = HostKeyEntry.from_line(" ".join(line.split()), number)
    except (InvalidHostKey, paramiko.SSHException, ValueError):
        return None
    if entry is None or entry.key is None:
        return None
    return entry


class UnknownHostKey(paramiko.SSHException):
    """A host offered a key that known_hosts does not hold for it (or holds as @revoked)."""

    def __init__(self, name: str, key: paramiko.PKey, known: KnownHosts | None) -> None:
        super().__init__(f"{name} not found in known_hosts")
        self.name = name  # as known_hosts files it: host, or [host]:port
        self.key = key
        self.known = known

    def cause(self) -> str:
        path = self.known.path if self.known else "known_hosts"
        if self.known is not None and self.known.is_revoked(self.key):
            return (
                f"host key REVOKED: {path} marks the key {self.name} offered, "
                f"{describe_key(self.key)}, @revoked (never trusted)"
            )
        return (
            f"host key not in known_hosts {path}: no {self.key.get_name()} key for {self.name}, "
            f"it offered {describe_key(self.key)} (verify that fingerprint, e.g. `ssh-keygen -lf` "
            "of its public host key, and add its line, or pass --accept-new-host-key)"
        )


class RefuseUnknown(paramiko.MissingHostKeyPolicy):
    """A host whose key known_hosts does not hold is refused (paramiko's RejectPolicy, with the
    offered key kept for the message)."""

    def __init__(self, known: KnownHosts | None) -> None:
        self.known = known

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        raise UnknownHostKey(hostname, key, self.known)


class TrustForThisRun(RefuseUnknown):
    """--accept-new-host-key: an unknown key is trusted for this run (a @revoked one never).
    known_hosts is never written: paramiko's AutoAddPolicy would rewrite the whole file, and
    drop the lines it cannot read (@cert-authority, @revoked)."""

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        if self.known is not None and self.known.is_revoked(key):
            raise UnknownHostKey(hostname, key, self.known)
        LOG.warning(
            "trusting %s's host key %s for this run (--accept-new-host-key); known_hosts is "
            "not written",
            hostname,
            describe_key(key),
        )
