"""`python -m burnin.sandbox up --scenario NAME | down | status`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

from burnin.sandbox import SCENARIOS, down, status, up


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m burnin.sandbox", description="sandbox production for burnin's own tests"
    )
    sub = ap.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="start (or switch) the sandbox")
    p_up.add_argument("--scenario", default="healthy", choices=sorted(SCENARIOS))
    p_up.add_argument(
        "--bots",
        type=int,
        default=1,
        help="a fleet: the bot scraped and backfilled as instances bot-1 ... bot-N",
    )
    p_up.add_argument(
        "--front",
        action="store_true",
        help="also TLS, mTLS, basic-auth and bearer-token servers in front (status: .front)",
    )
    sub.add_parser("down", help="stop the sandbox")
    sub.add_parser("status", help="print the running sandbox as JSON")
    args = ap.parse_args(argv)
    if args.command == "up":
        t0 = time.monotonic()
        info = up(args.scenario, bots=args.bots, front=args.front)
        print(json.dumps(dataclasses.asdict(info), indent=2))
        print(f"up took {time.monotonic() - t0:.1f} s", file=sys.stderr)
    elif args.command == "down":
        t0 = time.monotonic()
        down()
        print(f"down took {time.monotonic() - t0:.1f} s", file=sys.stderr)
    else:
        found = status()
        if found is None:
            print("sandbox is down")
            return 1
        print(json.dumps(dataclasses.asdict(found), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
