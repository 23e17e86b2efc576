"""The floor for the benchmark: the same requests a suite run sent (its trace, ci/trace.py),
issued by a minimal script with the concurrency a run is allowed: HTTP in a pool of
HTTP_POOL, the health GETs one after another on fresh connections, the SSH commands on
SSH_CHANNELS channels of one connection (--one-session: all of them in one session, `cmd1;
cmd2; ...`, as a bare script against a host whose login is slow would), the three lanes at
once. No pytest, no burnin: what the work costs with nothing around it. Prints one JSON line
(times in seconds).

    python ci/floor.py TRACE --key KEY --known-hosts FILE [--one-session]
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import paramiko
import requests

HTTP_POOL = 8
SSH_CHANNELS = 4  # burnin.probes.ssh.MAX_CHANNELS


def http_lane(records: list[dict[str, Any]]) -> None:
    session = requests.Session()

    def send(record: dict[str, Any]) -> bytes:
        body = record.get("body")
        return session.request(record["method"], record["url"], data=body, timeout=10).content

    with ThreadPoolExecutor(HTTP_POOL) as pool:
        list(pool.map(send, records))


def health_lane(records: list[dict[str, Any]]) -> None:
    for record in records:
        parts = urlsplit(record["url"])
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        connection.request("GET", parts.path or "/", headers={"Connection": "close"})
        connection.getresponse().read()
        connection.close()


def ssh_lane(
    connect: dict[str, Any] | None, commands: list[str], key: str, known: str, one_session: bool
) -> None:
    if connect is None:
        return
    client = paramiko.SSHClient()
    client.load_host_keys(known)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        connect["host"], connect["port"], connect["user"], key_filename=key,
        look_for_keys=False, allow_agent=False,
    )  # fmt: skip

    def run(command: str) -> int:
        _stdin, stdout, stderr = client.exec_command(command)
        stdout.read(), stderr.read()
        return stdout.channel.recv_exit_status()

    if one_session and commands:
        run("; ".join(f"{command} </dev/null" for command in commands))
    else:
        with ThreadPoolExecutor(SSH_CHANNELS) as pool:
            list(pool.map(run, commands))
    client.close()


def ssh_commands(records: list[dict[str, Any]]) -> list[str]:
    """The commands the suite ran on the host: a session that ran several (a batch's script)
    counts as its commands."""
    scripts = {r["boundary"]: r["commands"] for r in records if r["kind"] == "ssh-batch"}
    commands: list[str] = []
    for record in records:
        if record["kind"] != "ssh":
            continue
        batch = next((b for b in scripts if b in record["command"]), None)
        commands += scripts[batch] if batch else [record["command"]]
    return commands


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--key", required=True)
    parser.add_argument("--known-hosts", required=True)
    parser.add_argument("--one-session", action="store_true", help="every SSH command in one")
    args = parser.parse_args()
    with open(args.trace) as lines:
        records = [json.loads(line) for line in lines]
    of = {kind: [r for r in records if r["kind"] == kind] for kind in ("http", "health", "ssh")}
    connects = [r for r in records if r["kind"] == "ssh-connect"]
    lanes: dict[str, float] = {}

    def timed(name: str, work: Any, *work_args: Any) -> None:
        started = time.perf_counter()
        work(*work_args)
        lanes[name] = time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        done = [
            pool.submit(timed, "http", http_lane, of["http"]),
            pool.submit(timed, "health", health_lane, of["health"]),
            pool.submit(
                timed, "ssh", ssh_lane, connects[0] if connects else None,
                ssh_commands(records), args.key, args.known_hosts, args.one_session,
            ),
        ]  # fmt: skip
        for future in done:
            future.result()
    wall = time.perf_counter() - started
    counts = {kind: len(found) for kind, found in of.items()}
    counts["ssh"] = len(ssh_commands(records))
    print(json.dumps({"wall_s": wall, "lanes_s": lanes, "counts": counts}))


if __name__ == "__main__":
    main()
