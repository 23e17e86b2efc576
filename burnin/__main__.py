"""The tools around the suite: `python -m burnin doctor --target NAME` checks that every name
the configuration uses exists; `python -m burnin history` prints the recorded runs;
`python -m burnin watch --deployed-at T` runs the burn-in day's checks on the spec's schedule."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from burnin import watch
from burnin.catalogue import CRITERIA
from burnin.config import SETTINGS, load_target, load_thresholds
from burnin.doctor import check_fleet, diagnose, report
from burnin.errors import ConfigError
from burnin.history import HistoryError, iso, runs, table
from burnin.probes.ssh import SshProbe
from burnin.promql import parse_selector
from burnin.run import metrics_of, ssh_settings_of
from burnin.schedule import parse_time

ROOT = Path(__file__).resolve().parent.parent


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Every target setting as pytest takes it (fixtures/config.py): the same option, dest and
    flags, so a run and its doctor read one configuration (option > env > file > default)."""
    for setting in SETTINGS:
        # Booleans are flags on the command line (set them false in the file or env).
        flag: dict[str, object] = {"action": "store_const", "const": True}
        if setting.kind is not bool:
            flag = {"metavar": setting.key.upper()}
        parser.add_argument(
            setting.option,
            dest=f"burnin_{setting.key}",
            default=None,
            help=f"{setting.help} (env {setting.env})",
            **flag,  # type: ignore[arg-type]
        )


def target_options(args: argparse.Namespace) -> dict[str, object]:
    """The target settings given on the command line (key -> raw value), for load_target."""
    given = {s.key: getattr(args, f"burnin_{s.key}", None) for s in SETTINGS}
    return {key: value for key, value in given.items() if value is not None}


def _doctor(args: argparse.Namespace) -> int:
    # urllib3's "Retrying ... NewConnectionError(...)" and paramiko's banner errors would reach
    # stderr through logging's last resort: the doctor says each failure once, in its words.
    for library in ("urllib3", "paramiko"):
        logging.getLogger(library).addHandler(logging.NullHandler())
    try:
        target = load_target(Path(args.targets_file), target_options(args), os.environ, args.target)
        parse_selector(target.settings.selector)
    except ConfigError as exc:
        print(f"burnin doctor: configuration: {exc}", file=sys.stderr)
        return 4
    print(f"burnin doctor: target {target.name} ({args.targets_file})")
    fleet = check_fleet(target)
    if fleet:
        print(report(fleet))
    ok = all(c.ok for c in fleet)
    for bot in target.bots():  # a fleet: each bot's names, its instance filled in
        if bot.instance:
            print(f"bot {bot.instance}:")
        ssh = SshProbe(ssh_settings_of(bot)) if bot.settings.ssh_host else None
        checks = diagnose(bot, metrics_of(bot), ssh)
        print(report(checks))
        ok = ok and all(c.ok for c in checks)
    return 0 if ok else 1


def _history(args: argparse.Namespace) -> int:
    path = Path(args.db or _default_history(args.reports_dir))
    try:
        deployment = None
        if args.deployed_at:
            deployment = iso(parse_time(args.deployed_at, "--deployed-at"))
        found = runs(path, args.target, deployment, shards=not args.releases)
    except (ConfigError, HistoryError) as exc:
        print(f"burnin history: {exc}", file=sys.stderr)
        return 4
    if args.releases:
        from burnin.report.releases import release_rows, releases_table

        releases = release_rows(found)
        if args.json:
            print(json.dumps([dataclasses.asdict(row) for row in releases], indent=2))
        elif not releases:
            print(f"burnin history: no checkpoint recorded in {path}")
        else:
            print(releases_table(releases))
        return 0
    if args.json:
        print(json.dumps([dataclasses.asdict(run) for run in found], indent=2))
    elif not found:
        print(f"burnin history: no runs recorded in {path}")
    else:
        print(table(found))
    return 0


def _watch(args: argparse.Namespace) -> int:
    extra = [a for a in args.pytest_args if a != "--"]
    try:
        thresholds = load_thresholds(Path(args.thresholds), CRITERIA)
        cli = {"deployed_at": args.deployed_at} if args.deployed_at else {}
        target = load_target(Path(args.targets_file), cli, os.environ, args.target)
        speed = math.inf if args.speed == "max" else float(args.speed)
        if not speed >= 1:
            raise ConfigError(f"--speed {args.speed}: expected a number >= 1 or max")
    except ValueError:
        print(f"burnin watch: --speed {args.speed}: expected a number >= 1 or max", file=sys.stderr)
        return 4
    except ConfigError as exc:
        print(f"burnin watch: configuration: {exc}", file=sys.stderr)
        return 4
    if target.deployed_at is None:
        print(
            "burnin watch: needs the deployment start: add --deployed-at 2026-11-28T09:00:00+00:00 "
            "(or deployed_at in the targets file, env BURNIN_DEPLOYED_AT)",
            file=sys.stderr,
        )
        return 4
    slots = watch.schedule(thresholds.phases)
    deployed = target.deployed_at.astimezone(UTC)
    db = Path(args.history_db)
    settings = watch.WatchSettings(
        deployed,
        db,
        (
            f"--target={target.name}",
            f"--targets-file={args.targets_file}",
            f"--thresholds={args.thresholds}",
            *extra,
        ),
    )
    clock: watch.Clock = watch.Clock()
    if speed != 1:
        end = slots[-1].moment(deployed)
        if end > datetime.now(UTC):
            print(
                f"burnin watch: --speed replays a day that is over, and this one ends at "
                f"{end.isoformat(timespec='seconds')}; leave --speed out to watch it live",
                file=sys.stderr,
            )
            return 4
        found = watch.runs(db, target.name, deployed.isoformat(timespec="seconds"))
        clock = watch.CompressedClock(
            watch.first_open(slots, deployed, found).moment(deployed), speed
        )
    print(
        f"burnin watch: {target.name}, deployed {deployed:%Y-%m-%d %H:%M} UTC: {len(slots)} checks "
        f"to {slots[-1].label()}, history {db}"
        + ("" if speed == 1 else f", replayed at speed {args.speed}")
    )
    watch.stop_on_sigterm()
    try:
        return watch.watch(
            slots, settings, clock, watch.subprocess_runner(settings), target=target.name
        )
    except (KeyboardInterrupt, watch.WatchStopped):
        print("burnin watch: stopped; the same command resumes from the history")
        return 130


def _merge(args: argparse.Namespace) -> int:
    """The shards' records joined and written as one run's, by the plugins that write a run's
    (fixtures.replay replays the shards' reports through them)."""
    import pytest

    if str(ROOT) not in sys.path:  # the project's pytest glue (fixtures/) writes the record
        sys.path.insert(0, str(ROOT))
    options = ["--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), "--noconftest", "-q"]
    for plugin in ("fixtures.replay", "fixtures.config", "fixtures.report", "fixtures.history"):
        options += ["-p", plugin]
    options += ["-p", "no:xdist", *(f"--burnin-merge={path}" for path in args.records)]
    if args.reports_dir:
        options.append(f"--reports-dir={args.reports_dir}")
    if args.history_db:
        options.append(f"--history-db={args.history_db}")
    return int(pytest.main(options))


def _default_history(reports_dir: str | None = None) -> str:
    """The suite's own default (fixtures/history.py): BURNIN_HISTORY_DB, else history.sqlite in
    the reports directory (--reports-dir > BURNIN_REPORTS_DIR > reports/)."""
    reports = reports_dir or os.environ.get("BURNIN_REPORTS_DIR") or str(ROOT / "reports")
    return os.environ.get("BURNIN_HISTORY_DB") or str(Path(reports) / "history.sqlite")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m burnin")
    sub = parser.add_subparsers(dest="command", required=True)
    doctor = sub.add_parser(
        "doctor",
        help="check that everything a run of the target uses exists and answers",
        description="Asks each source whether everything a run uses is there: one line per "
        "check, the line to write for a missing one. Takes every target option the suite takes "
        "(option > BURNIN_* env > targets file > default). Exit code 0 when everything is there, "
        "1 when anything is missing or could not be checked, 4 for a configuration mistake.",
    )
    doctor.add_argument("--target", default=None, help="target name (env BURNIN_TARGET)")
    doctor.add_argument(
        "--targets-file",
        default=os.environ.get("BURNIN_TARGETS_FILE", str(ROOT / "targets.toml")),
        help="targets file (env BURNIN_TARGETS_FILE; default targets.toml)",
    )
    add_target_options(doctor)
    history = sub.add_parser("history", help="the recorded runs of a deployment, oldest first")
    history.add_argument("--target", default=None, help="only this target's runs")
    history.add_argument(
        "--deployed-at", default=None, help="only this deployment's runs (ISO 8601 with offset)"
    )
    history.add_argument(
        "--db",
        default=None,
        help="the history database (env BURNIN_HISTORY_DB; default history.sqlite in the "
        "reports directory)",
    )
    history.add_argument(
        "--reports-dir",
        default=None,
        help="the reports directory whose history.sqlite is read, as the suite's --reports-dir "
        "(env BURNIN_REPORTS_DIR; default reports/)",
    )
    history.add_argument("--json", action="store_true", help="JSON for tools")
    history.add_argument(
        "--releases",
        action="store_true",
        help="the trend across releases: each deployment's latest checkpoint, its values and how "
        "it compared with the previous release",
    )
    watcher = sub.add_parser(
        "watch",
        help="run the burn-in day: smoke checks on the spec's schedule, each checkpoint when due",
        description="Smoke checks every 15 minutes for hours 0-4, hourly to hour 12, every 4 hours "
        "to 24; the 6, 12 and 24 h checkpoints when due. Each check is a pytest session of the "
        "suite (arguments after -- go to it). Exit code: the last checkpoint's state, 0 OK, "
        "1 WARNING, 2 CRITICAL, 3 UNKNOWN; 4 usage error; 130 stopped.",
    )
    watcher.add_argument("--deployed-at", default=None, help="deployment start, ISO 8601")
    watcher.add_argument("--target", default=None, help="target name (env BURNIN_TARGET)")
    watcher.add_argument(
        "--targets-file",
        default=os.environ.get("BURNIN_TARGETS_FILE", str(ROOT / "targets.toml")),
        help="targets file (env BURNIN_TARGETS_FILE; default targets.toml)",
    )
    watcher.add_argument(
        "--thresholds",
        default=os.environ.get("BURNIN_THRESHOLDS", str(ROOT / "thresholds.toml")),
        help="thresholds file (env BURNIN_THRESHOLDS; default thresholds.toml)",
    )
    watcher.add_argument(
        "--history-db",
        default=_default_history(),
        help="the history database (env BURNIN_HISTORY_DB; default reports/history.sqlite)",
    )
    watcher.add_argument(
        "--speed",
        default="1",
        help="replay a past day N times faster, judging each check at its simulated moment "
        "(--at); max runs each check straight after the last. Default 1: live",
    )
    watcher.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then pytest options")
    merger = sub.add_parser(
        "merge",
        help="join the JSON records of a fleet run's shards (--shard I/N) into the fleet's record",
        description="Reads every shard's JSON record (a run with --shard I/N writes its whole "
        "record there) and writes the HTML, Markdown, JSON, JUnit XML and history row one "
        "unsharded run would have written. Refuses shards of different runs, a shard given "
        "twice and an incomplete set. Exit code: the run's, as pytest's (0 all passed, 1 some "
        "did not); 4 when the files cannot be merged.",
    )
    merger.add_argument("records", nargs="+", metavar="SHARD.json", help="each shard's JSON")
    merger.add_argument(
        "--reports-dir",
        default=None,
        help="where the fleet's record goes (env BURNIN_REPORTS_DIR; default reports/)",
    )
    merger.add_argument(
        "--history-db",
        default=None,
        help="the history database (env BURNIN_HISTORY_DB; default history.sqlite in the "
        "reports directory)",
    )
    args = parser.parse_args(argv)
    commands = {"doctor": _doctor, "history": _history, "watch": _watch, "merge": _merge}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
