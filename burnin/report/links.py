"""Every number one click from its source: each question a row's evidence asked, as a reader asks
it again. A Prometheus query links to Prometheus's graph page with the same expression over the
same window (or at the same moment), and to the dashboard's Explore (Grafana) when one is
configured; SSH rows show their command. Links go through the configured URL (a route prefix
kept) and never carry credentials."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from burnin.schedule import Window
from burnin.verdict import Evidence

# `bot_connected{env="production"}[86400s] (raw samples)`: the series' raw samples over a window.
RAW = re.compile(r"^(?P<expr>.+?)\[(?P<seconds>\d+)s\] \(raw samples[^)]*\)$")
# The traffic criteria's evidence: several queries, each evaluated at each period's end.
PER_PERIOD = "per period, evaluated at each period's end:"
PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})-(\d{2}:\d{2})")


@dataclass(frozen=True)
class Consoles:
    """Where a reader asks a bot's sources again: base URLs without credentials."""

    prometheus: str = ""
    dashboard: str = ""


@dataclass(frozen=True)
class Asked:
    """One question of a row's evidence."""

    source: str  # prometheus, ssh, health, http, file
    text: str  # the query, command or URL, as the criterion asked it
    expr: str = ""  # the PromQL a reader can graph ("" when it is none)
    end: datetime | None = None  # the moment it was evaluated at, or the end of the range drawn
    range_s: int = 0  # the range drawn: the window of raw samples, or the period
    instant: bool = False  # a value at `end` (Prometheus's table tab shows it)

    @property
    def command(self) -> bool:
        return self.source == "ssh"


def public_url(url: str) -> str:
    """The URL without user, password, query or fragment: what a link may carry."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if not parts.scheme or not host:
        return ""
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def consoles_of(target_values: Mapping[str, Any]) -> Consoles:
    return Consoles(
        public_url(str(target_values.get("prometheus_url") or "")),
        public_url(str(target_values.get("dashboard_url") or "")),
    )


def _instant(values: Mapping[str, Any]) -> datetime | None:
    at = values.get("at")
    if not isinstance(at, str | datetime):
        return None
    try:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def period_span(text: str, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """'2026-11-28 18:00-23:00 UTC' (as the traffic criteria write a period) -> start, end."""
    found = PERIOD.match(text)
    if not found:
        return None
    day, start_text, end_text = found.groups()
    start = datetime.fromisoformat(f"{day}T{start_text}").replace(tzinfo=zone)
    end = datetime.fromisoformat(f"{day}T{end_text}").replace(tzinfo=zone)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def _first_period(values: Mapping[str, Any], zone: ZoneInfo) -> tuple[datetime, int] | None:
    """The end and length of the first period the traffic criteria evaluated."""
    periods = values.get("periods")
    if not isinstance(periods, list) or not periods or not isinstance(periods[0], Mapping):
        return None
    span = period_span(str(periods[0].get("period", "")), zone)
    if span is None:
        return None
    return span[1], int((span[1] - span[0]).total_seconds())


def asked(evidence: Evidence, window: Window | None, zone: ZoneInfo) -> list[Asked]:
    """The questions of one evidence item, each with its moment and range when it has them."""
    text = evidence.query.strip()
    if evidence.source != "prometheus":
        return [Asked(evidence.source, text)] if text else []
    if text.startswith(PER_PERIOD):
        queries = [q.strip() for q in text.removeprefix(PER_PERIOD).split(" ; ") if q.strip()]
        period = _first_period(evidence.values, zone)
        end, seconds = period if period else (None, 0)
        return [Asked("prometheus", q, q, end, seconds, instant=True) for q in queries]
    if text.startswith(("GET ", "POST ")):
        return [Asked("prometheus", text)]
    raw = RAW.match(text)
    if raw:
        end = window.end if window else None
        return [Asked("prometheus", text, raw["expr"], end, int(raw["seconds"]))]
    moment = _instant(evidence.values)
    if moment is not None:
        span = window.seconds if window else 3600
        return [Asked("prometheus", text, text, moment, round(span), instant=True)]
    end = window.end if window else None
    return [Asked("prometheus", text, text, end, round(window.seconds) if window else 0)]


def duration_input(seconds: int) -> str:
    """A range as Prometheus's UI writes it: 24h, 15m, 90s."""
    seconds = max(int(seconds), 1)
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def time_input(moment: datetime) -> str:
    """A moment as Prometheus's UI reads it (UTC), to the millisecond the API judged at."""
    utc = moment.astimezone(UTC)
    text = f"{utc:%Y-%m-%d %H:%M:%S}"
    millis = utc.microsecond // 1000
    return f"{text}.{millis:03d}" if millis else text


# Kept as they are in a link's expression: shorter links, still read back whole (Prometheus's
# UI splits its parameters at "&" and "=", and reads "+" as a space: those stay encoded).
SAFE = "()[],:*/|~!<>"


def prometheus_link(base: str, question: Asked) -> str:
    """Prometheus's graph page with the question's expression over its range, ending at its
    moment (its table tab for a value at a moment: the value as the row shows it); "" when it
    cannot be asked again."""
    root = public_url(base)
    if not root or not question.expr or question.end is None:
        return ""
    params = {"g0.expr": question.expr}
    if question.instant:
        params["g0.tab"] = "1"
    params["g0.range_input"] = duration_input(question.range_s or 3600)
    params["g0.end_input"] = time_input(question.end)
    return f"{root}/graph?{urlencode(params, safe=SAFE, quote_via=quote)}"


def grafana_root(url: str) -> str:
    """Grafana's root from a dashboard URL (`https://g.example/grafana/d/uid/name` -> the part
    before `/d/`)."""
    root = public_url(url)
    path = urlsplit(root).path if root else ""
    for marker in ("/d/", "/dashboards", "/explore"):
        if marker in path:
            return root[: len(root) - len(path)] + path.split(marker, 1)[0]
    return root


def dashboard_link(dashboard: str, question: Asked) -> str:
    """The dashboard's Explore (Grafana) with the same expression over the same range."""
    root = grafana_root(dashboard)
    if not root or not question.expr or question.end is None:
        return ""
    end_ms = int(question.end.timestamp() * 1000)
    start_ms = end_ms - 1000 * (question.range_s or 3600)
    left = {
        "queries": [{"refId": "A", "expr": question.expr}],
        "range": {"from": str(start_ms), "to": str(end_ms)},
    }
    return f"{root}/explore?left={quote(json.dumps(left, separators=(',', ':')), safe='')}"
