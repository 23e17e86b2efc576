"""burnin's benchmark: measures, in one run against the sandbox production, where the suite's
time goes and what its two sharing decisions save. Prints measured values and ratios.

    ci/bench               (brings the sandbox up with the healthy scenario, takes it down after)
    ci/bench --fleet 10    (the fleet measured: its start, and checkpoint_24h over 1, 10 and
                            that many of its bots; default 100: about 2.5 minutes more)
    ci/bench --startup-only (start-up and collection against a bare pytest run, ~10 s, no
                            sandbox: what a run pays before its first request)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import burnin.sandbox as sandbox
from burnin.criteria.connection import step_for
from burnin.probes.health import HealthProbe
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import SshProbe, SshSettings
from burnin.schedule import Window

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 10


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def peak_rss_mb(command: list[str]) -> float:
    """The peak resident memory of one run of `command` (its own rusage, not its siblings')."""
    return measured(command, dict(os.environ))[1]


def median_of(runs: int, action: Callable[[], object]) -> float:
    return statistics.median(timed(action) for _ in range(runs))


def smoke_against_the_script(info: sandbox.SandboxInfo) -> list[tuple[str, float]]:
    """`pytest -m smoke` as a user runs it vs the spec's check-production.sh (ci/ copy), whole
    processes, median of 3; and what bounds the suite: start-up, the checks."""
    env = {
        **os.environ,
        "PROD_HOST": info.host,
        "HEALTH_PORT": str(info.ports["bot"]),
        "SSH_PORT": str(info.ports["ssh"]),
        "SSH_KEY": info.ssh_key,
        "KNOWN_HOSTS": info.known_hosts,
    }
    script = ["bash", str(ROOT / "ci" / "check-production.sh")]
    smoke = [
        sys.executable, "-m", "pytest", "-m", "smoke", "--target", "sandbox", "-q",
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
        f"--reports-dir={ROOT / 'reports' / 'bench'}",
        f"--history-db={ROOT / 'reports' / 'bench' / 'history.sqlite'}",
    ]  # fmt: skip
    quiet = {"cwd": ROOT, "capture_output": True, "check": False}
    script_s = median_of(3, lambda: subprocess.run(script, env=env, **quiet))  # type: ignore[call-overload]
    smoke_s = median_of(3, lambda: subprocess.run(smoke, **quiet))  # type: ignore[call-overload]
    collect_s = median_of(3, lambda: subprocess.run([*smoke, "--co"], **quiet))  # type: ignore[call-overload]
    bare_s = median_of(3, lambda: subprocess.run([sys.executable, "-c", "pass"], **quiet))  # type: ignore[call-overload]
    return [
        ("check-production.sh (spec), whole run", script_s),
        ("pytest -m smoke, whole run (report + history)", smoke_s),
        ("  of which python + pytest start-up + collection", collect_s),
        ("  python start-up alone", bare_s),
    ]


def startup_against_bare(runs: int = 7) -> list[tuple[str, str]]:
    """Start-up and collection of a checkpoint run (`pytest --co -m checkpoint_24h`: plugins
    loaded, configuration checked, tests collected) against a bare pytest run of one empty test
    in the same venv, side by side: the two interleaved, `runs` of each, medians. Both with the
    venv's own plugins, then both without the dev plugin hypothesis (a production install has
    none). Bytecode is written (a warm-up run of each first), as on a user's machine: under
    PYTHONDONTWRITEBYTECODE burnin's modules would be compiled at every start, the empty
    test's one line not."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def took(command: list[str], cwd: Path | str) -> float:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:  # a refused configuration would be quick, and measure nothing
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stdout}")
        return elapsed

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as empty:
        (Path(empty) / "test_empty.py").write_text("def test_x():\n    pass\n")
        for plugins, extra in (
            ("venv's plugins", []),
            ("no hypothesis", ["-p", "no:hypothesispytest"]),
        ):
            pytest_ = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
            bare = [*pytest_, "test_empty.py"]
            suite = [*pytest_, "--collect-only", "-m", "checkpoint_24h", "--target", "sandbox"]
            for command, cwd in ((bare, empty), (suite, ROOT)):
                took(command, cwd)  # the warm-up: bytecode written, not counted
            pairs = [(took(bare, empty), took(suite, ROOT)) for _ in range(runs)]
            bare_s = statistics.median(b for b, _ in pairs)
            suite_s = statistics.median(s for _, s in pairs)
            rows += [
                (f"bare pytest, one empty test ({plugins}; median of {runs})", f"{bare_s:.2f} s"),
                (f"start-up and collection, --co -m checkpoint_24h ({plugins})", f"{suite_s:.2f} s"),
                (f"start-up and collection / bare pytest of one empty test ({plugins}; goal <= 1.3)",
                 f"{suite_s / bare_s:.2f}x"),
            ]  # fmt: skip
    return rows


def real_run_startup(runs: int = 5) -> list[tuple[str, str]]:
    """A real checkpoint_24h run's start-up: from its process's launch to its tests' start, when
    the session-start gathering has sent its first requests (ci/startclock.py), against a whole
    bare pytest run of one empty test, side by side, medians; both without hypothesis, bytecode
    written (see startup_against_bare). Needs the sandbox up."""
    bench = ROOT / "reports" / "bench-startup"
    bench.mkdir(parents=True, exist_ok=True)
    stamp = bench / "started"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"BURNIN_STARTCLOCK": str(stamp), "PYTHONPATH": str(ROOT)}
    plugins = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "ci.startclock"]
    suite = [
        sys.executable, "-m", "pytest", "-m", "checkpoint_24h", "--target", "sandbox", "-q",
        *plugins, f"--reports-dir={bench}", f"--history-db={bench / 'history.sqlite'}",
    ]  # fmt: skip

    def started_s(command: list[str], cwd: Path | str) -> tuple[float, float]:
        """(launch -> the tests' start, launch -> exit) of one run."""
        stamp.unlink(missing_ok=True)
        launched = time.time()
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        ended = time.time()
        return float(stamp.read_text()) - launched, ended - launched

    with tempfile.TemporaryDirectory() as empty:
        (Path(empty) / "test_empty.py").write_text("def test_x():\n    pass\n")
        bare = [sys.executable, "-m", "pytest", "-q", *plugins, "test_empty.py"]
        for command, cwd in ((bare, empty), (suite, ROOT)):
            started_s(command, cwd)  # the warm-up: bytecode written, not counted
        pairs = [(started_s(bare, empty)[1], started_s(suite, ROOT)[0]) for _ in range(runs)]
    bare_s = statistics.median(b for b, _ in pairs)
    suite_s = statistics.median(s for _, s in pairs)
    return [
        (f"checkpoint_24h run: launch to its tests' start, gathering under way (median of {runs})",
         f"{suite_s:.2f} s"),
        ("  / bare pytest of one empty test, whole run (no hypothesis; goal <= 1.3)",
         f"{suite_s / bare_s:.2f}x"),
    ]  # fmt: skip


def checkpoint_against_the_floor(
    info: sandbox.SandboxInfo, target: str = "sandbox", host: str = ""
) -> list[tuple[str, str]]:
    """`pytest -m checkpoint_24h` vs the floor: the same requests (traced from one run of the
    suite, ci/trace.py) sent by a minimal script with the run's allowed concurrency
    (ci/floor.py). Whole processes and in-process parts, medians of 3; the trace says where
    the suite's in-process time went. `host`: the rows' name for a target other than the plain
    sandbox, whose floor sends its SSH commands in one session (`cmd1; cmd2; ...`)."""
    bench = ROOT / "reports" / ("bench" if not host else f"bench-{target}")
    bench.mkdir(parents=True, exist_ok=True)
    trace = bench / "trace.jsonl"
    suite = [
        sys.executable, "-m", "pytest", "-m", "checkpoint_24h", "--target", target, "-q",
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", f"--reports-dir={bench}",
        f"--history-db={bench / 'history.sqlite'}",
    ]  # fmt: skip
    floor = [
        sys.executable, str(ROOT / "ci" / "floor.py"), str(trace), "--key", info.ssh_key,
        "--known-hosts", info.known_hosts, *(["--one-session"] if host else []),
    ]  # fmt: skip
    quiet = {"cwd": ROOT, "capture_output": True, "check": False, "text": True}
    trace.unlink(missing_ok=True)  # ci/trace.py appends (pytest-xdist's processes each add)
    subprocess.run(
        [*suite, "-p", "ci.trace"], env={**os.environ, "BURNIN_TRACE": str(trace)}, **quiet
    )  # type: ignore[call-overload]
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    suite_s = median_of(3, lambda: subprocess.run(suite, **quiet))  # type: ignore[call-overload]
    collect_s = median_of(3, lambda: subprocess.run([*suite, "--co"], **quiet))  # type: ignore[call-overload]
    answers: list[dict[str, Any]] = []

    def run_floor() -> None:
        done = subprocess.run(floor, **quiet)  # type: ignore[call-overload]
        answers.append(json.loads(done.stdout))

    floor_s = median_of(3, run_floor)
    rss_mb = peak_rss_mb(suite)
    floor_in = statistics.median(a["wall_s"] for a in answers)
    lanes = {k: statistics.median(a["lanes_s"][k] for a in answers) for k in answers[0]["lanes_s"]}
    kinds = {k: [r for r in records if r["kind"] == k] for k in ("http", "health", "ssh")}
    phases = {r["name"]: r["t1"] - r["t0"] for r in records if r["kind"] == "phase"}
    sent = [r for r in records if r["kind"] != "phase"]
    first = min(r["t0"] for r in sent)
    last = max(r["t1"] for r in sent)
    busy = {k: sum(r["t1"] - r["t0"] for r in found) for k, found in kinds.items()}
    suite_in = suite_s - collect_s
    if host:
        return [
            (f"checkpoint_24h on {host}, whole run (median of 3)", f"{suite_s:.2f} s"),
            ("  SSH sessions / commands", f"{len(kinds['ssh'])} / {answers[0]['counts']['ssh']}"),
            (f"floor on {host} (SSH commands in one session), whole run", f"{floor_s:.2f} s"),
            ("  lanes: http / health / SSH", " / ".join(f"{lanes[k]:.2f} s" for k in lanes)),
            (f"checkpoint_24h / floor on {host}, whole run (goal <= 2)",
             f"{suite_s / floor_s:.1f}x"),
        ]  # fmt: skip
    return [
        ("checkpoint_24h, whole run (median of 3)", f"{suite_s:.2f} s"),
        ("  of which start-up + collection", f"{collect_s:.2f} s"),
        ("  requests: http / health GETs / SSH commands",
         " / ".join(str(len(kinds[k])) for k in kinds)),
        ("  traced run: tests / session finish (report, history)",
         " / ".join(f"{phases.get(k, 0.0):.2f} s" for k in ("tests", "session finish (report, history)"))),
        ("  traced run: first request to last answer", f"{last - first:.2f} s"),
        ("  time inside requests: http / health / SSH",
         " / ".join(f"{busy[k]:.2f} s" for k in kinds)),
        ("floor (ci/floor.py, same requests), whole run", f"{floor_s:.2f} s"),
        ("  in-process (three lanes at once)", f"{floor_in:.2f} s"),
        ("  lanes: http / health / SSH", " / ".join(f"{lanes[k]:.2f} s" for k in lanes)),
        ("checkpoint_24h peak RSS, one bot (goal at 100 bots <= 200 MB)", f"{rss_mb:.0f} MB"),
        ("checkpoint_24h / floor on the plain host, whole run (goal <= 2)",
         f"{suite_s / floor_s:.1f}x"),
        ("checkpoint_24h / floor, in-process (goal <= 1.3)", f"{suite_in / floor_in:.1f}x"),
    ]  # fmt: skip


def stalled_prometheus() -> list[tuple[str, str]]:
    """checkpoint_24h's Prometheus criteria against a Prometheus that takes every connection
    and never answers, --source-timeout=2: what the dead source costs the whole run (the
    tests count its connections; the time is measured here)."""
    timeout_s = 2.0
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])  # kept open, never answered
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    bench = ROOT / "reports" / "bench-stalled"
    suite = [
        sys.executable, "-m", "pytest", "-m", "checkpoint_24h", "--target", "sandbox", "-q",
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", f"--reports-dir={bench}",
        f"--history-db={bench / 'history.sqlite'}", "-k", "not health and not service and "
        "not logs and not backup and not channel and not restarts and not sign and not functional",
        f"--prometheus-url=http://127.0.0.1:{listener.getsockname()[1]}",
        f"--source-timeout={timeout_s:g}",
    ]  # fmt: skip
    quiet = {"cwd": ROOT, "capture_output": True, "check": False}
    wall_s = timed(lambda: subprocess.run(suite, **quiet))  # type: ignore[call-overload]
    collect_s = timed(lambda: subprocess.run([*suite, "--co"], **quiet))  # type: ignore[call-overload]
    connections = len(held)
    listener.close()
    for connection in held:
        connection.close()
    return [
        ("Prometheus stalled (never answers), --source-timeout=2: whole run; connections",
         f"{wall_s:.2f} s; {connections}"),
        ("  its cost beyond start-up + collection, in timeouts (goal <= 2: one try, one retry)",
         f"{(wall_s - collect_s) / timeout_s:.1f}"),
    ]  # fmt: skip


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped here; Popen must not wait for it again
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def fleet(bots: int) -> list[tuple[str, str]]:
    """The sandbox's start as a fleet of `bots` (its history backfilled once per bot), then
    `pytest -m checkpoint_24h` over 1, 10 and `bots` of its bots (instances + {instance} in the
    selector): wall time, Prometheus queries sent (ci/trace.py) and peak RSS of each."""
    command = [sys.executable, "-m", "burnin.sandbox", "up", "--scenario", "healthy"]
    up_s, up_rss = measured([*command, "--bots", str(bots)], dict(os.environ))
    rows = [(f"sandbox up (healthy) as a fleet of {bots} bots; peak RSS",
             f"{up_s:.1f} s; {up_rss:.0f} MB")]  # fmt: skip
    bench = ROOT / "reports" / "bench-fleet"
    bench.mkdir(parents=True, exist_ok=True)
    trace = bench / "trace.jsonl"
    walls: dict[int, float] = {}
    queries: dict[int, int] = {}

    def run(n: int, *extra: str) -> tuple[float, float, dict[str, int]]:
        instances = ",".join(f"bot-{i}" for i in range(1, n + 1))
        suite = [
            sys.executable, "-m", "pytest", "-m", "checkpoint_24h", "--target", "sandbox", "-q",
            "-p", "no:cacheprovider", "-p", "no:hypothesispytest", f"--reports-dir={bench}",
            f"--history-db={bench / 'history.sqlite'}", f"--instances={instances}",
            '--selector=env="production", instance="{instance}"', "-p", "ci.trace", *extra,
        ]  # fmt: skip
        trace.unlink(missing_ok=True)
        wall, rss = measured(suite, {**os.environ, "BURNIN_TRACE": str(trace)})
        records = [json.loads(line) for line in trace.read_text().splitlines()]
        prometheus = sum(1 for r in records if "/api/v1/query" in r.get("url", ""))
        counts = {
            "queries": prometheus,
            "others": sum(1 for r in records if r["kind"] == "http") - prometheus,
            "health": sum(1 for r in records if r["kind"] == "health"),
            "ssh": sum(1 for r in records if r["kind"] == "ssh"),
        }
        return wall, rss, counts

    peaks: dict[int, float] = {}
    for n in sorted({1, min(10, bots), bots}):
        walls[n], peaks[n], c = run(n)
        rss = peaks[n]
        queries[n] = c["queries"]
        rows.append((
            f"checkpoint_24h, fleet of {n} bots: wall; Prometheus queries (other HTTP, health, "
            "SSH); peak RSS",
            f"{walls[n]:.2f} s; {queries[n]} ({c['others']}, {c['health']}, {c['ssh']}); "
            f"{rss:.0f} MB",
        ))  # fmt: skip
    most = max(walls)
    # pytest-xdist: two workers, each asking what its tests need (one record, the controller's).
    wall, rss, c = run(most, "-n", "2")
    rows.append((
        f"checkpoint_24h, fleet of {most} bots, -n 2: wall; Prometheus queries; largest process",
        f"{wall:.2f} s; {c['queries']}; {rss:.0f} MB",
    ))  # fmt: skip
    rows += shard_merge(most, run)
    # Every bot's host criteria fail alike when the SSH host refuses: one remembered failure
    # raised by 1,900 tests (each raise once gained every earlier raise's frames: 39.6 s).
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    wall, _rss, _c = run(most, f"--ssh-port={port}")
    rows.append((f"checkpoint_24h, fleet of {most} bots, its SSH host refusing: wall; / healthy",
                 f"{wall:.2f} s; {wall / walls[most]:.2f}x"))  # fmt: skip
    sandbox.down()
    rows.append((f"fleet: {most} bots / 1 bot, wall (goal <= 3)", f"{walls[most] / walls[1]:.1f}x"))
    rows.append((f"fleet: peak RSS at {most} bots (goal <= 200 MB)", f"{peaks[most]:.0f} MB"))
    rows.append((f"fleet: Prometheus queries, {most} bots / 1 bot (goal 1)",
                 f"{queries[most] / queries[1]:.2f}x"))  # fmt: skip
    return rows


def shard_merge(
    bots: int, run: Callable[..., tuple[float, float, dict[str, int]]]
) -> list[tuple[str, str]]:
    """The fleet as 2 shards (--shard 1/2, 2/2, one --at) and `python -m burnin merge` of their
    JSON records: the merge's wall time (tests/sandbox/test_shard_merge.py asserts the merged
    record equals the unsharded run's; this only times it)."""
    at = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    folder = ROOT / "reports" / "bench-shards"
    walls = []
    for index in (1, 2):
        reports = folder / f"shard-{index}"
        wall, _rss, _c = run(bots, f"--shard={index}/2", f"--at={at}", f"--reports-dir={reports}")
        walls.append(wall)
    merge = [sys.executable, "-m", "burnin", "merge", f"--reports-dir={folder / 'merged'}",
             *(str(folder / f"shard-{i}" / "latest.json") for i in (1, 2))]  # fmt: skip
    merge_s, merge_rss = measured(merge, dict(os.environ))
    return [(
        f"fleet of {bots} bots as 2 shards: each shard's wall; burnin merge wall; its peak RSS",
        f"{walls[0]:.2f} s, {walls[1]:.2f} s; {merge_s:.2f} s; {merge_rss:.0f} MB",
    )]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fleet", type=int, default=100, help="bots of the measured fleet (default 100)"
    )
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="only start-up and collection against a bare pytest run (no sandbox needed)",
    )
    args = parser.parse_args()
    # First, on a machine not yet busy with the sandbox's servers.
    startup_rows = startup_against_bare()
    if args.startup_only:
        width = max(len(name) for name, _ in startup_rows)
        for name, value in startup_rows:
            print(f"{name:<{width}}  {value}")
        return
    # Each bench starts from empty run histories: a run reads its history (the record's trend,
    # the release comparison's latencies), so an older bench's runs would change what is timed.
    for history in (ROOT / "reports").glob("bench*/history.sqlite*"):
        history.unlink()
    up_s = timed(lambda: sandbox.up("healthy"))
    info = sandbox.status()
    assert info is not None
    now = datetime.now(UTC)
    window = Window(now - timedelta(hours=24), now)
    query = 'bot_connected{env="production"}'
    step = step_for(window)

    # 1. Range answers shared between criteria (longest-disconnect, coverage, peak-observed).
    shared = PrometheusProbe(info.prometheus_url, 10)
    shared_s = timed(
        lambda: [shared.range(query, window.start, window.end, step) for _ in range(3)]
    )
    fresh_s = timed(
        lambda: [
            PrometheusProbe(info.prometheus_url, 10).range(query, window.start, window.end, step)
            for _ in range(3)
        ]
    )

    # 2. One SSH connection per session vs one per command.
    settings = SshSettings(
        "127.0.0.1", "root", info.ports["ssh"], Path(info.ssh_key), Path(info.known_hosts)
    )

    def reused() -> None:
        probe = SshProbe(settings)
        probe.connect()
        for _ in range(REPEAT):
            probe.forget()  # answers are kept for a run: ask each time for real
            probe.run(["systemctl", "is-active", "rosey-bot"])
        probe.close()

    def per_command() -> None:
        for _ in range(REPEAT):
            probe = SshProbe(settings)
            probe.connect()
            probe.run(["systemctl", "is-active", "rosey-bot"])
            probe.close()

    reused_s, per_command_s = timed(reused), timed(per_command)

    # 3. Four journal commands (a logs-clean measurement) in one session, or each in its own.
    journal = [
        ["journalctl", "--no-pager", "-q", "-u", "rosey-bot", "--since=-1h", *extra]
        for extra in (["-n", "1"], ["-p", "err", "-o", "json"], ["-p", "warning", "-o", "json"],
                      ["-n", "5", "-o", "json"])
    ]  # fmt: skip
    probe = SshProbe(settings)
    probe.connect()
    in_turn_s = timed(lambda: [SshProbe.run(probe, argv) for argv in journal])
    probe.forget()  # the run keeps answers: ask again for real
    at_once_s = timed(lambda: probe.run_all(journal))
    probe.close()

    # 3. The whole 24-hour checkpoint, as a user runs it, against one health request.
    health = HealthProbe(info.bot_url + "/api/health", 5, {})
    health_s = timed(lambda: [health.read() for _ in range(REPEAT)]) / REPEAT
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "checkpoint_24h",
        "--target",
        "sandbox",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",  # a dev plugin; production installs do not have it
        f"--html={ROOT / 'reports' / 'bench.html'}",
    ]
    suite_s = timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=False))
    collect_s = timed(
        lambda: subprocess.run([*command, "--co"], cwd=ROOT, capture_output=True, check=False)
    )
    smoke_rows = smoke_against_the_script(info)
    startup_rows += real_run_startup()
    floor_rows = checkpoint_against_the_floor(info)
    floor_rows += checkpoint_against_the_floor(info, "sandbox-slow-login", "the slow-login host")
    stalled_rows = stalled_prometheus()
    down_s = timed(sandbox.down)
    fleet_rows = fleet(args.fleet)

    rows = [
        ("sandbox up (healthy)", f"{up_s:.2f} s"),
        ("sandbox down", f"{down_s:.2f} s"),
        ("checkpoint_24h suite, whole run", f"{suite_s:.2f} s"),
        ("  of which start-up + collection", f"{collect_s:.2f} s"),
        ("health GET (mean of 10)", f"{health_s * 1000:.1f} ms"),
        (f"3x range query {query} 24h, step {step}s: shared", f"{shared_s * 1000:.1f} ms"),
        ("3x the same, a fresh request each", f"{fresh_s * 1000:.1f} ms"),
        (f"{REPEAT} SSH commands on one connection", f"{reused_s:.2f} s"),
        (f"{REPEAT} SSH commands, one connection each", f"{per_command_s:.2f} s"),
        ("4 journal commands in turn (a session each)", f"{in_turn_s:.2f} s"),
        ("4 journal commands in one session (one script)", f"{at_once_s:.2f} s"),
    ]
    rows += [(name, f"{value:.2f} s") for name, value in smoke_rows]
    ratios = [
        ("smoke / check-production.sh (goal < 1)", smoke_rows[1][1] / smoke_rows[0][1]),
        ("range: fresh / shared", fresh_s / shared_s),
        ("ssh: connection per command / shared connection", per_command_s / reused_s),
        ("ssh: a session each / one session", in_turn_s / at_once_s),
        ("suite run / start-up + collection", suite_s / collect_s),
    ]
    rows += floor_rows + stalled_rows + fleet_rows + startup_rows
    width = max(len(name) for name, _ in rows + [(n, "") for n, _ in ratios])
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for name, ratio in ratios:
        print(f"{name:<{width}}  {ratio:.1f}x")


if __name__ == "__main__":
    main()
