"""`python -m burnin doctor --target NAME`: the tools around the suite."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from burnin.config import ConfigError, load_target
from burnin.doctor import diagnose, report
from burnin.probes.ssh import SshProbe, SshSettings
from burnin.promql import parse_selector
from burnin.run import metrics_of

ROOT = Path(__file__).resolve().parent.parent


def _doctor(args: argparse.Namespace) -> int:
    try:
        target = load_target(Path(args.targets_file), {}, os.environ, args.target)
        parse_selector(target["selector"])
    except ConfigError as exc:
        print(f"burnin doctor: configuration: {exc}", file=sys.stderr)
        return 4
    ssh = None
    if target["ssh_host"]:
        ssh = SshProbe(
            SshSettings(
                host=target["ssh_host"],
                user=target["ssh_user"],
                port=target["ssh_port"],
                key=target.path("ssh_key"),
                known_hosts=target.path("known_hosts"),
                accept_new_host_key=target["accept_new_host_key"],
                sudo=target["ssh_sudo"],
                timeout_s=target["timeout_s"],
            )
        )
    print(f"burnin doctor: target {target.name} ({args.targets_file})")
    checks = diagnose(target, metrics_of(target), ssh)
    print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


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
    args = parser.parse_args(argv)
    return _doctor(args)


if __name__ == "__main__":
    sys.exit(main())
