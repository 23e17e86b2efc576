"""The bot's health endpoint: one GET on a fresh connection, timed, parsed field by field
against the contract."""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from burnin.config.access import HttpAccess
from burnin.probes.failures import explain, explain_status
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
    observer: bool = False  # `problem` is the observer's (trust, credentials, DNS, proxy)

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
    values: dict[str, Any] = {}
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
    keep-alive connection would add Nagle and delayed-ACK stalls (~40 ms) that no monitor sees.
    Trust, client certificate, credentials and proxy come from the source's HttpAccess, the
    same as every other HTTP source's."""

    source = "health"

    def __init__(
        self,
        url: str,
        timeout_s: float,
        fields: Mapping[str, str],
        access: HttpAccess | None = None,
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.fields = fields
        self.access = access or HttpAccess("health")
        # The first request of this run that got no answer at all within the timeout: the
        # endpoint hangs, and asking it again costs another timeout (measure_health_latency).
        self.hung: HealthReading | None = None

    def read(self) -> HealthReading:
        """Never raises: an unreachable, slow or lying endpoint is itself the finding; an
        observer that cannot ask (trust, credentials, DNS, proxy) says so in `observer`."""
        answer = timed_get(self.url, self.timeout_s, MAX_BODY_BYTES, self.access)
        reading = HealthReading(
            redact_url(self.url),
            answer.total_ms,
            answer.status,
            None,
            answer.problem,
            answer.body[:300].decode("utf-8", errors="replace"),
            answer.connect_ms,
            answer.first_byte_ms,
            answer.observer,
        )
        if answer.hung and self.hung is None:
            self.hung = reading
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
    observer: bool = False  # the problem is the observer's own (trust, credentials, DNS, proxy)
    hung: bool = False  # no HTTP answer at all within the timeout (not refused: waited for)


def _connection(
    url: str, timeout_s: float, access: HttpAccess
) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for one GET of `url`: straight, or through the environment's proxy (an
    absolute URL to an http:// one; a CONNECT tunnel for https://). Returns the connection,
    the request target and the headers the proxy needs."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = access.proxies(url).get(parts.scheme)
    proxy_headers: dict[str, str] = {}
    if proxy:
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if via.scheme != "http":
            raise ValueError(f"proxy {redact_url(proxy)}: only http:// proxies are supported")
        if via.username is not None:
            pair = f"{unquote(via.username)}:{unquote(via.password or '')}"
            proxy_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(
                pair.encode()
            ).decode("ascii")
        if parts.scheme == "https":
            tunnel = http.client.HTTPSConnection(
                via.hostname or "", via.port or 80, timeout=timeout_s,
                context=access.ssl_context(),
            )  # fmt: skip
            tunnel.set_tunnel(host, port or 443, headers=proxy_headers)
            return tunnel, path, {}
        plain = http.client.HTTPConnection(via.hostname or "", via.port or 80, timeout=timeout_s)
        netloc = host + (f":{port}" if port else "")
        return plain, f"http://{netloc}{path}", proxy_headers
    if parts.scheme == "https":
        secure = http.client.HTTPSConnection(
            host, port, timeout=timeout_s, context=access.ssl_context()
        )
        return secure, path, {}
    return http.client.HTTPConnection(host, port, timeout=timeout_s), path, {}


def timed_get(
    url: str, timeout_s: float, max_bytes: int, access: HttpAccess | None = None
) -> TimedAnswer:
    """One GET on its own connection with `Connection: close`: connect, first byte (the status
    line and headers) and total times, under one deadline for the whole request. A failure is
    one line with its fix; `observer` marks those of the observer's own making."""
    access = access or HttpAccess("health")
    started = time.monotonic()
    deadline = started + timeout_s

    def ms() -> float:
        return (time.monotonic() - started) * 1000.0

    connect_ms = first_byte_ms = None
    status: int | None = None
    content_type = ""
    chunks: list[bytes] = []

    def failed(cause: str, observer: bool) -> TimedAnswer:
        body = b"".join(chunks)
        return TimedAnswer(
            status, content_type, body, cause, connect_ms, first_byte_ms, ms(), observer
        )

    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return failed(f"invalid URL {redact_url(url)!r}: {exc}", True)
    try:
        connection, target, headers = _connection(url, timeout_s, access)
        authorization = access.authorization(url)
    except (ValueError, OSError) as exc:  # an unsupported proxy, an unreadable secret file
        return failed(f"cannot ask {redact_url(url)}: {exc}", True)
    if authorization:
        headers["Authorization"] = authorization
    try:
        connection.connect()
        connect_ms = ms()
        # The response takes the socket over (Connection: close): keep it to set deadlines on.
        sock = connection.sock
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        connection.request(
            "GET",
            target,
            headers={"Accept": "application/json", "Connection": "close", **headers},
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
                return failed(f"body larger than {max_bytes} bytes", False)
    except TimeoutError:
        if status is None:
            return replace(failed(f"no answer within {timeout_s:g} s", False), hung=True)
        return failed(f"no complete answer within {timeout_s:g} s", False)
    except (OSError, http.client.HTTPException) as exc:
        failure = explain(exc, access, url, timeout_s)
        if failure.observer:
            return failed(failure.cause, True)
        what = "not reachable" if connect_ms is None else "broken answer"
        return failed(f"{what}: {type(exc).__name__}: {exc}", False)
    finally:
        connection.close()
    body = b"".join(chunks)
    refused = explain_status(status, body[:300].decode("utf-8", "replace"), access, url)
    if refused is not None:
        return failed(refused.cause, True)
    return TimedAnswer(status, content_type, body, "", connect_ms, first_byte_ms, ms())
