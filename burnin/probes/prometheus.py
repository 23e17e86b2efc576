"""Instant and range queries against the Prometheus HTTP API, each with a timeout."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

from burnin.clock import skew, skew_cause
from burnin.config.access import HttpAccess
from burnin.coverage import scrape_interval, times_of
from burnin.errors import SourceError
from burnin.flight import MARGIN_S, Flights, GaveUp, Slots
from burnin.lazy import lazy_module
from burnin.partial import note, partial_warnings
from burnin.probes.failures import explain, explain_status
from burnin.probes.http import new_session
from burnin.promql import FleetMember
from burnin.redact import redact_url
from burnin.schedule import Window
from burnin.series import Answer, Interner, MemberOf, Sample, Series, decode_matrix, inside

if TYPE_CHECKING:
    import prometheus_api_client
    import requests
else:  # imported by the first probe made (burnin.lazy): a listing makes none
    prometheus_api_client = lazy_module("prometheus_api_client")
    requests = lazy_module("requests")

T = TypeVar("T")
L = TypeVar("L")
# Raw answers fetched and decoded at once: two, so Prometheus encodes one while the other is
# read and decoded (a 100-bot day: 12.4-14.1 s -> 10.8-11.1 s; peak RSS within 5 MB: the
# lean decoder keeps the body and two arrays a series).
RAW_AT_ONCE = 2
# Tries of one request: the first and one quick retry (Retry(total=1) below), each bounded by
# the timeout twice over (connecting, then each read of the answer).
ATTEMPTS = 2
# Prometheus' default rule evaluation interval, when no rule group says.
DEFAULT_EVALUATION_S = 60.0
# Rules awaiting their first evaluation (Prometheus just started): /api/v1/rules asked again
# this often, for at most one evaluation interval, and never longer than the cap (a group
# evaluated every 5 minutes must not outwait the tests' timeout backstop).
RULES_POLL_S = 0.5
FIRST_EVALUATION_MAX_WAIT_S = 120.0


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule as Prometheus reports it: loaded, and evaluating well or not."""

    name: str
    group: str
    severity: str
    health: str  # "ok", "err" or "unknown" (not evaluated yet)
    last_error: str
    interval_s: float  # the group's evaluation interval
    query: str
    # False: not evaluated since Prometheus started (it says health "unknown", or a last
    # evaluation at the zero time). A Prometheus that says neither cannot tell: True.
    evaluated: bool = True

    @property
    def healthy(self) -> bool:
        return self.health == "ok" and not self.last_error


@dataclass(frozen=True)
class FirstEvaluationWait:
    """Rules Prometheus had not evaluated yet when first asked (it had just started), how long
    the probe waited for their first evaluation, and those still not evaluated when it stopped
    waiting (after one evaluation interval: they are judged as they stand)."""

    pending: tuple[str, ...]
    waited_s: float
    limit_s: float
    still_pending: tuple[str, ...]

    def describe(self) -> str:
        text = (
            f"{len(self.pending)} rule(s) had not evaluated yet since Prometheus started: "
            f"waited {self.waited_s:.1f} s for their first evaluation"
        )
        if self.still_pending:
            return (
                f"{text}; still not evaluated after one evaluation interval "
                f"({self.limit_s:g} s): {', '.join(self.still_pending)}"
            )
        return f"{text}; all evaluated since"


def await_first_evaluation(
    ask: Callable[[], list[AlertRule]],
    rules: list[AlertRule],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[AlertRule], FirstEvaluationWait | None]:
    """`rules` (a first answer), or, while some await their first evaluation, `ask()`'s answer
    every RULES_POLL_S until none does or one evaluation interval (their slowest group's,
    capped at FIRST_EVALUATION_MAX_WAIT_S) has passed. Each ask carries the source's timeout:
    the wait ends within the interval plus one timeout."""
    pending = tuple(r.name for r in rules if not r.evaluated)
    if not pending:
        return rules, None
    limit_s = min(
        FIRST_EVALUATION_MAX_WAIT_S,
        max(r.interval_s or DEFAULT_EVALUATION_S for r in rules if not r.evaluated),
    )
    started = clock()
    still = pending
    while still and (left_s := started + limit_s - clock()) > 0:
        sleep(min(RULES_POLL_S, left_s))
        rules = ask()
        still = tuple(r.name for r in rules if not r.evaluated)
    return rules, FirstEvaluationWait(pending, round(clock() - started, 3), limit_s, still)


def _evaluated(rule: Mapping[str, Any]) -> bool:
    last = str(rule.get("lastEvaluation") or "")
    return rule.get("health") != "unknown" and not last.startswith("0001-01-01")


class PrometheusProbe:
    source = "prometheus"

    def __init__(
        self,
        url: str,
        timeout_s: float,
        session: requests.Session | None = None,
        access: HttpAccess | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.where = redact_url(self.url)  # what messages show: never a password
        self.timeout_s = timeout_s
        # Trust, client certificate, credentials and proxy, as every HTTP source has them.
        self.access = access or HttpAccess("prometheus")
        if session is None:  # never reading the environment while asking (burnin.probes.http)
            session = new_session(self.access, self.url)
        self._session = session
        # A criterion waiting on the same question asked by another waits at most that
        # request's bound, then errors saying it gave up (never waits on a stuck request).
        bound_s, gave_up = self.bound_s, self._gave_up
        self._ranges: Flights[tuple[str, datetime, datetime, int], list[Series]] = Flights(
            bound_s=bound_s, gave_up=gave_up
        )
        self._raw: Flights[tuple[str, Window], list[Series]] = Flights(
            bound_s=bound_s, gave_up=gave_up
        )
        self._instants: Flights[tuple[str, datetime], list[Sample]] = Flights(
            bound_s=bound_s, gave_up=gave_up
        )
        self._stack: Flights[str, Any] = Flights(bound_s=bound_s, gave_up=gave_up)
        # Raw answers decoded at once: a fleet's day of samples is ~90 MB of JSON objects while
        # it is decoded (kept, it is 16 bytes a sample: Points).
        self._raw_at_once = Slots(RAW_AT_ONCE, bound_s, "a turn to fetch raw samples")
        # Equal sample arrays of its answers kept once: a bot's families share their scrape
        # times, a healthy fleet's 0/1 series their values (a 100-bot day: ~50 MB less).
        self._interner = Interner()
        # The rules: a first answer, then asked again for up to one evaluation interval.
        self._rules: Flights[str, list[AlertRule]] = Flights(
            bound_s=2 * bound_s + FIRST_EVALUATION_MAX_WAIT_S, gave_up=gave_up
        )
        # Set with the rules: the wait for rules not yet evaluated since Prometheus started.
        self.rules_wait: FirstEvaluationWait | None = None
        self.clock_skew_s: float | None = None  # Prometheus's clock minus ours, once ready
        # The union of the windows this run judges: raw samples are fetched over it once per
        # series and sliced for each window inside it.
        self.span: Window | None = None
        # One quick retry for a dropped connection; more would multiply the time bound.
        from urllib3.util.retry import Retry

        retry = Retry(total=1, backoff_factor=0.2, status_forcelist=[502, 503, 504])
        self._client = prometheus_api_client.PrometheusConnect(
            url=self.url, session=self._session, timeout=timeout_s, retry=retry
        )

    @property
    def bound_s(self) -> float:
        """The longest one request may take: each try's connection and reads bounded by the
        timeout, the retry's pause."""
        return ATTEMPTS * 2 * self.timeout_s + MARGIN_S

    def _fail(self, cause: object) -> SourceError:
        return SourceError(self.source, self.where, str(cause).strip() or type(cause).__name__)

    def _gave_up(self, key: object, waited_s: float) -> Any:
        """A criterion waiting on another's request for the same answer, past its bound."""
        raise self._fail(
            f"gave up waiting {waited_s:.0f} s for an answer another criterion was asking for "
            f"(past its bound of {self.bound_s:g} s)"
        )

    def _unreachable(self, what: str, exc: requests.RequestException) -> SourceError:
        """A request that got no answer, in one line with its fix (never urllib3's text)."""
        return self._fail(f"{what}: {explain(exc, self.access, self.url, self.timeout_s).cause}")

    def _refused(self, status: int, body: str) -> SourceError | None:
        """An answer refusing the observer itself (401, 403, a proxy's 407), with its fix."""
        refused = explain_status(status, body, self.access, self.url)
        return None if refused is None else self._fail(refused.cause)

    def ready(self) -> None:
        """Raise SourceError unless Prometheus says it is ready to serve queries."""
        asked = time.time()
        try:
            response = self._session.get(f"{self.url}/-/ready", timeout=self.timeout_s)
        except requests.exceptions.RetryError as exc:  # answered, with 502/503/504, twice
            raise self._fail(f"not ready: {_retry_cause(exc)}") from None
        except requests.RequestException as exc:
            raise self._unreachable("not reachable", exc) from None
        if (refused := self._refused(response.status_code, response.text[:300])) is not None:
            raise refused
        if response.status_code != 200:
            raise self._fail(f"not ready: HTTP {response.status_code} {response.text[:200]!r}")
        self.clock_skew_s = clock_skew(response.headers.get("Date", ""), asked, time.time())
        cause = skew_cause("Prometheus's", "its Date header", self.clock_skew_s)
        if cause:
            raise self._fail(cause)

    def _ask(self, call: Callable[[], T], query: str) -> T:
        try:
            return call()
        except prometheus_api_client.PrometheusApiClientException as exc:
            status = re.search(r"HTTP Status Code (\d{3}) \((.*)\)", str(exc), re.DOTALL)
            if status and (refused := self._refused(int(status[1]), status[2])) is not None:
                raise refused from None
            raise self._fail(f"query {query!r} refused: {exc}") from None
        except requests.exceptions.RetryError as exc:
            raise self._fail(f"query {query!r}: {_retry_cause(exc)}") from None
        except requests.JSONDecodeError as exc:  # an answer, but not Prometheus' (a wrong URL)
            raise self._fail(f"query {query!r}: answer is not Prometheus JSON: {exc}") from None
        except requests.RequestException as exc:
            raise self._unreachable(f"query {query!r} failed", exc) from None
        except ValueError as exc:  # a body that is not Prometheus JSON
            raise self._fail(f"query {query!r}: answer is not Prometheus JSON: {exc}") from None

    def instant(self, query: str, at: datetime) -> list[Sample]:
        """An instant query; answers are kept for the session (a fleet's bots share them)."""

        def fetch() -> list[Sample]:
            params = {"query": query, "time": at.timestamp()}
            return self._ask(lambda: self._vector(params), query)

        return self._noted(query, self._instants.get((query, at), fetch))

    def _noted(self, query: str, answer: list[L]) -> list[L]:
        """An answer handed to a measurement, its warnings of missing data noted for it."""
        note(self.source, query, getattr(answer, "warnings", ()))
        return answer

    def scalar(self, query: str, at: datetime) -> float | None:
        """The single value of an aggregated query; None when the result is empty."""
        return single_value(self.instant(query, at), query, self._fail)

    def range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        """A range query; answers are kept for the session, so criteria (and the report's plots)
        that need the same series share one request."""
        return self._noted(
            query,
            self._ranges.get(
                (query, start, end, step_s), lambda: self._range(query, start, end, step_s)
            ),
        )

    def samples(
        self, selector: str, window: Window, keep: Callable[[Series], bool] = lambda _s: True
    ) -> list[Series]:
        """The raw samples of `selector` inside the window: an instant query of `selector[Ns]`
        at the window's end, so no lookback stretches a series past its last scrape and no step
        hides a hole. One request per selector per run when the window lies inside `span`.
        `keep`: the series wanted (a fleet's bot takes its own before any is sliced)."""
        fetch = self.span if self.span and _inside(window, self.span) else window

        def fetch_now() -> list[Series]:
            query = f"{selector}{fetch.promql_range()}"
            params = {"query": query, "time": fetch.end.timestamp()}
            return self._ask(lambda: self._matrix("query", params), query)

        try:
            found = self._raw.get((selector, fetch), fetch_now, self._raw_at_once)
        except GaveUp as exc:  # the one raw fetch at a time is stuck
            raise self._fail(str(exc)) from None
        self._noted(f"{selector}{fetch.promql_range()}", found)
        answer = keep.of(found) if isinstance(keep, MemberOf) else [s for s in found if keep(s)]
        if fetch == window:
            return answer
        return [Series(s.labels, inside(s.points, window)) for s in answer]

    def stack_answer(self, url: str, fetch: Callable[[], T]) -> T:
        """An answer of the monitoring stack around this Prometheus (its Alertmanagers, the
        Alertmanager's readiness, the dashboard) by URL, asked once per run: a fleet's bots
        share their stack."""
        return self._stack.get(url, fetch)

    def cached_ranges(
        self, keep: Callable[[Series], bool] = lambda _s: True
    ) -> dict[tuple[str, datetime, datetime, int], list[Series]]:
        """Every range and raw answer this probe fetched: the report plots these, asking
        nothing new (a raw answer's step is its scrape interval). `keep`: the series wanted
        (a fleet's plotted bot), taken before the scrape intervals are read."""
        answers = {key: [s for s in found if keep(s)] for key, found in self._ranges.kept().items()}
        for (selector, window), found in self._raw.kept().items():
            series = [s for s in found if keep(s)]
            interval = scrape_interval(times_of(s.points) for s in series) or 15.0
            answers[(selector, window.start, window.end, round(interval))] = series
        return answers

    def _matrix(self, api: str, params: dict[str, Any]) -> list[Series]:
        """A query whose answer is a matrix (a range query, or `selector[Ns]` at one moment),
        asked as the client asks (its session, retries, headers), decoded by decode_matrix,
        with the answer's warnings of missing data."""
        body = self._get(api, params).content
        return Answer(decode_matrix(body, self._interner), answer_warnings(body))

    def _vector(self, params: dict[str, Any]) -> list[Sample]:
        """An instant query's samples, with the answer's warnings of missing data."""
        document = self._get("query", params).json()
        try:
            result = document["data"]["result"]
            samples = [Sample(i.get("metric", {}), float(i["value"][1])) for i in result]
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"not an instant vector: {type(exc).__name__}: {exc}") from None
        return Answer(samples, partial_warnings(document.get("warnings") or ()))

    def _get(self, api: str, params: dict[str, Any]) -> requests.Response:
        """GET /api/v1/<api> as the client asks (its session, retries, headers); an answer other
        than 200 raised in the client's own words."""
        client = self._client
        response = self._session.request(
            method=client._method,
            url=f"{self.url}/api/v1/{api}",
            params=params,
            verify=self._session.verify,
            headers=client.headers,
            auth=client.auth,
            cert=self._session.cert,
            timeout=self.timeout_s,
        )
        if response.status_code != 200:  # the client's own words for it
            raise prometheus_api_client.PrometheusApiClientException(
                f"HTTP Status Code {response.status_code} ({response.content!r})"
            )
        return response

    def _range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        params = {
            "query": query,
            "start": round(start.timestamp()),  # whole seconds, as the client sent them
            "end": round(end.timestamp()),
            "step": f"{step_s}s",
        }
        return self._ask(lambda: self._matrix("query_range", params), query)

    def metric_names(self) -> list[str]:
        """Every metric name Prometheus knows (GET /api/v1/label/__name__/values)."""
        try:
            response = self._session.get(
                f"{self.url}/api/v1/label/__name__/values", timeout=self.timeout_s
            )
            if (refused := self._refused(response.status_code, response.text[:300])) is not None:
                raise refused
            response.raise_for_status()
            return [str(n) for n in response.json()["data"]]
        except (requests.exceptions.HTTPError, ValueError, KeyError, TypeError) as exc:
            # An answer that is not the list (JSONDecodeError is a RequestException too).
            raise self._fail(f"GET /api/v1/label/__name__/values failed: {exc}") from None
        except requests.RequestException as exc:
            raise self._unreachable("GET /api/v1/label/__name__/values failed", exc) from None
            raise self._fail(f"GET /api/v1/label/__name__/values failed: {exc}") from None

    def alerting_rules(self) -> list[AlertRule]:
        """The alerting rules Prometheus evaluates (GET /api/v1/rules?type=alert), asked once
        per run (criteria asking at once share the answer). Rules not yet evaluated since
        Prometheus started are waited for, up to one evaluation interval (rules_wait says how
        long and with what outcome)."""

        def fetch() -> list[AlertRule]:
            rules, self.rules_wait = await_first_evaluation(self._ask_rules, self._ask_rules())
            return rules

        return self._rules.get("rules", fetch)

    def _ask_rules(self) -> list[AlertRule]:
        try:
            response = self._session.get(
                f"{self.url}/api/v1/rules", params={"type": "alert"}, timeout=self.timeout_s
            )
            if refused := self._refused(response.status_code, response.text[:300]):
                raise refused
            response.raise_for_status()
            groups = response.json()["data"]["groups"]
            return [
                AlertRule(
                    name=str(rule["name"]),
                    group=str(group.get("name", "")),
                    severity=str((rule.get("labels") or {}).get("severity", "")),
                    health=str(rule.get("health", "unknown")),
                    last_error=str(rule.get("lastError", "") or ""),
                    interval_s=float(group.get("interval") or 0.0),
                    query=str(rule.get("query", "")),
                    evaluated=_evaluated(rule),
                )
                for group in groups
                for rule in group.get("rules", [])
            ]
        except (
            requests.exceptions.HTTPError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            # An answer that is not the rules (JSONDecodeError is a RequestException too).
            raise self._fail(f"GET /api/v1/rules failed: {exc}") from None
        except requests.RequestException as exc:
            raise self._unreachable("GET /api/v1/rules failed", exc) from None


def single_value(
    samples: list[Sample], query: str, fail: Callable[[object], SourceError]
) -> float | None:
    """The one value of an answer that should hold at most one series."""
    if not samples:
        return None
    if len(samples) > 1:
        raise fail(f"query {query!r} returned {len(samples)} series, expected one")
    return samples[0].value


class FleetView:
    """One bot of a fleet looking at the fleet's Prometheus: each question is asked about every
    bot at once (FleetMember.widen: the same text for each bot, so the probe asks it once and
    every bot shares the answer) and answered with this bot's series only. A question whose
    answer lost the fleet's label (an aggregation without `by`) answers nothing: NO_DATA, never
    another bot's value. A question about the whole Prometheus (its firing alerts) is answered
    whole: which of them are the bot's is the alerts criterion's rule (promql.scope_of), the
    same for a bot of a fleet as for any target sharing its Prometheus."""

    def __init__(self, probe: PrometheusProbe, member: FleetMember) -> None:
        self.probe = probe
        self.member = member

    def __getattr__(self, name: str) -> Any:  # url, where, span, alerting_rules ...
        return getattr(self.probe, name)

    def _asked(self, query: str) -> tuple[str, MemberOf | None]:
        """The question for the fleet, and which of its series are this bot's: of a question
        about the bot, its own series only; of one about the whole Prometheus (no selector of
        the bot's in it: the firing alerts), every series (None; told apart by scope_of)."""
        widened = self.member.widen(query)
        mine = MemberOf(self.member.label, self.member.own.value)
        return widened, mine if widened != query else None

    def instant(self, query: str, at: datetime) -> list[Sample]:
        widened, mine = self._asked(query)
        answer = self.probe.instant(widened, at)
        return mine.of(answer) if mine else list(answer)

    def scalar(self, query: str, at: datetime) -> float | None:
        return single_value(self.instant(query, at), query, self.probe._fail)

    def range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        widened, mine = self._asked(query)
        answer = self.probe.range(widened, start, end, step_s)
        return mine.of(answer) if mine else list(answer)

    def samples(self, selector: str, window: Window) -> list[Series]:
        widened, mine = self._asked(selector)
        return self.probe.samples(widened, window, mine or _every)


def _every(_series: Series) -> bool:
    return True


def answer_warnings(body: bytes) -> tuple[str, ...]:
    """The warnings of missing data in a Prometheus answer's body (burnin.partial). Prometheus
    writes them after the data; a body that never says "warnings" is not decoded again."""
    if b'"warnings"' not in body:
        return ()
    try:
        document = json.loads(body)
    except ValueError:
        return ()
    found = document.get("warnings") if isinstance(document, dict) else None
    return partial_warnings(found) if isinstance(found, list) else ()


def clock_skew(date_header: str, sent: float, received: float) -> float | None:
    """The server's clock minus ours from an HTTP Date header; None without a usable one."""
    try:
        server = parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return skew(server, sent, received)


def _inside(window: Window, span: Window) -> bool:
    return span.start <= window.start and window.end <= span.end


def _retry_cause(exc: Exception) -> str:
    """'HTTP 503, also on the retry' from urllib3's 'too many 503 error responses'."""
    found = re.search(r"too many (\d{3}) error responses", str(exc))
    return f"HTTP {found.group(1)}, also on the retry" if found else f"gave up retrying: {exc}"
