"""Plain HTTP checks (Alertmanager, dashboard): status and time, never raising."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from burnin.redact import redact_url


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
        response = session.get(url, timeout=timeout_s)
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
        response = session.post(url, json=payload, timeout=timeout_s)
    except requests.RequestException as exc:
        problem = f"not reachable: {_scrubbed(exc, url)}"
        return HttpAnswer(shown, None, (time.monotonic() - started) * 1000, problem)
    problem = "" if response.ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return HttpAnswer(shown, response.status_code, (time.monotonic() - started) * 1000, problem)
