"""alerts-functional: a test alert sent to Alertmanager arrives, then is expired. It writes to
production, so it runs only when asked for (--send-test-alert)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from burnin.bands import Band
from burnin.config.access import HttpAccess
from burnin.probes.http import HttpAnswer, http_get, http_post_json, new_session
from burnin.verdict import Evidence, Verdict

ARRIVAL_LIMIT_S = 60.0
POLL_S = 0.5


@dataclass(frozen=True)
class AlertPathMeasurement:
    run_id: str
    sent: HttpAnswer
    arrived_after_s: float | None
    expired: HttpAnswer | None


def _alert(run_id: str, ends: datetime) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "labels": {"alertname": "BurninTestAlert", "severity": "info", "burnin_run": run_id},
            "annotations": {
                "summary": "burnin alerts-functional check: a test alert, expired at once"
            },
            "startsAt": now.isoformat(),
            "endsAt": ends.isoformat(),
        }
    ]


def measure_alert_path(
    alertmanager_url: str,
    timeout_s: float,
    limit_s: float = ARRIVAL_LIMIT_S,
    access: HttpAccess | None = None,
) -> AlertPathMeasurement:
    access = access or HttpAccess("alertmanager")
    base = alertmanager_url.rstrip("/")
    session = new_session(access, base)
    run_id = uuid.uuid4().hex[:12]
    started = time.monotonic()
    sent = http_post_json(
        session,
        f"{base}/api/v2/alerts",
        _alert(run_id, datetime.now(UTC) + timedelta(minutes=5)),
        timeout_s,
        access,
    )
    if not sent.ok:
        return AlertPathMeasurement(run_id, sent, None, None)
    arrived = None
    query = f'{base}/api/v2/alerts?filter=burnin_run="{run_id}"'
    while time.monotonic() - started < limit_s:
        answer = http_get(session, query, timeout_s, json_body=True, access=access)
        if answer.ok and answer.body:
            arrived = time.monotonic() - started
            break
        time.sleep(POLL_S)
    expired = http_post_json(
        session, f"{base}/api/v2/alerts", _alert(run_id, datetime.now(UTC)), timeout_s, access
    )
    return AlertPathMeasurement(run_id, sent, arrived, expired)


def not_opted_in() -> Verdict:
    return Verdict(
        "alerts-functional",
        Band.SKIPPED,
        None,
        "",
        "",
        "not opted in: it sends a test alert to "
        "production's Alertmanager; pass --send-test-alert to run it",
    )


def judge_alert_path(m: AlertPathMeasurement, limit_s: float = ARRIVAL_LIMIT_S) -> Verdict:
    evidence = (
        Evidence(
            "alertmanager",
            f"POST {m.sent.url} (alertname=BurninTestAlert, burnin_run={m.run_id})",
            {
                "status": m.sent.status,
                "problem": m.sent.problem,
                "arrived_after_s": m.arrived_after_s,
                "expired_status": m.expired.status if m.expired else None,
            },
        ),
    )
    threshold = f"arrives within {limit_s:g} s"
    if m.sent.status is None or m.sent.observer:
        # No answer, or the observer refused: nothing is proven about the alert path.
        return Verdict(
            "alerts-functional",
            Band.SOURCE_ERROR,
            None,
            "",
            threshold,
            f"alertmanager at {m.sent.url}: {m.sent.problem}",
            None,
            evidence,
        )
    if not m.sent.ok:
        return Verdict(
            "alerts-functional",
            Band.CRITICAL,
            m.sent.problem or m.sent.status,
            "",
            threshold,
            "Alertmanager did not take the test alert",
            None,
            evidence,
        )
    if m.arrived_after_s is None:
        return Verdict(
            "alerts-functional",
            Band.CRITICAL,
            "never seen",
            "",
            threshold,
            f"the test alert did not show up within {limit_s:g} s",
            None,
            evidence,
        )
    cause = (
        ""
        if m.expired and m.expired.ok
        else "could not expire the test alert (it ends by itself in 5 min)"
    )
    return Verdict(
        "alerts-functional",
        Band.TARGET,
        round(m.arrived_after_s, 2),
        "s",
        threshold,
        cause,
        None,
        evidence,
    )
