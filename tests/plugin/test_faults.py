"""Bad input from the outside world: one clear line saying what and where, a bounded run, and
the report still written. The health endpoint here is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import interruptible
from tests.reports import report_rows

HANG_S = 30
# Requests the endpoint received, by path, and an event per path set by its first request: what
# the run under test asked (counted, never timed), and a sign that it got that far.
ASKED: Counter[str] = Counter()
ARRIVED: defaultdict[str, threading.Event] = defaultdict(threading.Event)


class Misbehaving(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        ASKED[self.path] += 1
        ARRIVED[self.path].set()
        if self.path == "/html":
            body = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/hang"):
            time.sleep(HANG_S)
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            for _ in range(HANG_S):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        elif self.path.startswith("/slow-prometheus/"):  # a Prometheus behind a stalled proxy
            time.sleep(HANG_S)
        elif self.path.startswith("/busy-prometheus/"):  # overloaded: 503 to everything
            self.send_response(503)
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"overloaded\n")
        elif self.path == "/500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/redirect":  # a loop: to itself, for ever
            self.send_response(302)
            self.send_header("Location", "/redirect")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/huge":  # 50 MB of JSON-looking bytes, as fast as the socket takes
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                for _ in range(50 * 16):
                    self.wfile.write(b"[" * 65536)
            except OSError:
                pass  # the client stopped reading: as it should
        elif self.path == "/latin1":
            self._json(b'{"status": "healthy \xe9\xff", "connected": true}')
        elif self.path == "/types":
            self._json(
                b'{"status": "healthy", "connected": "true", "channel": "#production-channel", '
                b'"uptime_seconds": -5, "version": "v1.0.0", "user_count": 1e308, '
                b'"requests_handled": 0, "error_count": 0}'
            )
        elif self.path == "/unhealthy":
            body = (
                b'{"status": "unhealthy", "connected": true, "channel": "#production-channel", '
                b'"uptime_seconds": 30, "version": "v1.0.0", "user_count": 42, '
                b'"requests_handled": 0, "error_count": 0}'
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    def _json(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_smoke(suite: pytest.Pytester, health_url: str) -> pytest.RunResult:
    return suite.runpytest_subprocess(
        "-m",
        "smoke",
        "-k",
        "health_up",
        "--target",
        "sandbox",
        "--health-url",
        health_url,
        "--source-timeout",
        "2",
        timeout=180,
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/html",
            "health-up: CRITICAL: observed invalid payload (Content-Type text/html): not JSON",
        ),
        ("/hang", "health-up: CRITICAL: observed no answer within 2 s"),
        ("/trickle", "health-up: CRITICAL: observed no complete answer within 2 s"),
        ("/unhealthy", "health-up: CRITICAL: observed status='unhealthy'"),
        ("/500", "health-up: CRITICAL: observed HTTP 500"),
        ("/redirect", "health-up: CRITICAL: observed HTTP 302"),  # never followed
        ("/huge", "health-up: CRITICAL: observed body larger than 1000000 bytes"),
        ("/latin1", "health-up: CRITICAL: observed invalid payload: field 'channel' missing"),
        (
            "/types",
            "health-up: CRITICAL: observed invalid payload: field 'connected': expected bool, "
            "got 'true'",
        ),
    ],
)
def test_bad_health_endpoint_fails_with_one_clear_line(suite, endpoint, path, expected):
    """The hanging and trickling endpoints are ended by the probe's own 2 s deadline (the line
    says so), not by the endpoint (30 s) or a backstop."""
    result = run_smoke(suite, endpoint + path)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    lines = [line for line in result.outlines if line.startswith("health-up: ")]
    assert len(lines) == 1 and lines[0].startswith(expected), result.stdout.str()
    rows = report_rows(suite.path / "reports" / "latest.html")
    assert [row["band"] for row in rows.values()] == ["critical"]


def test_a_hanging_endpoint_is_asked_once_by_health_up_and_latency_together(suite, endpoint):
    """health-up's read waits its timeout; health-latency takes that request as its sample
    instead of waiting another (the endpoint saw one request), and says so."""
    result = suite.runpytest_subprocess(
        "-m", "smoke", "-k", "health_up or health_latency", "--target", "sandbox",
        "--health-url", f"{endpoint}/hang/both", "--source-timeout", "1", timeout=180,
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert ASKED["/hang/both"] == 1, result.stdout.str()
    latency = [line for line in result.outlines if line.startswith("health-latency: ")]
    assert len(latency) == 1 and latency[0].startswith("health-latency: CRITICAL"), latency
    assert "this run's health read: a hanging endpoint is not asked again" in latency[0]
    rows = report_rows(suite.path / "reports" / "latest.html")
    assert [row["band"] for row in rows.values()] == ["critical", "critical"]


@pytest.mark.parametrize(
    ("signum", "workers"), [(signal.SIGTERM, "0"), (signal.SIGINT, "0"), (signal.SIGTERM, "2")]
)
def test_a_run_stopped_by_a_signal_still_writes_its_record_marked_incomplete(
    suite, endpoint, signum, workers
):
    """Stopped mid-run (a CI cancellation sends SIGTERM, a person Ctrl-C): HTML, Markdown and
    JSON are written with what was judged so far, marked interrupted; the exit code says so. In
    a pytest-xdist run (`-n 2`) the controller, which writes the record, is the one stopped."""
    path = f"/hang/{signum.name}-{workers}"  # its own: the request shows the run got there
    process = subprocess.Popen(
        [
            sys.executable, "-m", "pytest", "-m", "smoke", "--target", "sandbox",
            f"--health-url={endpoint}{path}", "--source-timeout=20", "--ssh-port=9",
            "-p", "no:cacheprovider", "-n", workers,
        ],
        cwd=suite.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=interruptible,
    )  # fmt: skip
    # Inside health-up's 20 s wait on the hanging endpoint: its request has arrived.
    if not ARRIVED[path].wait(120):
        process.kill()
        raise AssertionError(f"the run never asked {path}: {process.communicate()[0][-2000:]}")
    process.send_signal(signum)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output[-2000:]
    reports = suite.path / "reports"
    record = json.loads((reports / "latest.json").read_text())
    assert record["interrupted"] is True
    assert "interrupted" in (reports / "latest.md").read_text().lower()
    assert (reports / "latest.html").stat().st_size > 0
    assert [line for line in output.splitlines() if line.startswith("BURNIN UNKNOWN - ")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/slow-prometheus", "SOURCE_ERROR prometheus at {url}: not reachable: "),
        (
            "/busy-prometheus",
            "SOURCE_ERROR prometheus at {url}: not ready: HTTP 503, also on the retry",
        ),
    ],
)
def test_a_slow_or_busy_prometheus_is_a_source_error_within_the_bound(
    suite, endpoint, path, expected
):
    """Every Prometheus criterion of the 24 h checkpoint errors with the cause; the dead source
    costs one timeout for the whole run, not one per criterion."""
    url = endpoint + path
    before = sum(n for asked, n in ASKED.items() if asked.startswith(path))
    result = suite.runpytest_subprocess(
        "-m", "checkpoint_24h", "-k", "not health and not service and not logs and not backup "
        "and not channel and not restarts and not sign and not functional",
        "--target", "sandbox", f"--prometheus-url={url}", "--source-timeout=2", timeout=180,
    )  # fmt: skip
    out = result.stdout.str()
    errors = [line for line in result.outlines if line.startswith("SOURCE_ERROR prometheus")]
    assert len(errors) >= 10, out[-3000:]
    assert all(line.startswith(expected.format(url=url)) for line in errors), errors[:3]
    assert "passed" not in result.parseoutcomes()
    # One readiness check and its one retry for the whole run: never one per criterion.
    asked = {p: n for p, n in ASKED.items() if p.startswith(path)}
    assert sum(asked.values()) - before <= 2, asked


def test_a_criterion_stopped_by_pytest_timeout_is_recorded_and_never_passes(suite, endpoint):
    """pytest-timeout (`--timeout`, a backstop) ends a criterion stuck on a hanging endpoint:
    the run goes on, the criterion is recorded as not judged with the timeout as its cause, and
    the HTML, Markdown and JSON are written."""
    result = suite.runpytest_subprocess(
        "-m", "smoke", "-k", "health_up", "--target", "sandbox",
        f"--health-url={endpoint}/hang", "--source-timeout=20", "--timeout=3", timeout=120,
    )  # fmt: skip
    # Ended by pytest-timeout's 3 s (the cause below says so), not by the 20 s source timeout.
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-2000:]
    reports = suite.path / "reports"
    record = json.loads((reports / "latest.json").read_text())
    [row] = [c for c in record["criteria"] if c["criterion"] == "health-up"]
    assert row["band"] not in ("target", "acceptable"), row
    assert row["cause"] == "Failed: Timeout (>3.0s) from pytest-timeout.", row
    assert (reports / "latest.md").exists() and (reports / "latest.html").stat().st_size > 0
