"""The reference bot: the production bot as the burn-in suite sees it from outside.

It serves the contract's health JSON and Prometheus metrics and logs like the real bot. It
continues the backfilled history without a seam: on its first start after `up`, counters,
uptime and process metrics carry on from the history's last values; a later start (systemd
restarting it) is a genuine restart and starts from zero like the real bot would.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from burnin.sandbox.scenario import Users, load_factor, users_at

MB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# True when the unit appends the output to a log file (the exporter stack): no journald prefix.
PLAIN_LOG = False


def log(level: str, logger: str, text: str) -> None:
    # journald reads the <N> prefix as PRIORITY (3 = err), like the real bot's log handler.
    prio = {"ERROR": 3, "WARNING": 4, "INFO": 6}[level]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    prefix = "" if PLAIN_LOG else f"<{prio}>"
    sys.stderr.write(f"{prefix}[{stamp}] [{logger}] [{level}] {text}\n")
    sys.stderr.flush()


def real_rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


def real_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Bot:
    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.users = Users(**cfg["users"])
        self.seed = cfg["seed"]
        self.lock = threading.Lock()
        marker = Path(cfg["run_marker"])
        hist = cfg["history"]
        now = time.time()
        if not marker.exists():  # first start after `up`: the process "was" running all along
            marker.write_text(str(now))
            self.start_time = hist["process_start"]
            self.base_t = float(hist["t"])
            self.requests = float(hist["requests"])
            self.errors = int(hist["errors"])
            self.memory0 = hist["memory_bytes"]
            self.cpu0 = hist["cpu_seconds"]
        else:  # systemd restarted us: a real restart resets everything
            self.start_time = now
            self.base_t = now
            self.requests, self.errors = 0.0, 0
            self.memory0 = cfg["memory_baseline_mb"] * MB
            self.cpu0 = 0.0
            log("INFO", "lib.bot", f"Starting rosey-bot {cfg['version']}")
            log("INFO", "lib.connection", f"Connected to {cfg['server']}, joined {cfg['channel']}")
        # Constant offsets join the real process' values to the history's last ones.
        self.rss0 = real_rss()
        self.real_cpu0 = real_cpu()
        self.sim_cpu = 0.0
        self.error_debt = 0.0
        self._catch_up(now)

    def connected(self) -> bool:
        return bool(self.cfg["connected"])

    def _advance(self, t0: float, t1: float) -> None:
        dt = t1 - t0
        if dt <= 0:
            return
        if self.connected():
            self.requests += (
                users_at(self.users, t1, self.seed)
                * self.cfg["requests_per_user_per_min"]
                / 60
                * dt
            )
        self.sim_cpu += self.cfg["cpu_fraction"] * load_factor(self.users, t1, self.seed) * dt

    def _catch_up(self, now: float) -> None:
        # From the history's last sample to now, at the scrape step.
        t = self.base_t
        while t + 15 < now:
            self._advance(t, t + 15)
            t += 15
        self._advance(t, now)
        self.last_tick = now

    def tick(self) -> None:
        now = time.time()
        with self.lock:
            self._advance(self.last_tick, now)
            self.error_debt += self.cfg["errors_per_min"] / 60 * (now - self.last_tick)
            self.last_tick = now
            while self.error_debt >= 1:
                self.error_debt -= 1
                self.errors += 1
                log(
                    "ERROR",
                    "lib.commands",
                    "Command !np failed: TimeoutError: media API did not answer within 5 s",
                )
        if int(now) % 300 == 0:
            log(
                "INFO",
                "lib.bot",
                f"Heartbeat: {self.user_count()} users in "
                f"{self.cfg['channel']}, {int(self.requests)} requests handled",
            )

    def user_count(self) -> int:
        return users_at(self.users, time.time(), self.seed) if self.connected() else 0

    def memory(self) -> int:
        growth = self.cfg["memory_growth_mb_per_hr"] * (time.time() - self.base_t) / 3600 * MB
        return int(self.memory0 + (real_rss() - self.rss0) + growth)

    def cpu(self) -> float:
        with self.lock:
            return self.cpu0 + max(real_cpu() - self.real_cpu0, self.sim_cpu)

    def health(self) -> dict:
        """What /api/health says: the truth, unless the scenario makes the endpoint lie."""
        state = {**self.state(), **self.cfg.get("health_overrides", {})}
        if self.cfg.get("stack") == "exporter":
            # The exporter stack's deployment checks read these keys; no version.
            return {
                "status": "running" if state["connected"] else "stopped",
                "uptime": state["uptime_seconds"],
                "requests": state["requests_handled"],
                "errors": state["error_count"],
                "user_count": state["user_count"],
                "connected": state["connected"],
                "channel": state["channel"],
            }
        return state

    def state(self) -> dict:
        status = self.cfg["status"] or ("healthy" if self.connected() else "unhealthy")
        with self.lock:
            return {
                "status": status,
                "connected": self.connected(),
                "channel": self.cfg["channel"],
                "uptime_seconds": int(time.time() - self.start_time),
                "version": self.cfg["version"],
                "user_count": self.user_count(),
                "requests_handled": int(self.requests),
                "error_count": self.errors,
            }

    def collect(self):  # noqa: ANN201 - prometheus_client collector protocol
        if self.cfg.get("stack") == "exporter":
            yield from self.collect_exporter()
            return
        h = self.state()
        prefix = self.cfg.get("metric_prefix", "")
        yield GaugeMetricFamily(
            f"{prefix}bot_connected",
            "Connected to the chat server",
            value=1 if h["connected"] else 0,
        )
        yield GaugeMetricFamily(
            f"{prefix}bot_uptime_seconds",
            "Seconds since the process started",
            value=time.time() - self.start_time,
        )
        yield GaugeMetricFamily(f"{prefix}bot_users", "Users in the channel", value=h["user_count"])
        yield CounterMetricFamily(
            f"{prefix}bot_requests", "Requests handled", value=h["requests_handled"]
        )
        yield CounterMetricFamily(f"{prefix}bot_errors", "Errors", value=h["error_count"])
        if self.cfg["process_metrics"]:
            yield GaugeMetricFamily(
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                value=self.memory(),
            )
            yield CounterMetricFamily(
                "process_cpu_seconds", "Total user and system CPU time", value=self.cpu()
            )
            yield GaugeMetricFamily(
                "process_start_time_seconds", "Start time since unix epoch", value=self.start_time
            )

    def collect_exporter(self):  # noqa: ANN201 - prometheus_client collector protocol
        """The names the exporter stack publishes (env="prod" comes from the scrape config)."""
        h = self.state()
        yield GaugeMetricFamily("rosey_bot_up", "Bot process up", value=1)
        yield GaugeMetricFamily(
            "rosey_bot_connected", "Connected", value=1 if h["connected"] else 0
        )
        yield GaugeMetricFamily(
            "rosey_bot_uptime_seconds", "Uptime", value=time.time() - self.start_time
        )
        users = GaugeMetricFamily("rosey_bot_channel_users", "Users", labels=["channel"])
        users.add_metric([self.cfg["channel"]], h["user_count"])
        yield users
        yield CounterMetricFamily("rosey_bot_requests", "Requests", value=h["requests_handled"])
        yield CounterMetricFamily("rosey_bot_errors", "Errors", value=h["error_count"])
        percent = 100.0 * h["error_count"] / max(1, h["requests_handled"])
        yield GaugeMetricFamily("rosey_bot_error_rate_percent", "Error rate %", value=percent)
        yield GaugeMetricFamily(
            "rosey_bot_scrape_timestamp_ms", "Scrape time", value=time.time() * 1000
        )


DASHBOARD = """<!doctype html><html><head><title>Rosey bot dashboard</title></head><body>
<h1>Rosey bot</h1><table>
<tr><th>Status</th><td id="status">{status}</td></tr>
<tr><th>Channel</th><td>{channel}</td></tr><tr><th>Users</th><td>{user_count}</td></tr>
<tr><th>Uptime</th><td>{uptime_seconds} s</td></tr><tr><th>Version</th><td>{version}</td></tr>
</table></body></html>
"""


def make_handler(bot: Bot, registry: CollectorRegistry, dashboard: bool) -> type:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections alive; http.server then writes the headers and the body
        # in two sends, which is where a keep-alive client meets Nagle and delayed ACKs.
        protocol_version = "HTTP/1.1" if bot.cfg.get("keepalive") else "HTTP/1.0"

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            if dashboard:
                body = DASHBOARD.format(**bot.state()).encode()
                self._send(200, body, "text/html; charset=utf-8")
            elif path == "/api/health":
                time.sleep(bot.cfg["health_delay_ms"] / 1000)
                self._send(200, json.dumps(bot.health()).encode(), "application/json")
            elif path == "/api/metrics":
                self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
            else:
                self._send(404, b'{"error": "not found"}', "application/json")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # scrapes every 15 s would flood the journal

    return Handler


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="burnin reference bot")
    ap.add_argument("--config", required=True)
    cfg = json.loads(Path(ap.parse_args(argv).config).read_text())
    global PLAIN_LOG
    PLAIN_LOG = bool(cfg.get("log_to_file"))
    bot = Bot(cfg)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(bot)  # custom collector: no default process/platform/gc collectors
    api = ThreadingHTTPServer((cfg["host"], cfg["port"]), make_handler(bot, registry, False))
    dash = ThreadingHTTPServer(
        (cfg["host"], cfg["dashboard_port"]), make_handler(bot, registry, True)
    )
    for server in (api, dash):
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        time.sleep(1 - time.time() % 1)
        bot.tick()


if __name__ == "__main__":
    main()
