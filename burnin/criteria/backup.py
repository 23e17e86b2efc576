"""backup: the daily backup job ran (a non-empty backup newer than 24 h is on the host) and prunes
(nothing older than 30 days is left: a warning only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from burnin.bands import Band
from burnin.clock import MAX_CLOCK_SKEW_S
from burnin.hostfiles import HostFile, backup_command, parse_find_listing, split_glob
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.verdict import Evidence, Verdict

CRITERION = "backup"
MAX_AGE = timedelta(hours=24)
PRUNE_AGE = timedelta(days=30)
LISTED = 40
THRESHOLD = f"newest backup younger than {MAX_AGE.total_seconds() / 3600:g} h and not empty"


@dataclass(frozen=True)
class BackupMeasurement:
    glob: str
    checked_at: datetime
    result: CommandResult | None  # None: nothing was asked (no glob, or one find cannot take)
    files: list[HostFile] | None  # newest first; None: the listing failed
    directory_missing: bool = False
    problem: str = ""


def measure_backups(ssh: SshProbe, glob: str, now: datetime | None = None) -> BackupMeasurement:
    """The backups matching `glob`, their ages told at `now` (the moment a run judges: --at),
    default the moment of asking. At a moment given, a backup stamped after it (beyond the
    host's clock skew tolerance) was not there yet and is left out: two runs judging one moment
    judge the same backups at the same ages, whenever each of them runs."""
    checked_at = now or datetime.now(UTC)
    if not glob.strip():
        return BackupMeasurement(glob, checked_at, None, None)
    try:
        directory, pattern = split_glob(glob)
    except ValueError as exc:
        return BackupMeasurement(glob, checked_at, None, None, problem=str(exc))
    result = ssh.run(backup_command(directory, pattern), privileged=True)
    if not result.ok:
        missing = result.exit_code == 1 and "No such file or directory" in result.stderr
        return BackupMeasurement(glob, checked_at, result, [] if missing else None, missing)
    try:
        files = parse_find_listing(result.stdout)
    except ValueError as exc:
        return BackupMeasurement(glob, checked_at, result, None, problem=str(exc))
    if now is not None:
        latest = now + timedelta(seconds=MAX_CLOCK_SKEW_S)
        files = [f for f in files if f.modified <= latest]
    return BackupMeasurement(glob, checked_at, result, files)


def age_text(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.1f} d"


def _listing(files: list[HostFile], now: datetime) -> str:
    shown = [
        f"{f.modified.isoformat(timespec='seconds')}  {age_text(f.age(now)):>8} old  "
        f"{f.size_bytes:>12} bytes  {f.path}"
        for f in files[:LISTED]
    ]
    if len(files) > LISTED:
        shown.append(f"... {len(files) - LISTED} more")
    return "\n".join(shown)


def pruning_note(files: list[HostFile], now: datetime) -> str:
    """Whether the job's pruning works: a warning, never a failure on its own."""
    stale = [f for f in files if f.age(now) > PRUNE_AGE]
    oldest = files[-1]
    if stale:
        return (
            f"WARNING: {len(stale)} backup(s) older than {PRUNE_AGE.days} days (oldest "
            f"{oldest.path}, {age_text(oldest.age(now))} old): pruning does not seem to work"
        )
    return (
        f"pruning ok: oldest of {len(files)} backup(s) is {age_text(oldest.age(now))} old "
        f"(none older than {PRUNE_AGE.days} days)"
    )


def judge_backup(m: BackupMeasurement) -> Verdict:
    now = m.checked_at
    if not m.glob.strip():
        return Verdict(
            CRITERION,
            Band.SKIPPED,
            None,
            "",
            THRESHOLD,
            "no backup_glob configured for this target: set backup_glob in targets.toml "
            "(or --backup-glob / BURNIN_BACKUP_GLOB) to where the daily backups are",
        )
    if m.result is None or (m.files is None and not m.directory_missing):
        cause = m.problem or (
            f"listing the backups failed: {m.result.describe()}" if m.result else "not asked"
        )
        evidence = () if m.result is None else (
            Evidence("ssh", m.result.command, {"exit": m.result.exit_code}),
        )  # fmt: skip
        return Verdict(CRITERION, Band.SOURCE_ERROR, None, "", THRESHOLD, cause, None, evidence)
    files = m.files or []
    evidence = (
        Evidence(
            "ssh",
            m.result.command,
            {
                "glob": m.glob,
                "checked_at": now.isoformat(timespec="seconds"),
                "backups": len(files),
                "newest": files[0].path if files else None,
            },
            _listing(files, now),
        ),
    )
    if not files:
        where = (
            f"the directory of {m.glob} does not exist on the host"
            if m.directory_missing
            else f"nothing matches {m.glob} on the host"
        )
        return Verdict(
            CRITERION,
            Band.CRITICAL,
            "none",
            "",
            THRESHOLD,
            f"no backup found: {where}",
            None,
            evidence,
        )
    newest = files[0]
    age = newest.age(now)
    age_h = round(age.total_seconds() / 3600, 2)
    problems = []
    if age > MAX_AGE:
        problems.append(
            f"newest backup {newest.path} is {age_text(age)} old: the daily job did not run"
        )
    if newest.size_bytes == 0:
        problems.append(f"newest backup {newest.path} is empty (0 bytes)")
    band = Band.CRITICAL if problems else Band.TARGET
    notes = problems or [f"newest {newest.path}, {newest.size_bytes} bytes"]
    notes.append(pruning_note(files, now))
    return Verdict(CRITERION, band, age_h, "h old", THRESHOLD, "; ".join(notes), None, evidence)
