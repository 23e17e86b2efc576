"""uptime: the share of the window the bot was connected, time-weighted from the raw
`bot_connected` samples.

Unknown time (a hole in the data) is neither connected nor left out of the window: the uptime
lies between the known-connected share (every unknown second down) and that share plus the
unknown one (every unknown second up). The lower bound decides a pass, the upper bound a
failure; when they fall on both sides of the line, the data cannot tell: NO_DATA.
"""

from __future__ import annotations

from dataclasses import dataclass

from burnin.bands import Tiers
from burnin.criteria.connection import SeriesSamples, require_coverage, with_coverage_note
from burnin.verdict import Verdict, no_data

# Fewer samples than this cannot speak for a window (a 15 s scrape gives 60 in 15 minutes).
MIN_SAMPLES = 10


@dataclass(frozen=True)
class UptimeMeasurement:
    connected_s: float
    known_s: float
    window_s: float

    @property
    def lowest_percent(self) -> float:
        return 100.0 * self.connected_s / self.window_s

    @property
    def highest_percent(self) -> float:
        return 100.0 * (self.connected_s + self.window_s - self.known_s) / self.window_s


def measure_uptime(data: SeriesSamples) -> UptimeMeasurement:
    stretches = data.stretches()
    connected = sum(s.seconds * min(1.0, max(0.0, s.value)) for s in stretches)
    known = sum(s.seconds for s in stretches)  # several series: where any of them is known
    return UptimeMeasurement(connected, known, data.coverage.window_s)


def judge_uptime(data: SeriesSamples, tiers: Tiers, min_percent: float) -> Verdict:
    window = data.coverage.window
    m = measure_uptime(data)
    evidence = (
        data.evidence(
            connected_s=round(m.connected_s, 1),
            known_s=round(m.known_s, 1),
            window_s=round(m.window_s, 1),
        ),
    )
    if data.coverage.interval_s is None or data.coverage.samples < MIN_SAMPLES:
        return no_data(
            "uptime",
            f"too few bot_connected samples to judge: {data.coverage.describe()} "
            "(metric missing or selector wrong?)",
            window,
            evidence,
        )
    lowest, highest = m.lowest_percent, m.highest_percent
    connected_h, known_h = m.connected_s / 3600, m.known_s / 3600
    cause = f"connected {connected_h:.3f} h of {known_h:.3f} h known"
    if tiers.band(lowest).passes:
        verdict = Verdict.from_tiers("uptime", lowest, tiers, window, evidence, cause)
        return require_coverage(verdict, data.coverage, min_percent)
    if not tiers.band(highest).passes:
        # Even with every unknown second connected it fails: the failure is proven.
        verdict = Verdict.from_tiers("uptime", highest, tiers, window, evidence, cause)
        return with_coverage_note(verdict, data.coverage)
    return no_data(
        "uptime",
        f"uptime between {lowest:.3f} % and {highest:.3f} %: {data.coverage.describe()}; the "
        f"unknown time decides whether it meets {tiers.describe()}",
        window,
        evidence,
    )
