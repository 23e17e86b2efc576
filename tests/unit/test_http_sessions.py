"""The run's requests sessions never read the environment while asking: pytest sets
PYTEST_CURRENT_TEST in its main thread around every test, and requests iterating os.environ in
a gathering thread meanwhile failed with KeyError (a SOURCE_ERROR on a healthy bot)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from burnin.probes.http import for_url, http_get, new_session
from burnin.probes.prometheus import PrometheusProbe
from burnin.schedule import Window

MATRIX = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'


class Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = b"OK" if self.path.startswith("/-/ready") else MATRIX
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class Unlisted(dict):
    """An environment that may be looked up but not listed (what pytest's writes race with)."""

    def __iter__(self):
        raise AssertionError("the environment was listed while asking")

    def items(self):
        raise AssertionError("the environment was listed while asking")

    keys = values = items


def test_asking_lists_no_environment(server, monkeypatch):
    monkeypatch.setattr(os, "environ", Unlisted(os.environ))
    with pytest.raises(AssertionError, match="listed while asking"):
        requests.Session().get(f"{server}/-/ready", timeout=5)  # what requests does by itself
    probe = PrometheusProbe(server, 5)
    probe.ready()
    end = datetime.now(UTC)
    assert probe.range("up", end - timedelta(hours=1), end, 60) == []
    assert probe.samples("up", Window(end - timedelta(hours=1), end)) == []
    assert probe.instant("up", end) == []
    assert http_get(new_session(), f"{server}/-/ready", 5).ok


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://prometheus.internal:9090",
            {"http": "http://proxy:3128", "https": "http://proxy:3128"},
        ),
        ("http://localhost:9090", {}),
        ("https://metrics.corp.example/prom", {}),
    ],
)
def test_the_environment_s_proxy_is_used_unless_no_proxy_names_the_host(url, expected):
    proxies = {
        "http": "http://proxy:3128",
        "https": "http://proxy:3128",
        "no": "localhost,.corp.example",
    }
    assert for_url(url, proxies)["proxies"] == expected
    assert for_url(url, {})["proxies"] == {}
