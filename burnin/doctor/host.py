"""The bot's unit and its logs over SSH (the journal, or the log file it writes), asked the way a
run asks them; and what every command over SSH may say instead of an answer (the connection
lost, sudo refused)."""

from __future__ import annotations

from datetime import UTC, datetime

from burnin.config import Target
from burnin.criteria.host import JOURNAL_ACCESS_HINT
from burnin.doctor.checks import RECENT, Check, not_checked
from burnin.doctor.names import closest
from burnin.probes.ssh import CommandResult, SshProbe


def lost(result: CommandResult) -> bool:
    """The command did not finish (connection lost, timed out): nothing was learnt."""
    return result.exit_code is None


def sudo_refused(result: CommandResult) -> bool:
    return result.exit_code not in (0, None) and "sudo:" in result.stderr


SUDO_FIX = (
    "let the SSH user run systemctl, journalctl, stat and find with `sudo -n` (sudoers "
    "NOPASSWD), or ssh_sudo = false with a login that may read them"
)


def logs_what(target: Target) -> str:
    return (
        f"log file {target['log_file']}"
        if target.settings.log_file
        else f"journal of {target['unit']}"
    )


def check_unit(ssh: SshProbe, target: Target) -> list[Check]:
    unit = target.settings.unit
    show = ssh.run(
        ["systemctl", "show", "-p", "LoadState", "-p", "StandardOutput", unit], privileged=True
    )
    if lost(show):
        return not_checked([f"unit {unit}", logs_what(target)], f"ssh: {show.describe()}")
    if sudo_refused(show):
        return [
            Check(False, f"unit {unit}", f"sudo -n refused: {show.describe()}", SUDO_FIX),
            *not_checked([logs_what(target)], "sudo -n refused (see above)"),
        ]
    properties = dict(line.split("=", 1) for line in show.stdout.splitlines() if "=" in line)
    if not show.ok or properties.get("LoadState") != "loaded":
        listing = ssh.run(
            ["systemctl", "list-units", "--all", "--type=service", "--no-legend", "--plain"],
            privileged=True,
        )
        units = [
            line.split()[0].removesuffix(".service")
            for line in listing.stdout.splitlines()
            if line.split()
        ]
        near = closest(unit, units)
        return [
            Check(
                False,
                f"unit {unit}",
                f"no such unit on the host ({show.describe() if not show.ok else 'not-found'}); "
                f"closest: {', '.join(near) or 'none'}",
                f'unit = "{near[0]}"' if near else "",
            ),
            *not_checked([logs_what(target)], f"the unit {unit} is not on the host"),
        ]
    checks = [Check(True, f"unit {unit}", "loaded")]
    output = properties.get("StandardOutput", "")
    checks.append(check_logs(ssh, target, output))
    return checks


def check_logs(ssh: SshProbe, target: Target, standard_output: str) -> Check:
    log_file = target.settings.log_file
    unit = target.settings.unit
    if log_file:
        what = f"log file {log_file}"
        stat = ssh.run(["stat", "-c", "%Y %s", log_file], privileged=True)
        readable = ssh.run(["test", "-r", log_file], privileged=True)
        if lost(stat) or lost(readable):
            return not_checked([what], f"ssh: {(stat if lost(stat) else readable).describe()}")[0]
        if not stat.ok or not readable.ok:
            return Check(False, what, f"not readable: {stat.describe()}")
        mtime, size = (float(x) for x in stat.stdout.split()[:2])
        age_s = datetime.now(UTC).timestamp() - mtime
        recent = age_s <= 3600
        return Check(
            recent,
            what,
            f"{size:g} bytes, last written {age_s / 60:.0f} min ago"
            + ("" if recent else ": not written in the last hour (the bot logs elsewhere?)"),
        )
    journal = ssh.run(
        [
            "journalctl",
            "--no-pager",
            "-q",
            "-u",
            unit,
            "--since",
            f"-{RECENT}",
            "-n",
            "1",
            "-o",
            "cat",
        ],
        privileged=True,
    )
    what = f"journal of {unit}"
    if lost(journal):
        return not_checked([what], f"ssh: {journal.describe()}")[0]
    if journal.ok and journal.stdout.strip():
        return Check(True, what, f"entries in the last {RECENT}")
    fix = ""
    if standard_output.startswith(("append:", "file:")):
        fix = f'log_file = "{standard_output.split(":", 1)[1]}"  (the unit writes there)'
    return Check(
        False,
        what,
        f"no journal entries from the unit in the last {RECENT}"
        + (f"; its StandardOutput is {standard_output}" if standard_output else "")
        + ("" if target.settings.ssh_sudo or fix else f" ({JOURNAL_ACCESS_HINT})"),
        fix,
    )
