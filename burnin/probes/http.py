"""Plain HTTP checks (Alertmanager, dashboard): status and time, never raising."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests


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
    try:
        response = session.get(url, timeout=timeout_s)
    except requests.RequestException as exc:
        return HttpAnswer(url, None, (time.monotonic() - started) * 1000, f"not reachable: {exc}")
    latency = (time.monotonic() - started) * 1000
    if json_body:
        try:
            return HttpAnswer(url, response.status_code, latency, body=response.json())
        except ValueError:
            return HttpAnswer(url, response.status_code, latency, "answer is not JSON")
    return HttpAnswer(url, response.status_code, latency)


def http_post_json(
    session: requests.Session, url: str, payload: Any, timeout_s: float
) -> HttpAnswer:
    started = time.monotonic()
    try:
        response = session.post(url, json=payload, timeout=timeout_s)
    except requests.RequestException as exc:
        return HttpAnswer(url, None, (time.monotonic() - started) * 1000, f"not reachable: {exc}")
    problem = "" if response.ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return HttpAnswer(url, response.status_code, (time.monotonic() - started) * 1000, problem)
