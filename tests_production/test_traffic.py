"""Traffic patterns: every peak hour observed, peak and off-peak hours handled."""

from burnin.criteria.traffic import judge_handled, judge_peak_observed, with_cpu_check
from burnin.gather import Gathered
from burnin.probes.prometheus import PrometheusProbe
from burnin.run import RunSettings
from burnin.schedule import Window
from burnin.verdict import Judge, Verdict


def _handled(
    criterion: str, gathered: Gathered, run: RunSettings, window: Window, phase: str
) -> Verdict:
    traffic = run.thresholds.traffic
    peak = criterion == "peak-handled"
    return judge_handled(
        criterion,
        gathered("peak-periods" if peak else "offpeak-periods"),
        gathered("connection"),
        traffic.peak if peak else traffic.off_peak,
        run.thresholds.tiers("uptime", phase),
        run.thresholds.tiers("error_rate", phase),
        window,
        run.thresholds.coverage_min_percent,
        zero_errors=not peak,  # off-peak: no errors at all
    )


def test_peak_observed(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    peak_hours = burnin_run.thresholds.traffic.peak
    judge(judge_peak_observed(gathered("peak-periods"), gathered("connection"), peak_hours, window))


def test_peak_handled(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    judge(_handled("peak-handled", gathered, burnin_run, window, phase))


def test_offpeak_handled(
    prometheus: PrometheusProbe,
    gathered: Gathered,
    burnin_run: RunSettings,
    window: Window,
    judge: Judge,
    phase: str,
) -> None:
    verdict = _handled("offpeak-handled", gathered, burnin_run, window, phase)
    judge(with_cpu_check(verdict, gathered("offpeak-periods"), gathered("peak-periods")))
