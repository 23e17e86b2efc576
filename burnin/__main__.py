"""The tools around the suite: `python -m burnin doctor --target NAME` checks that every name
the configuration uses exists; `python -m burnin history` prints the recorded runs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from burnin.config import ConfigError, load_target, parse_time
from burnin.doctor import diagnose, report
from burnin.history import HistoryError, iso, runs, table
from burnin.probes.ssh import SshProbe
from burnin.promql import parse_selector
from burnin.run import metrics_of, ssh_settings_of

ROOT = Path(__file__).resolve().parent.parent


def _doctor(args: argparse.Namespace) -> int:
    try:
        target = load_target(Path(args.targets_file), {}, os.environ, args.target)
        parse_selector(target["selector"])
    except ConfigError as exc:
        print(f"burnin doctor: configuration: {exc}", file=sys.stderr)
        return 4
    ssh = SshProbe(ssh_settings_of(target)) if target["ssh_host"] else None
    print(f"burnin doctor: target {target.name} ({args.targets_file})")
    checks = diagnose(target, metrics_of(target), ssh)
    print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


def _history(args: argparse.Namespace) -> int:
    path = Path(args.db)
    try:
        deployment = None
        if args.deployed_at:
            deployment = iso(parse_time(args.deployed_at, "--deployed-at"))
        found = runs(path, args.target, deployment)
    except (ConfigError, HistoryError) as exc:
        print(f"burnin history: {exc}", file=sys.stderr)
        return 4
    if args.json:
        print(json.dumps([dataclasses.asdict(run) for run in found], indent=2))
    elif not found:
        print(f"burnin history: no runs recorded in {path}")
    else:
        print(table(found))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m burnin")
    sub = parser.add_subparsers(dest="command", required=True)
    doctor = sub.add_parser(
        "doctor", help="check that every name the target's configuration uses exists"
    )
    doctor.add_argument("--target", default=None, help="target name (env BURNIN_TARGET)")
    doctor.add_argument(
        "--targets-file",
        default=os.environ.get("BURNIN_TARGETS_FILE", str(ROOT / "targets.toml")),
        help="targets file (env BURNIN_TARGETS_FILE; default targets.toml)",
    )
    history = sub.add_parser("history", help="the recorded runs of a deployment, oldest first")
    history.add_argument("--target", default=None, help="only this target's runs")
    history.add_argument(
        "--deployed-at", default=None, help="only this deployment's runs (ISO 8601 with offset)"
    )
    history.add_argument(
        "--db",
        default=os.environ.get("BURNIN_HISTORY_DB", str(ROOT / "reports" / "history.sqlite")),
        help="the history database (env BURNIN_HISTORY_DB; default reports/history.sqlite)",
    )
    history.add_argument("--json", action="store_true", help="JSON for tools")
    args = parser.parse_args(argv)
    return _doctor(args) if args.command == "doctor" else _history(args)


if __name__ == "__main__":
    sys.exit(main())
