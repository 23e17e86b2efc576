"""errors-total and error-rate, from the bot's error counter."""

from __future__ import annotations

from dataclasses import replace

from burnin.bands import Band, Tiers
from burnin.coverage import Coverage
from burnin.criteria.connection import measure_samples, require_coverage
from burnin.criteria.reading import Reading, judge_reading, read, worse
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import Metrics
from burnin.schedule import Window
from burnin.verdict import Verdict

# "Error rate > 1/minute sustained" is judged over this span.
SUSTAINED = "5m"


def measure_errors_total(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> tuple[Reading, Coverage]:
    series = metrics.series("bot_errors_total")
    total = read(prometheus, metrics.total_over("increase", series, window.seconds), window.end)
    return total, measure_samples(prometheus, metrics, "bot_errors_total", window).coverage


def judge_errors_total(
    reading: Reading, coverage: Coverage, tiers: Tiers, window: Window, min_percent: float
) -> Verdict:
    if reading.value is not None:
        # increase() extrapolates to the window's edges; errors come whole.
        reading = replace(reading, value=float(round(reading.value)))
    verdict = judge_reading("errors-total", reading, tiers, window)
    return require_coverage(verdict, coverage, min_percent)


def measure_error_rate(
    prometheus: PrometheusProbe, metrics: Metrics, window: Window
) -> tuple[Reading, Reading, Coverage]:
    """Errors per minute over the whole window, the worst 5-minute rate inside it, and how much
    of the window the error counter's samples cover."""
    series = metrics.series("bot_errors_total")
    average = read(
        prometheus,
        metrics.total_over("increase", series, window.seconds) + f" / {window.seconds / 60:g}",
        window.end,
    )
    worst = read(
        prometheus,
        f"max_over_time({metrics.total(f'rate({series}[{SUSTAINED}])')}[{window.seconds}s:1m]) * 60",
        window.end,
    )
    coverage = measure_samples(prometheus, metrics, "bot_errors_total", window).coverage
    return average, worst, coverage


def judge_error_rate(
    average: Reading,
    worst: Reading,
    coverage: Coverage,
    tiers: Tiers,
    window: Window,
    min_percent: float,
) -> Verdict:
    verdict = judge_reading("error-rate", average, tiers, window, extra=(worst,))
    if not verdict.band.passes and verdict.band not in (Band.DEGRADED, Band.CRITICAL):
        return verdict
    if worst.value is not None and worst.value > tiers.critical:
        band = worse(verdict.band, Band.CRITICAL)
        cause = f"worst {SUSTAINED} rate {worst.value:.3g} errors/min is above the critical {tiers.critical:g} (sustained)"
        verdict = replace(verdict, band=band, cause=cause)
    else:
        peak = "" if worst.value is None else f"worst {SUSTAINED} rate {worst.value:.3g} errors/min"
        verdict = replace(verdict, cause=peak)
    return require_coverage(verdict, coverage, min_percent)
