"""Files on the bot's host: a glob as `find` can take it, the `find` command that lists its
matches with their times and sizes, and that listing parsed. Used by the backup criterion, the
log file's rotations and doctor; plain functions (the probe runs the commands)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class HostFile:
    path: str
    modified: datetime
    size_bytes: int

    def age(self, now: datetime) -> timedelta:
        return now - self.modified


def split_glob(glob: str) -> tuple[str, str]:
    """`/backups/rosey-*.db` -> (`/backups`, `rosey-*.db`). Wildcards only in the file name:
    `find -maxdepth 1 -name` matches one directory's entries."""
    directory, pattern = posixpath.split(glob.strip())
    if not pattern:
        raise ValueError(f"backup_glob {glob!r} names a directory, not files (e.g. /backups/*.db)")
    if GLOB_CHARS & set(directory):
        raise ValueError(
            f"backup_glob {glob!r}: wildcards are only supported in the file name, not in the "
            f"directory {directory!r}"
        )
    if not directory:
        directory = "."  # relative to the SSH user's home
    elif not directory.startswith(("/", ".")):
        directory = f"./{directory}"  # never read as a find option
    return directory, pattern


def backup_command(directory: str, pattern: str) -> list[str]:
    # LC_ALL=C: find's "No such file or directory" must read the same on every host.
    return [
        "env", "LC_ALL=C", "find", directory, "-maxdepth", "1", "-name", pattern, "-type", "f",
        "-printf", "%T@ %s %p\\n",
    ]  # fmt: skip


def parse_find_listing(stdout: str) -> list[HostFile]:
    """`%T@ %s %p` lines (mtime epoch, size, path), returned newest first."""
    files = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        parts = line.split(" ", 2)
        if len(parts) != 3:
            raise ValueError(f"unexpected find output line {line!r}")
        mtime, size, path = parts
        files.append(HostFile(path, datetime.fromtimestamp(float(mtime), UTC), int(size)))
    return sorted(files, key=lambda f: f.modified, reverse=True)
