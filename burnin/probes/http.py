"""Plain HTTP checks (Alertmanager, dashboard): status and time, never raising; and the one way
the run makes a requests session (`new_session()`).

requests reads the proxy settings from the environment on every request, iterating os.environ,
while pytest sets PYTEST_CURRENT_TEST in its main thread before and after every test: a request
from the gathering's threads failed with KeyError: 'PYTEST_CURRENT_TEST' (seen once in a
100-bot run, a SOURCE_ERROR on a healthy bot). The environment is read once, at import, and the
sessions never read it again."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from burnin.config.access import HttpAccess
from burnin.lazy import lazy_module
from burnin.probes.failures import explain, explain_status
from burnin.redact import redact_url

if TYPE_CHECKING:
    import requests
    import requests.utils
else:  # imported by the first request (burnin.lazy)
    requests = lazy_module("requests")


def new_session(access: HttpAccess | None = None, url: str = "") -> requests.Session:
    """A session that never reads the environment while asking (see the module's note): the
    source's trust, client certificate, credentials and proxies (burnin.config.access) set once;
    .netrc credentials for `url` when the access names none."""
    return (access or HttpAccess()).session(url)


def for_url(url: str, proxies: Mapping[str, str] | None = None) -> dict[str, Any]:
    """requests' environment settings for `url`, from the settings read at import: its proxy
    unless no_proxy names its host, and its .netrc credentials (NETRC, ~/.netrc)."""
    return {
        "proxies": HttpAccess().proxies(url, proxies),
        "auth": requests.utils.get_netrc_auth(url),
    }


@dataclass(frozen=True)
class HttpAnswer:
    url: str
    status: int | None
    latency_ms: float
    problem: str = ""
    body: Any = None  # parsed JSON when asked for
    observer: bool = False  # the problem is the observer's own (trust, credentials, DNS, proxy)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and not self.problem


def http_get(
    session: requests.Session,
    url: str,
    timeout_s: float,
    json_body: bool = False,
    access: HttpAccess | None = None,
) -> HttpAnswer:
    return _ask(session, "GET", url, timeout_s, None, json_body, access or HttpAccess())


def http_post_json(
    session: requests.Session,
    url: str,
    payload: Any,
    timeout_s: float,
    access: HttpAccess | None = None,
) -> HttpAnswer:
    return _ask(session, "POST", url, timeout_s, payload, False, access or HttpAccess())


def _ask(
    session: requests.Session,
    method: str,
    url: str,
    timeout_s: float,
    payload: Any,
    json_body: bool,
    access: HttpAccess,
) -> HttpAnswer:
    """One request, never raising: a failure is the answer's `problem` in one line, and
    `observer` says whether it is the observer's own (trust, credentials, DNS, a proxy)."""
    started = time.monotonic()
    shown = redact_url(url)
    try:
        response = session.request(method, url, json=payload, timeout=timeout_s)
    except requests.RequestException as exc:
        failure = explain(exc, access, url, timeout_s)
        elapsed = (time.monotonic() - started) * 1000
        problem = f"not reachable: {failure.cause}"
        return HttpAnswer(shown, None, elapsed, problem, observer=failure.observer)
    latency = (time.monotonic() - started) * 1000
    refused = explain_status(response.status_code, response.text[:300], access, url)
    if refused is not None:
        return HttpAnswer(shown, response.status_code, latency, refused.cause, observer=True)
    if json_body:
        try:
            return HttpAnswer(shown, response.status_code, latency, body=response.json())
        except ValueError:
            return HttpAnswer(shown, response.status_code, latency, "answer is not JSON")
    # A GET's status speaks for itself (`ok`); a POST's refusal is worth its words.
    problem = ""
    if method == "POST" and not response.ok:
        problem = f"HTTP {response.status_code}: {response.text[:200]}"
    return HttpAnswer(shown, response.status_code, latency, problem)
