"""The backups over SSH, listed the way the backup criterion lists them: a fresh one matching
the glob, else what the glob found, the files like it nearby and the glob that finds them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from burnin.config import Target
from burnin.criteria.backup import MAX_AGE, age_text, measure_backups
from burnin.doctor.checks import Check, not_checked
from burnin.doctor.host import SUDO_FIX, lost, sudo_refused
from burnin.hostfiles import HostFile, parse_find_listing, split_glob
from burnin.probes.ssh import SshProbe

# The backup criterion wants one younger than 24 h at the 24 h checkpoint; a day later. Before
# the burn-in a daily job may be a little late: a backup of the last ~26 h shows it runs.
BACKUP_RECENT = MAX_AGE + timedelta(hours=2)
NEAR_SHOWN = 5
# Where backups are usually kept, looked through (3 levels deep) when the glob matches nothing.
BACKUP_PLACES = ("/var/backups", "/backups", "/srv/backups", ".")


def backup_what(target: Target) -> str:
    glob = target.settings.backup_glob.strip()
    return f"backups {glob}" if glob else "backups"


def _fresh(files: Sequence[HostFile], now: datetime) -> list[HostFile]:
    return [f for f in files if f.age(now) <= BACKUP_RECENT and f.size_bytes > 0]


def guess_glob(path: str) -> str:
    """A glob for a dated backup's name: /b/rosey-20261127.db -> /b/rosey-*.db."""
    directory, name = posixpath.split(path.removeprefix("./"))
    pattern = re.sub(r"\*(?:[-_.:T]?\*)+", "*", re.sub(r"[0-9]+", "*", name))
    return posixpath.join(directory, pattern)


def near_backups(
    ssh: SshProbe, glob: str, exclude: Iterable[str] = ()
) -> tuple[list[HostFile], str]:
    """Files like the glob's near it (its directory, the one above, the usual backup places,
    3 levels deep): its pattern, a word of it, or its extension. Newest first; and where it
    looked."""
    directory, pattern = split_glob(glob)
    parent = posixpath.dirname(directory.rstrip("/"))
    # Not / itself, 3 levels deep: /proc and all; the glob's listing looked there already.
    places = [p for p in (directory, parent) if p not in ("", "/", ".")]
    places += [p for p in BACKUP_PLACES if p not in places]
    names = [pattern, *(f"*{w}*" for w in re.findall(r"[A-Za-z]{3,}", pattern.split(".")[0]))]
    extension = pattern.rsplit(".", 1)[1] if "." in pattern else ""
    if extension and not set(extension) & set("*?["):
        names += [f"*.{extension}", f"*.{extension}.gz"]
    tests: list[str] = []
    for name in dict.fromkeys(names):
        tests += ["-o", "-name", name] if tests else ["-name", name]
    # Places that do not exist make find exit 1 and say so on stderr; the others still list.
    command = ["env", "LC_ALL=C", "find", *places, "-maxdepth", "3", "-type", "f", "("]
    command += [*tests, ")", "-printf", "%T@ %s %p\\n"]
    result = ssh.run(command, privileged=True)
    skip = set(exclude)
    try:
        listed = parse_find_listing(result.stdout)
    except ValueError:  # a file name with a newline: show nothing rather than half names
        listed = []
    found: dict[str, HostFile] = {}
    for backup in listed:  # places inside each other list a file twice
        if backup.path not in skip:
            found.setdefault(backup.path, backup)
    return list(found.values()), ", ".join(places)


def check_backup(ssh: SshProbe, target: Target) -> Check:
    """The backup criterion's own listing (find over SSH): a non-empty backup of the last
    ~26 h must match the glob. Else what the glob found, the files like it nearby and the glob
    that finds them (or backup_glob = "" to declare the bot has none)."""
    glob = target.settings.backup_glob
    what = backup_what(target)
    if not glob.strip():
        return Check(True, what, 'backup_glob = "": none declared (the backup check is skipped)')
    now = datetime.now(UTC)
    measured = measure_backups(ssh, glob, now)
    result = measured.result
    if result is not None and lost(result):
        return not_checked([what], f"ssh: {result.describe()}")[0]
    if result is None or (measured.files is None and not measured.directory_missing):
        problem = measured.problem or (result.describe() if result else "not asked")
        permission = result is not None and "Permission denied" in result.stderr
        fix = SUDO_FIX if result is not None and sudo_refused(result) else ""
        if permission and not target.settings.ssh_sudo:
            fix = "ssh_sudo = true  (if only root may read the backups)"
        return Check(False, what, f"listing the backups failed: {problem}", fix)
    files = measured.files or []
    fresh = _fresh(files, now)
    if fresh:
        newest = fresh[0]
        return Check(
            True,
            what,
            f"{len(files)} file(s); newest {newest.path}, {newest.size_bytes} bytes, "
            f"{age_text(newest.age(now))} old",
        )
    if measured.directory_missing:
        found = f"the directory of {glob} does not exist"
    elif not files:
        found = f"nothing matches {glob}"
    elif files[0].size_bytes == 0:
        found = f"the newest match {files[0].path} is empty (0 bytes)"
    else:
        found = (
            f"the newest match {files[0].path} is {age_text(files[0].age(now))} old (none in "
            f"the last {BACKUP_RECENT.total_seconds() / 3600:g} h: the job does not run?)"
        )
    near, places = near_backups(ssh, glob, (f.path for f in files))
    if near:
        shown = ", ".join(f"{f.path} ({age_text(f.age(now))} old)" for f in near[:NEAR_SHOWN])
        more = f" and {len(near) - NEAR_SHOWN} more" if len(near) > NEAR_SHOWN else ""
        found += f"; files near: {shown}{more}"
    else:
        found += f"; nothing like it in {places}"
    candidates = _fresh(near, now)
    if candidates:
        fix = f'backup_glob = "{guess_glob(candidates[0].path)}"'
    elif files:
        return Check(False, what, found)  # the glob is right, the backups are not
    else:
        fix = 'backup_glob = "/where/the/backups/are/*.db"'
    return Check(False, what, found, fix + '  (or backup_glob = "" if the bot has none)')
