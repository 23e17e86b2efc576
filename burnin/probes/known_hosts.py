"""known_hosts read the way OpenSSH reads it, and host keys named the way OpenSSH names them."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import paramiko
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

DEFAULT_PORT = 22


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
