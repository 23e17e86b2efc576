"""The bot's health endpoint: one GET, timed, parsed field by field against the contract."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

MAX_BODY_BYTES = 1_000_000

# Contract types. Numbers accept int (and integral floats); bool is never a number here.
FIELD_TYPES: dict[str, type] = {
    "status": str,
    "connected": bool,
    "channel": str,
    "uptime_seconds": int,
    "version": str,
    "user_count": int,
    "requests_handled": int,
    "error_count": int,
}


class PayloadError(ValueError):
    """The body is not the contract's health JSON."""


@dataclass(frozen=True)
class HealthPayload:
    status: str
    connected: bool
    channel: str
    uptime_seconds: int
    version: str
    user_count: int
    requests_handled: int
    error_count: int


@dataclass(frozen=True)
class HealthReading:
    """One request. `problem` is empty when a valid payload arrived."""

    url: str
    latency_ms: float | None
    http_status: int | None
    payload: HealthPayload | None
    problem: str
    body_excerpt: str

    @property
    def ok(self) -> bool:
        return self.payload is not None


def _typed(name: str, value: Any) -> Any:
    expected = FIELD_TYPES[name]
    if expected is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PayloadError(f"field {name!r}: expected a non-negative integer, got {value!r}")
        return value
    if not isinstance(value, expected):
        raise PayloadError(f"field {name!r}: expected {expected.__name__}, got {value!r}")
    return value


def parse_health(body: str, fields: Mapping[str, str]) -> HealthPayload:
    """Parse the body; `fields` maps contract names to the deployment's (e.g. uptime_seconds ->
    uptime). Every field must be present with the contract's type: no substring matching."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"not JSON ({exc.msg} at char {exc.pos})") from None
    except (ValueError, RecursionError) as exc:  # 5000-digit numbers, absurd nesting
        raise PayloadError(f"not usable JSON ({type(exc).__name__}: {str(exc)[:100]})") from None
    if not isinstance(document, dict):
        raise PayloadError(f"expected a JSON object, got {type(document).__name__}")
    values = {}
    for name in FIELD_TYPES:
        key = fields.get(name, name)
        if key not in document:
            raise PayloadError(f"field {key!r} missing (have: {', '.join(sorted(document))})")
        values[name] = _typed(name, document[key])
    return HealthPayload(**values)


class HealthProbe:
    source = "health"

    def __init__(
        self,
        url: str,
        timeout_s: float,
        fields: Mapping[str, str],
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.fields = fields
        self._session = session or requests.Session()

    def read(self) -> HealthReading:
        """Never raises: an unreachable, slow or lying endpoint is itself the finding."""
        started = time.monotonic()
        deadline = started + self.timeout_s
        try:
            with self._session.get(
                self.url, timeout=(self.timeout_s, self.timeout_s), stream=True
            ) as response:
                chunks: list[bytes] = []
                size = 0
                # The read timeout is per socket read: a server trickling bytes needs a total
                # deadline, checked after every read (read1 returns whatever one read brought).
                for chunk in iter(lambda: response.raw.read1(8192), b""):
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        return self._reading(
                            started,
                            response.status_code,
                            None,
                            f"no complete answer within {self.timeout_s:g} s",
                            b"".join(chunks),
                        )
                    if size > MAX_BODY_BYTES:
                        return self._reading(
                            started,
                            response.status_code,
                            None,
                            f"body larger than {MAX_BODY_BYTES} bytes",
                            b"".join(chunks),
                        )
                body = b"".join(chunks)
                status_code = response.status_code
                content_type = response.headers.get("Content-Type", "")
        except requests.Timeout:
            return self._reading(started, None, None, f"no answer within {self.timeout_s:g} s", b"")
        except requests.RequestException as exc:
            return self._reading(started, None, None, f"not reachable: {exc}", b"")
        if status_code != 200:
            return self._reading(started, status_code, None, f"HTTP {status_code}", body)
        try:
            payload = parse_health(body.decode("utf-8", errors="replace"), self.fields)
        except PayloadError as exc:
            kind = f" (Content-Type {content_type})" if "json" not in content_type else ""
            return self._reading(started, status_code, None, f"invalid payload{kind}: {exc}", body)
        return self._reading(started, status_code, payload, "", body)

    def _reading(
        self,
        started: float,
        status: int | None,
        payload: HealthPayload | None,
        problem: str,
        body: bytes,
    ) -> HealthReading:
        latency_ms = (time.monotonic() - started) * 1000.0
        excerpt = body[:300].decode("utf-8", errors="replace")
        return HealthReading(self.url, latency_ms, status, payload, problem, excerpt)
