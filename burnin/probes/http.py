"""Plain HTTP checks (Alertmanager, dashboard): status and time, never raising; and the one way
the run makes a requests session (`new_session()`).

requests reads the proxy settings from the environment on every request, iterating os.environ,
while pytest sets PYTEST_CURRENT_TEST in its main thread before and after every test: a request
from the gathering's threads failed with KeyError: 'PYTEST_CURRENT_TEST' (seen once in a
100-bot run, a SOURCE_ERROR on a healthy bot). The environment is read once, at import, and the
sessions never read it again."""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_netrc_auth

from burnin.redact import redact_url

# pytest imports this before any test, in its main thread: nothing mutates os.environ then.
ENV_PROXIES = urllib.request.getproxies_environment()  # {"http": ..., "no": "localhost,..."}
CA_BUNDLE = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


def new_session() -> requests.Session:
    """A session that never reads the environment while asking (see the module's note); each
    request passes `for_url(url)`: the proxies and .netrc credentials the environment gives it."""
    made = requests.Session()
    made.trust_env = False
    if CA_BUNDLE:
        made.verify = CA_BUNDLE
    return made


def for_url(url: str, proxies: Mapping[str, str] = ENV_PROXIES) -> dict[str, Any]:
    """requests' environment settings for `url`, from the settings read at import: its proxy
    unless no_proxy names its host, and its .netrc credentials (NETRC, ~/.netrc)."""
    host = urlsplit(url).hostname or ""
    bypass = not proxies or bool(urllib.request.proxy_bypass_environment(host, dict(proxies)))
    chosen = {} if bypass else {k: v for k, v in proxies.items() if k != "no"}
    return {"proxies": chosen, "auth": get_netrc_auth(url)}


@dataclass(frozen=True)
class HttpAnswer:
    url: str
    status: int | None
    latency_ms: float
    problem: str = ""
    body: Any = None  # parsed JSON when asked for

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and not self.problem


def http_get(
    session: requests.Session, url: str, timeout_s: float, json_body: bool = False
) -> HttpAnswer:
    started = time.monotonic()
    shown = redact_url(url)
    try:
        response = session.get(url, timeout=timeout_s, **for_url(url))
    except requests.RequestException as exc:
        problem = f"not reachable: {_scrubbed(exc, url)}"
        return HttpAnswer(shown, None, (time.monotonic() - started) * 1000, problem)
    latency = (time.monotonic() - started) * 1000
    if json_body:
        try:
            return HttpAnswer(shown, response.status_code, latency, body=response.json())
        except ValueError:
            return HttpAnswer(shown, response.status_code, latency, "answer is not JSON")
    return HttpAnswer(shown, response.status_code, latency)


def _scrubbed(exc: Exception, url: str) -> str:
    return str(exc).replace(url, redact_url(url))


def http_post_json(
    session: requests.Session, url: str, payload: Any, timeout_s: float
) -> HttpAnswer:
    started = time.monotonic()
    shown = redact_url(url)
    try:
        response = session.post(url, json=payload, timeout=timeout_s, **for_url(url))
    except requests.RequestException as exc:
        problem = f"not reachable: {_scrubbed(exc, url)}"
        return HttpAnswer(shown, None, (time.monotonic() - started) * 1000, problem)
    problem = "" if response.ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return HttpAnswer(shown, response.status_code, (time.monotonic() - started) * 1000, problem)
