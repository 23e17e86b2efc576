"""The bot's health endpoint: one GET on a fresh connection, timed, parsed field by field
against the contract."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from burnin.redact import redact_url

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
    """The contract's fields; None for an optional field the deployment's JSON does not carry
    (mapped to "" in [targets.NAME.health_fields])."""

    status: str
    connected: bool
    channel: str | None
    uptime_seconds: int | None
    version: str | None
    user_count: int
    requests_handled: int | None
    error_count: int


@dataclass(frozen=True)
class HealthReading:
    """One request on a fresh connection. `problem` is empty when a valid payload arrived;
    `http_status` is set whenever the server answered at all (whatever the payload)."""

    url: str
    latency_ms: float | None  # the whole request: connect, first byte, body
    http_status: int | None
    payload: HealthPayload | None
    problem: str
    body_excerpt: str
    connect_ms: float | None = None
    first_byte_ms: float | None = None  # from the start, as curl's time_starttransfer

    @property
    def ok(self) -> bool:
        return self.payload is not None

    @property
    def answered(self) -> bool:
        return self.http_status is not None


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
        if key == "":  # the deployment declares it does not report this field
            values[name] = None
            continue
        if key not in document:
            raise PayloadError(f"field {key!r} missing (have: {', '.join(sorted(document))})")
        values[name] = _typed(name, document[key])
    return HealthPayload(**values)


class HealthProbe:
    """GET the health endpoint the way monitors do (curl, blackbox_exporter): a fresh
    connection per request, timed in phases, one total deadline, the body capped. A reused
    keep-alive connection would add Nagle and delayed-ACK stalls (~40 ms) that no monitor sees."""

    source = "health"

    def __init__(self, url: str, timeout_s: float, fields: Mapping[str, str]) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.fields = fields

    def read(self) -> HealthReading:
        """Never raises: an unreachable, slow or lying endpoint is itself the finding."""
        answer = timed_get(self.url, self.timeout_s, MAX_BODY_BYTES)
        reading = HealthReading(
            redact_url(self.url),
            answer.total_ms,
            answer.status,
            None,
            answer.problem,
            answer.body[:300].decode("utf-8", errors="replace"),
            answer.connect_ms,
            answer.first_byte_ms,
        )
        if answer.problem:
            return reading
        if answer.status != 200:
            return replace(reading, problem=f"HTTP {answer.status}")
        try:
            payload = parse_health(answer.body.decode("utf-8", errors="replace"), self.fields)
        except PayloadError as exc:
            kind = (
                f" (Content-Type {answer.content_type})"
                if "json" not in answer.content_type
                else ""
            )
            return replace(reading, problem=f"invalid payload{kind}: {exc}")
        return replace(reading, payload=payload)


@dataclass(frozen=True)
class TimedAnswer:
    status: int | None  # None: no HTTP answer at all
    content_type: str
    body: bytes
    problem: str
    connect_ms: float | None
    first_byte_ms: float | None
    total_ms: float


def timed_get(url: str, timeout_s: float, max_bytes: int) -> TimedAnswer:
    """One GET on its own connection with `Connection: close`: connect, first byte (the status
    line and headers) and total times, under one deadline for the whole request."""
    parts = urlsplit(url)
    started = time.monotonic()
    deadline = started + timeout_s

    def ms() -> float:
        return (time.monotonic() - started) * 1000.0

    connect_ms = first_byte_ms = None
    status, content_type, chunks = None, "", []
    try:
        port = parts.port
    except ValueError as exc:
        return TimedAnswer(
            None, "", b"", f"invalid URL {redact_url(url)!r}: {exc}", None, None, ms()
        )
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = cls(parts.hostname or "", port, timeout=timeout_s)
    try:
        connection.connect()
        connect_ms = ms()
        # The response takes the socket over (Connection: close): keep it to set deadlines on.
        sock = connection.sock
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        connection.request(
            "GET", path, headers={"Accept": "application/json", "Connection": "close"}
        )
        response = connection.getresponse()
        first_byte_ms = ms()
        status, content_type = response.status, response.getheader("Content-Type", "")
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            # read1: whatever one socket read brings, so a trickling server meets the deadline.
            chunk = response.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return TimedAnswer(
                    status, content_type, b"".join(chunks), f"body larger than {max_bytes} bytes",
                    connect_ms, first_byte_ms, ms(),
                )  # fmt: skip
    except TimeoutError:
        problem = f"no complete answer within {timeout_s:g} s"
        if status is None:
            problem = f"no answer within {timeout_s:g} s"
        return TimedAnswer(
            status, content_type, b"".join(chunks), problem, connect_ms, first_byte_ms, ms()
        )
    except (OSError, http.client.HTTPException) as exc:
        what = "not reachable" if connect_ms is None else "broken answer"
        return TimedAnswer(
            status, content_type, b"".join(chunks), f"{what}: {type(exc).__name__}: {exc}",
            connect_ms, first_byte_ms, ms(),
        )  # fmt: skip
    finally:
        connection.close()
    return TimedAnswer(status, content_type, b"".join(chunks), "", connect_ms, first_byte_ms, ms())
