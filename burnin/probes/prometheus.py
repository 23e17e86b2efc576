"""Instant and range queries against the Prometheus HTTP API, each with a timeout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from burnin.verdict import SourceError


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]  # (unix seconds, value)


class PrometheusProbe:
    source = "prometheus"

    def __init__(self, url: str, timeout_s: float, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = session or requests.Session()
        self._ranges: dict[tuple[str, datetime, datetime, int], list[Series]] = {}
        # One quick retry for a dropped connection; more would multiply the time bound.
        retry = Retry(total=1, backoff_factor=0.2, status_forcelist=[502, 503, 504])
        self._client = PrometheusConnect(
            url=self.url, session=self._session, timeout=timeout_s, retry=retry
        )

    def _fail(self, cause: object) -> SourceError:
        return SourceError(self.source, self.url, str(cause).strip() or type(cause).__name__)

    def ready(self) -> None:
        """Raise SourceError unless Prometheus says it is ready to serve queries."""
        try:
            response = self._session.get(f"{self.url}/-/ready", timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise self._fail(f"not reachable: {exc}") from None
        if response.status_code != 200:
            raise self._fail(f"not ready: HTTP {response.status_code} {response.text[:200]!r}")

    def _ask(self, call: Any, query: str) -> list[dict[str, Any]]:
        try:
            return call()
        except PrometheusApiClientException as exc:
            raise self._fail(f"query {query!r} refused: {exc}") from None
        except requests.RequestException as exc:
            raise self._fail(f"query {query!r} failed: {exc}") from None
        except ValueError as exc:  # a body that is not Prometheus JSON
            raise self._fail(f"query {query!r}: answer is not Prometheus JSON: {exc}") from None

    def instant(self, query: str, at: datetime) -> list[Sample]:
        result = self._ask(
            lambda: self._client.custom_query(query, params={"time": at.timestamp()}), query
        )
        return [Sample(item.get("metric", {}), float(item["value"][1])) for item in result]

    def scalar(self, query: str, at: datetime) -> float | None:
        """The single value of an aggregated query; None when the result is empty."""
        samples = self.instant(query, at)
        if not samples:
            return None
        if len(samples) > 1:
            raise self._fail(f"query {query!r} returned {len(samples)} series, expected one")
        return samples[0].value

    def range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        """A range query; answers are kept for the session, so criteria (and the report's plots)
        that need the same series share one request."""
        key = (query, start, end, step_s)
        if key not in self._ranges:
            self._ranges[key] = self._range(query, start, end, step_s)
        return self._ranges[key]

    def cached_ranges(self) -> dict[tuple[str, datetime, datetime, int], list[Series]]:
        """Every range answer this probe fetched: the report plots these, asking nothing new."""
        return dict(self._ranges)

    def _range(self, query: str, start: datetime, end: datetime, step_s: int) -> list[Series]:
        result = self._ask(
            lambda: self._client.custom_query_range(query, start, end, f"{step_s}s"), query
        )
        return [
            Series(item.get("metric", {}), [(float(t), float(v)) for t, v in item["values"]])
            for item in result
        ]

    def alerting_rule_count(self) -> int:
        """How many alerting rules Prometheus evaluates (GET /api/v1/rules?type=alert)."""
        try:
            response = self._session.get(
                f"{self.url}/api/v1/rules", params={"type": "alert"}, timeout=self.timeout_s
            )
            response.raise_for_status()
            groups = response.json()["data"]["groups"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise self._fail(f"GET /api/v1/rules failed: {exc}") from None
        return sum(len(group.get("rules", [])) for group in groups)
