"""Right after Prometheus starts, its rules say health "unknown" until their first evaluation
(the sandbox evaluates every 5 s): the alerts criterion asked in that moment waits for it, at
most one evaluation interval, instead of saying NO_DATA "rules not evaluating cleanly"."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import burnin.sandbox as sandbox
from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import SETTINGS_BY_KEY, load_thresholds
from burnin.criteria.alerts import judge_alerts, measure_alerts
from burnin.errors import SourceError
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics, parse_selector
from burnin.schedule import Window

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy")]

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_RULES: tuple[str, ...] = SETTINGS_BY_KEY["alert_rules"].default
# Restarts tried until the first answer after one finds the rules not yet evaluated (the first
# evaluation lands anywhere in the 5 s after the start; the first answer comes within ms).
ATTEMPTS = 3
READY_POLLS = 600  # of 0.05 s: Prometheus ready again after a restart


def restarted_probe(url: str) -> PrometheusProbe:
    """Prometheus restarted, and a probe that asks it as soon as it is ready again."""
    sandbox.systemctl("restart", "prometheus")
    probe = PrometheusProbe(url, 10.0)
    for _ in range(READY_POLLS):
        try:
            probe.ready()
            return probe
        except SourceError:
            time.sleep(0.05)
    raise AssertionError(f"Prometheus at {url} not ready after a restart")


@pytest.mark.disturbs
def test_alerts_asked_right_after_a_prometheus_restart_wait_for_the_first_evaluation(sandbox_up):
    info = sandbox_up("healthy")
    for _ in range(ATTEMPTS):
        probe = restarted_probe(info.prometheus_url)
        probe.alerting_rules()  # the wait, if any, is the probe's
        if probe.rules_wait is not None:
            break
    assert probe.rules_wait is not None, f"rules evaluated before each of {ATTEMPTS} first asks"
    assert probe.rules_wait.still_pending == ()
    now = datetime.now(UTC)
    window = Window(now - timedelta(hours=6), now)
    metrics = Metrics(parse_selector('env="production"'))
    measurement = measure_alerts(probe, metrics, window, CONTRACT_RULES)
    tiers = load_thresholds(ROOT / "thresholds.toml", CRITERIA).tiers("alert_count", "6h")
    verdict = judge_alerts(measurement, tiers, window, 99.0)
    assert verdict.band is Band.TARGET, verdict.message()
    assert (
        verdict.evidence[0]
        .values["rules_first_evaluation"]
        .startswith(
            f"{len(probe.rules_wait.pending)} rule(s) had not evaluated yet since Prometheus started:"
        )
    )
