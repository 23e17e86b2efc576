"""parse_health against the contract, and HealthProbe.read against a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band
from burnin.config import HEALTH_FIELDS
from burnin.criteria.health import judge_health_up, judge_health_version
from burnin.probes.health import (
    MAX_BODY_BYTES,
    HealthPayload,
    HealthProbe,
    HealthReading,
    PayloadError,
    parse_health,
)

CONTRACT_EXAMPLE = """{"status": "healthy", "connected": true, "channel": "#production-channel",
 "uptime_seconds": 30, "version": "v1.0.0", "user_count": 42,
 "requests_handled": 0, "error_count": 0}"""
SAME_NAMES = {name: name for name in HEALTH_FIELDS}
HEALTHY = json.loads(CONTRACT_EXAMPLE)


def body(**changes: object) -> str:
    document = {**HEALTHY, **changes}
    return json.dumps({k: v for k, v in document.items() if v is not ...})


# ---------------------------------------------------------------- parse_health


def test_contract_example_parses_field_by_field():
    assert parse_health(CONTRACT_EXAMPLE, SAME_NAMES) == HealthPayload(
        status="healthy",
        connected=True,
        channel="#production-channel",
        uptime_seconds=30,
        version="v1.0.0",
        user_count=42,
        requests_handled=0,
        error_count=0,
    )


def test_an_empty_mapping_means_the_contract_names():
    assert parse_health(CONTRACT_EXAMPLE, {}).uptime_seconds == 30


@pytest.mark.parametrize("field", HEALTH_FIELDS)
def test_each_missing_field_is_named(field):
    with pytest.raises(PayloadError, match=rf"field '{field}' missing \(have: "):
        parse_health(body(**{field: ...}), SAME_NAMES)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("uptime_seconds", True, "expected a non-negative integer, got True"),
        ("user_count", False, "expected a non-negative integer, got False"),
        ("error_count", -1, "expected a non-negative integer, got -1"),
        ("requests_handled", 1.5, "expected a non-negative integer, got 1.5"),
        ("uptime_seconds", "30", "expected a non-negative integer, got '30'"),
        ("uptime_seconds", None, "expected a non-negative integer, got None"),
        ("connected", "true", "expected bool, got 'true'"),
        ("connected", 1, "expected bool, got 1"),
        ("status", True, "expected str, got True"),
        ("version", 1.0, "expected str, got 1.0"),
        ("channel", None, "expected str, got None"),
    ],
)
def test_wrong_type_is_named_with_the_expected_type(field, value, expected):
    with pytest.raises(PayloadError) as caught:
        parse_health(body(**{field: value}), SAME_NAMES)
    assert str(caught.value) == f"field {field!r}: {expected}"


def test_integral_float_counts_as_an_integer():
    assert parse_health(body(uptime_seconds=30.0), SAME_NAMES).uptime_seconds == 30


def test_field_mapping_reads_the_variant_keys():
    variant = {
        **{k: v for k, v in HEALTHY.items() if not k.endswith(("_seconds", "_handled", "_count"))},
        "uptime": 3600,
        "requests": 7,
        "errors": 1,
        "user_count": 5,
    }
    mapping = {
        **SAME_NAMES,
        "uptime_seconds": "uptime",
        "requests_handled": "requests",
        "error_count": "errors",
    }
    payload = parse_health(json.dumps(variant), mapping)
    assert (payload.uptime_seconds, payload.requests_handled, payload.error_count) == (3600, 7, 1)


def test_variant_keys_without_a_mapping_name_the_missing_contract_field():
    variant = {k: v for k, v in HEALTHY.items() if k != "uptime_seconds"} | {"uptime": 3600}
    with pytest.raises(PayloadError, match=r"field 'uptime_seconds' missing \(have: .*uptime,"):
        parse_health(json.dumps(variant), SAME_NAMES)


@pytest.mark.parametrize(
    ("text", "kind"), [("[]", "list"), ('"healthy"', "str"), ("null", "NoneType"), ("42", "int")]
)
def test_non_object_json_is_rejected(text, kind):
    with pytest.raises(PayloadError, match=f"expected a JSON object, got {kind}"):
        parse_health(text, SAME_NAMES)


@pytest.mark.parametrize("text", ["<html><body>healthy</body></html>", "", "OK healthy", "{"])
def test_non_json_body_is_rejected(text):
    with pytest.raises(PayloadError, match=r"not JSON \(.* at char \d+\)"):
        parse_health(text, SAME_NAMES)


def test_unhealthy_status_parses_as_it_is():
    assert parse_health(body(status="unhealthy"), SAME_NAMES).status == "unhealthy"


@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=20), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_arbitrary_json_raises_only_payload_error(document):
    try:
        parse_health(json.dumps(document), SAME_NAMES)
    except PayloadError:
        pass


@given(
    changes=st.dictionaries(
        st.sampled_from(HEALTH_FIELDS),
        st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.just(...),
    )
)
def test_contract_shaped_json_with_arbitrary_values_raises_only_payload_error(changes):
    try:
        payload = parse_health(body(**changes), SAME_NAMES)
    except PayloadError:
        return
    assert payload.uptime_seconds >= 0 and isinstance(payload.connected, bool)


@given(text=st.text())
def test_arbitrary_text_raises_only_payload_error(text):
    try:
        parse_health(text, SAME_NAMES)
    except PayloadError:
        pass


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000], ids=["huge-int", "deep-nesting"])
def test_pathological_json_raises_payload_error(text):
    with pytest.raises(PayloadError):
        parse_health(text, SAME_NAMES)


# ---------------------------------------------------------------- judging the payload


def reading(payload_body: str) -> HealthReading:
    payload = parse_health(payload_body, SAME_NAMES)
    return HealthReading("http://bot/api/health", 12.0, 200, payload, "", payload_body)


def test_healthy_connected_payload_is_target():
    verdict = judge_health_up(reading(CONTRACT_EXAMPLE), "#production-channel")
    assert verdict.band is Band.TARGET


@pytest.mark.parametrize("status", ["unhealthy", "Healthy", "healthy ", "not healthy", "stopped"])
def test_status_that_merely_contains_healthy_never_passes(status):
    verdict = judge_health_up(reading(body(status=status)), "")
    assert verdict.band is Band.CRITICAL
    assert not verdict.band.passes
    assert f"status is {status!r}" in verdict.cause


def test_degraded_status_is_degraded_not_passing():
    verdict = judge_health_up(reading(body(status="degraded")), "")
    assert verdict.band is Band.DEGRADED


def test_disconnected_bot_is_critical():
    verdict = judge_health_up(reading(body(connected=False)), "")
    assert verdict.band is Band.CRITICAL
    assert "connected is false" in verdict.cause


def test_wrong_channel_is_critical_when_a_channel_is_expected():
    verdict = judge_health_up(reading(body(channel="#lobby")), "#production-channel")
    assert verdict.band is Band.CRITICAL
    assert "channel is '#lobby'" in verdict.cause
    assert judge_health_up(reading(body(channel="#lobby")), "").band is Band.TARGET


def test_no_payload_is_critical_with_the_problem_as_observation():
    failed = HealthReading("http://bot/api/health", 3.0, 502, None, "HTTP 502", "Bad Gateway")
    verdict = judge_health_up(failed, "")
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == "HTTP 502"
    assert "Bad Gateway" in verdict.message()


# ---------------------------------------------------------------- HealthProbe against a server

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the probe hangs up on slow handlers on purpose


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    """Start a real HTTP server on 127.0.0.1:0 whose GET runs `handler`; returns the URL."""
    servers: list[_Server] = []

    def start(handler: Handler) -> str:
        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                handler(self)

            def log_message(self, format, *args) -> None:
                pass

        server = _Server(("127.0.0.1", 0), RequestHandler)
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return f"http://127.0.0.1:{server.server_address[1]}/api/health"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def respond(status: int, content_type: str, text: str) -> Handler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        data = text.encode()
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    return handler


def test_probe_reads_valid_json_with_payload_and_latency(serve):
    url = serve(respond(200, "application/json", CONTRACT_EXAMPLE))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.ok
    assert result.problem == ""
    assert result.http_status == 200
    assert result.payload == parse_health(CONTRACT_EXAMPLE, SAME_NAMES)
    assert result.latency_ms is not None and 0 < result.latency_ms < 2000
    assert result.url == url


def test_probe_reports_html_200_as_invalid_payload_with_content_type(serve):
    page = "<html><body>Bot is healthy</body></html>"
    url = serve(respond(200, "text/html", page))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert not result.ok
    assert result.problem.startswith("invalid payload (Content-Type text/html): not JSON")
    assert result.body_excerpt == page
    assert judge_health_up(result, "").band is Band.CRITICAL


def test_probe_reports_a_missing_field_in_json(serve):
    url = serve(respond(200, "application/json", body(version=...)))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.problem.startswith("invalid payload: field 'version' missing")


def test_probe_reports_http_error_status_with_the_body(serve):
    url = serve(respond(503, "text/plain", "starting up"))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert (result.problem, result.http_status, result.body_excerpt) == (
        "HTTP 503",
        503,
        "starting up",
    )


def test_probe_gives_up_on_a_slow_endpoint_within_its_timeout(serve):
    def slow(request: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)
        respond(200, "application/json", CONTRACT_EXAMPLE)(request)

    url = serve(slow)
    timeout_s = 0.3
    started = time.monotonic()
    result = HealthProbe(url, timeout_s, SAME_NAMES).read()
    elapsed = time.monotonic() - started
    assert result.problem == "no answer within 0.3 s"
    assert result.payload is None and result.http_status is None
    assert elapsed < timeout_s + 1.0
    assert judge_health_up(result, "").band is Band.CRITICAL


def test_probe_reports_a_closed_port_as_not_reachable():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    result = HealthProbe(f"http://127.0.0.1:{port}/api/health", 1.0, SAME_NAMES).read()
    assert result.problem.startswith("not reachable: ")
    assert result.http_status is None and result.payload is None


def test_probe_refuses_a_body_larger_than_the_limit(serve):
    url = serve(respond(200, "application/json", " " * (MAX_BODY_BYTES + 10_000)))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.problem == f"body larger than {MAX_BODY_BYTES} bytes"
    assert len(result.body_excerpt) <= 300


def test_health_version_without_expected_version_is_skipped():
    verdict = judge_health_version(reading(CONTRACT_EXAMPLE), "")
    assert verdict.band is Band.SKIPPED
    assert "--expected-version" in verdict.cause


def test_health_version_mismatch_is_critical_and_match_is_target():
    assert judge_health_version(reading(CONTRACT_EXAMPLE), "v1.0.0").band is Band.TARGET
    mismatch = judge_health_version(reading(CONTRACT_EXAMPLE), "v1.0.1")
    assert mismatch.band is Band.CRITICAL
    assert mismatch.cause == "deployed version is 'v1.0.0'"


def test_probe_reports_a_huge_number_body_as_invalid_payload(serve):
    url = serve(respond(200, "application/json", "9" * 5000))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.problem.startswith("invalid payload")
