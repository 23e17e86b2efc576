"""The monitoring stack around Prometheus, asked the way monitoring-operational asks: an active
Alertmanager Prometheus knows, the Alertmanager's readiness, the dashboard."""

from __future__ import annotations

from burnin.config import Target
from burnin.doctor.checks import Check, not_checked
from burnin.doctor.explain import URL_SETTINGS, explain, source_line
from burnin.probes.http import http_get, new_session
from burnin.probes.prometheus import PrometheusProbe
from burnin.redact import redact_url

ALERTMANAGERS = "alertmanager known to prometheus"


def check_stack(prometheus: PrometheusProbe | None, target: Target) -> list[Check]:
    """What monitoring-operational asks besides the rules, the way it asks: Prometheus knows
    an active Alertmanager; the Alertmanager is ready; the dashboard answers (these two only
    when configured: a run does not check them otherwise)."""
    timeout_s = target.settings.timeout_s
    checks = []
    if prometheus is not None:
        url = f"{prometheus.url}/api/v1/alertmanagers"
        answer = http_get(
            new_session(prometheus.access, url), url, timeout_s, json_body=True,
            access=prometheus.access,
        )  # fmt: skip
        try:
            active = [a["url"] for a in answer.body["data"]["activeAlertmanagers"]]
        except (TypeError, KeyError):
            active = []
        if answer.problem or not answer.ok:
            cause, _ = explain(answer.problem or f"HTTP {answer.status}", "prometheus")
            checks += not_checked([ALERTMANAGERS], f"prometheus did not say: {cause}")
        elif active:
            shown = ", ".join(redact_url(u) for u in active)
            checks.append(Check(True, ALERTMANAGERS, f"{len(active)} active: {shown}"))
        else:
            checks.append(
                Check(
                    False,
                    ALERTMANAGERS,
                    "Prometheus knows no active Alertmanager: alerts would go nowhere "
                    "(monitoring-operational is CRITICAL so)",
                    "point Prometheus' alerting.alertmanagers at the Alertmanager",
                )
            )
    for source, path in (("alertmanager", "/-/ready"), ("dashboard", "")):
        url = target[URL_SETTINGS[source]]
        if not url:
            continue
        access = target.access(source)
        asked = url.rstrip("/") + path if path else url
        answer = http_get(new_session(access, asked), asked, timeout_s, access=access)
        what = f"{source} {redact_url(url)}"
        if answer.ok:
            checks.append(Check(True, what, f"HTTP {answer.status} in {answer.latency_ms:.0f} ms"))
        else:
            checks.append(source_line(what, answer.problem or f"HTTP {answer.status}", source))
    return checks
