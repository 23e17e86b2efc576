"""parse_health against the contract, HealthProbe.read and timed_get against a real local HTTP
server (a fresh connection per request), and health-latency over timed readings."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.bands import Band, Better, Tiers
from burnin.catalogue import CRITERIA
from burnin.config import HEALTH_FIELDS, load_thresholds
from burnin.criteria.health import (
    LatencySample,
    judge_health_latency,
    judge_health_up,
    judge_health_version,
    measure_health_latency,
)
from burnin.probes.health import (
    MAX_BODY_BYTES,
    HealthPayload,
    HealthProbe,
    HealthReading,
    PayloadError,
    parse_health,
    timed_get,
)

CONTRACT_EXAMPLE = """{"status": "healthy", "connected": true, "channel": "#production-channel",
 "uptime_seconds": 30, "version": "v1.0.0", "user_count": 42,
 "requests_handled": 0, "error_count": 0}"""
SAME_NAMES = {name: name for name in HEALTH_FIELDS}
ROOT = Path(__file__).resolve().parents[2]
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
def never() -> Iterator[threading.Event]:
    """An event nobody sets while the test runs (set after it: the handler threads end)."""
    event = threading.Event()
    yield event
    event.set()


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


def test_probe_gives_up_on_an_endpoint_that_never_answers_at_its_timeout(serve, never):
    url = serve(lambda _request: never.wait())
    result = HealthProbe(url, 0.3, SAME_NAMES).read()
    assert result.problem == "no answer within 0.3 s"
    assert result.payload is None and result.http_status is None
    assert judge_health_up(result, "").band is Band.CRITICAL


def test_probe_gives_up_on_an_answer_that_stalls_after_its_headers(serve, never):
    def stalls(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", "1000")
        request.end_headers()
        request.wfile.write(b'{"status": ')
        request.wfile.flush()
        never.wait()

    result = HealthProbe(serve(stalls), 0.3, SAME_NAMES).read()
    assert result.problem == "no complete answer within 0.3 s"
    assert result.http_status == 200 and not result.ok


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


# ---------------------------------------------------------------- fresh connections, timed


def test_probe_reading_has_connect_first_byte_and_total_times(serve):
    url = serve(respond(200, "application/json", CONTRACT_EXAMPLE))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.answered
    assert result.connect_ms is not None and result.first_byte_ms is not None
    assert 0 < result.connect_ms <= result.first_byte_ms <= result.latency_ms  # type: ignore[operator]


def test_probe_opens_a_fresh_connection_per_request_and_asks_to_close_it(serve):
    seen: list[tuple[int, str]] = []

    def record(request: BaseHTTPRequestHandler) -> None:
        seen.append((request.client_address[1], request.headers.get("Connection", "")))
        respond(200, "application/json", CONTRACT_EXAMPLE)(request)

    url = serve(record)
    probe = HealthProbe(url, 2.0, SAME_NAMES)
    assert all(probe.read().ok for _ in range(3))
    assert [header for _, header in seen] == ["close"] * 3
    assert len({port for port, _ in seen}) == 3  # three client ports: three connections


def test_probe_answer_with_an_http_error_is_answered_but_not_ok(serve):
    url = serve(respond(503, "text/plain", "starting up"))
    result = HealthProbe(url, 2.0, SAME_NAMES).read()
    assert result.answered and not result.ok
    assert result.latency_ms is not None


def test_probe_gives_up_on_a_trickling_body_at_the_total_deadline(serve, never):
    """A byte every 0.05 s for ever: no read waits long, only the total deadline ends it."""

    def trickle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", "1000000")
        request.end_headers()
        while not never.wait(0.05):
            request.wfile.write(b" ")
            request.wfile.flush()

    result = HealthProbe(serve(trickle), 0.5, SAME_NAMES).read()
    assert result.problem == "no complete answer within 0.5 s"
    assert result.http_status == 200 and result.answered and not result.ok


def test_probe_of_an_unreachable_port_is_not_answered():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    result = HealthProbe(f"http://127.0.0.1:{port}/api/health", 1.0, SAME_NAMES).read()
    assert not result.answered
    assert result.connect_ms is None and result.first_byte_ms is None


def test_timed_get_of_an_invalid_port_says_so_without_raising():
    answer = timed_get("http://127.0.0.1:99999/api/health", 1.0, 100)
    assert answer.status is None
    assert answer.problem.startswith("invalid URL 'http://127.0.0.1:99999/api/health': ")


def test_timed_get_sends_the_query_string(serve):
    paths: list[str] = []

    def record(request: BaseHTTPRequestHandler) -> None:
        paths.append(request.path)
        respond(200, "text/plain", "ok")(request)

    url = serve(record)
    answer = timed_get(f"{url}?verbose=1", 2.0, 100)
    assert (answer.status, answer.body, answer.problem) == (200, b"ok", "")
    assert paths == ["/api/health?verbose=1"]


# ---------------------------------------------------------------- health-latency

LATENCY = Tiers("health_latency", "ms", Better.LOWER, acceptable=100.0, critical=200.0, target=50.0)
URL = "http://bot/api/health"


def timed(total_ms: float, status: int | None = 200, problem: str = "") -> HealthReading:
    answered = status is not None
    return HealthReading(
        URL,
        total_ms,
        status,
        None,
        problem,
        "",
        1.0 if answered else None,
        total_ms / 2 if answered else None,
    )


def test_every_answered_request_is_timed_whatever_its_payload():
    sample = LatencySample([timed(10.0), timed(20.0, 503, "HTTP 503")], timeout_s=2.0)
    assert sample.latencies_ms == [10.0, 20.0]
    assert sample.unanswered == []


def test_an_unanswered_request_counts_at_the_timeout():
    sample = LatencySample([timed(10.0), timed(3.0, None, "not reachable: refused")], 2.0)
    assert sample.latencies_ms == [10.0, 2000.0]
    assert [r.problem for r in sample.unanswered] == ["not reachable: refused"]


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.5, 5.0), (0.95, 10.0), (0.9, 9.0), (0.0, 1.0), (1.0, 10.0)]
)
def test_percentile_is_the_nearest_rank(fraction, expected):
    sample = LatencySample([], 1.0)
    assert sample.percentile([float(n) for n in range(10, 0, -1)], fraction) == expected


def test_fast_fresh_connections_are_target_with_the_phases_in_the_cause():
    verdict = judge_health_latency(LatencySample([timed(10.0)] * 5, 2.0), LATENCY)
    assert verdict.band is Band.TARGET
    assert verdict.observed == 10.0
    assert verdict.cause == (
        "p95 10.0 ms over 5 requests; median connect 1.0 ms, first byte 5.0 ms"
    )
    assert verdict.threshold.endswith("(avg and p95, whole request on a fresh connection)")
    [evidence] = verdict.evidence
    assert evidence.query == f"GET {URL} x5, a fresh connection each"
    assert set(evidence.values) == {"total_ms", "connect_ms", "first_byte_ms", "unanswered"}


def test_a_slow_p95_worsens_a_good_average():
    readings = [timed(20.0)] * 18 + [timed(250.0)] * 2
    verdict = judge_health_latency(LatencySample(readings, 2.0), LATENCY)
    assert verdict.observed == pytest.approx(43.0)  # the average alone is on target
    assert verdict.band is Band.CRITICAL
    assert verdict.cause.startswith("p95 250.0 ms over 20 requests")


def test_one_unanswered_request_in_ten_is_critical_through_p95():
    readings = [timed(10.0)] * 9 + [timed(5.0, None, "no answer within 2 s")]
    verdict = judge_health_latency(LatencySample(readings, 2.0), LATENCY)
    assert verdict.band is Band.CRITICAL
    assert "1 unanswered, counted at the 2 s timeout: no answer within 2 s" in verdict.cause
    assert verdict.evidence[0].values["unanswered"] == ["no answer within 2 s"]


def test_a_slow_error_page_counts_against_latency():
    readings = [timed(300.0, 500, "HTTP 500")] * 3
    assert judge_health_latency(LatencySample(readings, 2.0), LATENCY).band is Band.CRITICAL


def test_no_requests_are_no_data():
    verdict = judge_health_latency(LatencySample([], 2.0), LATENCY)
    assert verdict.band is Band.NO_DATA
    assert verdict.cause == "no request was made"


class ScriptedProbe:
    """Stands in for HealthProbe: its n-th read (from 1) is `reading(n)`; no request hung."""

    hung = None

    def __init__(self, timeout_s: float, reading: Callable[[int], HealthReading]) -> None:
        self.timeout_s = timeout_s
        self.reading = reading
        self.reads = 0

    def read(self) -> HealthReading:
        self.reads += 1
        return self.reading(self.reads)


def test_measure_health_latency_keeps_the_probes_timeout():
    probe = ScriptedProbe(3.0, lambda _n: timed(10.0))
    sample = measure_health_latency(probe, 4)  # type: ignore[arg-type]
    assert (probe.reads, sample.timeout_s) == (4, 3.0)


def test_latency_sampling_stops_at_the_first_request_never_answered():
    """A hanging endpoint: each further request would wait its timeout too (ten timeouts for a
    sample of ten); the one unanswered, counted at the timeout, decides the band already."""

    probe = ScriptedProbe(
        2.0, lambda n: timed(10.0) if n < 3 else timed(2000.0, None, "timed out after 2 s")
    )
    sample = measure_health_latency(probe, 10)  # type: ignore[arg-type]
    assert probe.reads == 3 and len(sample.readings) == 3
    verdict = judge_health_latency(sample, LATENCY)
    assert verdict.band is Band.CRITICAL, verdict
    assert "1 unanswered, counted at the 2 s timeout: timed out after 2 s" in verdict.cause
    assert "sampling stopped there (3 of 10)" in verdict.cause


def test_an_endpoint_that_hung_in_this_run_is_not_asked_again_for_latency(serve, never):
    """health-up's read got no answer within the timeout: that request is latency's sample (one
    timeout for the run, not two), said in the cause; a refused read is asked again (cheap)."""
    asked = []
    url = serve(lambda request: (asked.append(request.path), never.wait()))
    probe = HealthProbe(url, 0.3, SAME_NAMES)
    read = probe.read()
    assert not read.answered and probe.hung is read
    sample = measure_health_latency(probe, 10)
    assert sample.readings == [read] and sample.earlier
    assert len(asked) == 1
    verdict = judge_health_latency(sample, LATENCY)
    assert verdict.band is Band.CRITICAL
    assert "1 unanswered, counted at the 0.3 s timeout: no answer within 0.3 s" in verdict.cause
    assert (
        "that request was this run's health read: a hanging endpoint is not asked again (1 of 10)"
    ) in verdict.cause
    assert "sampling stopped there" not in verdict.cause

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = HealthProbe(f"http://127.0.0.1:{port}/api/health", 0.3, SAME_NAMES)
    assert not refused.read().answered and refused.hung is None
    assert len(measure_health_latency(refused, 3).readings) == 1  # asked, refused again


def test_health_latency_tiers_of_the_real_thresholds_file():
    tiers = load_thresholds(ROOT / "thresholds.toml", CRITERIA).tiers("health_latency", "24h")
    assert (tiers.target, tiers.acceptable, tiers.critical) == (50.0, 100.0, 200.0)
