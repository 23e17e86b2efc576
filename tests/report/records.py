"""Fake runs for the report's unit tests: verdicts as the criteria write them, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from burnin.bands import Band
from burnin.catalogue import CRITERIA
from burnin.config import load_thresholds
from burnin.report.model import CriterionResult, RangeAnswer, RunRecord
from burnin.schedule import Window
from burnin.series import Series
from burnin.verdict import Evidence, Verdict

ROOT = Path(__file__).resolve().parents[2]
THRESHOLDS = load_thresholds(ROOT / "thresholds.toml", CRITERIA)
END = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
WINDOW = Window(END - timedelta(hours=24), END)
CONNECTED_QUERY = 'bot_connected{env="production"}'


def _tiered(criterion: str, metric: str, value: float, **evidence: object) -> CriterionResult:
    tiers = THRESHOLDS.tiers(metric, "24h")
    verdict = Verdict.from_tiers(
        criterion, value, tiers, WINDOW, (Evidence("prometheus", f"q_{metric}", evidence),)
    )
    return CriterionResult(f"t::{criterion}[24h]", criterion, "24h", verdict.band, verdict)


def _plain(criterion: str, band: Band, **evidence: object) -> CriterionResult:
    verdict = Verdict(
        criterion, band, "x", "", "y", "", WINDOW, (Evidence("prometheus", "q", evidence),)
    )
    return CriterionResult(f"t::{criterion}[24h]", criterion, "24h", band, verdict)


def connection(drop_at_s: float | None) -> RangeAnswer:
    start = WINDOW.start.timestamp()
    points = [(start + i * 60.0, 1.0) for i in range(24 * 60)]
    if drop_at_s is not None:
        index = int(drop_at_s // 60)
        for i in range(index, index + 3):  # three minutes down
            points[i] = (points[i][0], 0.0)
    return RangeAnswer(CONNECTED_QUERY, WINDOW.start, WINDOW.end, 60, (Series({}, points),))


def periods(users: float, errors: float) -> list[dict[str, object]]:
    return [
        {"period": "2026-11-28 18:00-23:00 UTC", "peak_users": users, "errors": errors},
    ]


def record(healthy: bool) -> RunRecord:
    uptime = 100.0 if healthy else 98.0
    results = (
        _tiered("uptime", "uptime", uptime),
        _tiered("error-rate", "error_rate", 0.0 if healthy else 2.0),
        _tiered(
            "restarts",
            "unplanned_restarts",
            0.0,
            restart_lines=[] if healthy else ["2026-11-28T12:00:00+00:00"],
        ),
        _tiered(
            "alerts",
            "alert_count",
            0.0 if healthy else 1.0,
            firings=[]
            if healthy
            else [
                {
                    "alertname": "BotDown",
                    "severity": "critical",
                    "started": WINDOW.start.timestamp() + 3600,
                    "seconds": 300.0,
                }
            ],
        ),
        _tiered("memory-growth", "memory_growth", 0.1),
        _tiered("health-latency", "health_latency", 8.0, total_ms=[7.5, 8.0, 8.5]),
        _plain(
            "peak-handled",
            Band.TARGET if healthy else Band.CRITICAL,
            periods=periods(87, 0 if healthy else 40),
        ),
        _plain("offpeak-handled", Band.TARGET),
        CriterionResult("t::sign-off[24h]", "sign-off", "24h", Band.PENDING, None),
        CriterionResult(
            "t::coverage[24h]",
            "coverage",
            "24h",
            Band.TARGET if healthy else Band.SOURCE_ERROR,
            None,
            "" if healthy else "SOURCE_ERROR prometheus at http://x: not reachable",
        ),
    )
    if healthy:
        results = tuple(r for r in results if r.criterion != "sign-off")
    return RunRecord(
        target="production",
        windows={"24h": WINDOW},
        started=END,
        finished=END + timedelta(seconds=30),
        validator="Ana",
        thresholds=THRESHOLDS,
        results=results,
        ranges={"bot_connected": connection(None if healthy else 3 * 3600)},
        version="0.1.0",
    )


SIGNOFF_CAUSE = (
    "pending: Team confident in stability, User feedback positive (if applicable) (record it in "
    '/srv/burnin/signoff.toml, e.g. team-confident = { who = "Ana", '
    'when = 2026-11-29T09:00:00+00:00, answer = "yes" })'
)


def awaiting_signoff() -> RunRecord:
    """A healthy 24 h run whose only open item is the team's sign-off."""
    healthy = record(healthy=True)
    signoff = Verdict(
        "sign-off", Band.PENDING, None, "", "recorded yes", SIGNOFF_CAUSE, None,
        (Evidence("file", "/srv/burnin/signoff.toml", {}),),
    )  # fmt: skip
    row = CriterionResult("t::sign-off[24h]", "sign-off", "24h", Band.PENDING, signoff)
    return RunRecord(**{**healthy.__dict__, "results": (*healthy.results, row)})


# What a fleet's bot is judged on, as the criteria write it: (criterion, metric, healthy value,
# failing value, the query behind it).
FLEET_ROWS = (
    ("uptime", "uptime", 100.0, 97.5, 'bot_connected{{env="production", instance="{bot}"}}[86400s] (raw samples)'),
    ("longest-disconnect", "longest_disconnect", 0.0, 900.0, 'bot_connected{{env="production", instance="{bot}"}}[86400s] (raw samples)'),
    ("error-rate", "error_rate", 0.0, 2.5, 'sum(increase(bot_errors_total{{env="production", instance="{bot}"}}[86400s])) / 1440'),
    ("restarts", "unplanned_restarts", 0.0, 3.0, 'sum(resets(bot_uptime_seconds{{env="production", instance="{bot}"}}[86400s]))'),
    ("alerts", "alert_count", 0.0, 4.0, 'ALERTS{{alertstate="firing"}}[86400s] (raw samples)'),
    ("memory-growth", "memory_growth", 0.2, 60.0, 'max(deriv(process_resident_memory_bytes{{env="production", instance="{bot}"}}[86400s])) * 3600 / 1000000'),
    ("memory-peak", "memory_peak", 100.0, 900.0, 'max(max_over_time(process_resident_memory_bytes{{env="production", instance="{bot}"}}[86400s])) / 1000000'),
    ("cpu", "cpu", 2.0, 80.0, 'max(rate(process_cpu_seconds_total{{env="production", instance="{bot}"}}[86400s])) * 100'),
    ("health-latency", "health_latency", 6.0, 900.0, "GET http://{bot}.bots.internal:8000/api/health x10, a fresh connection each"),
)  # fmt: skip


def fleet(bots: int, failing: int) -> RunRecord:
    """A 24 h run of a fleet of `bots`, the first `failing` of them failing every criterion,
    each row with a cause and evidence as long as the criteria write them."""
    results = []
    for n in range(1, bots + 1):
        bot = f"bot-{n}"
        for criterion, metric, good, bad, query in FLEET_ROWS:
            value = bad if n <= failing else good
            tiers = THRESHOLDS.tiers(metric, "24h")
            evidence = Evidence(
                "health" if query.startswith("GET") else "prometheus",
                query.format(bot=bot),
                {"at": END.isoformat(), "value": value, "coverage": {"covered_percent": 100.0}},
            )
            cause = f"{criterion} of {bot}: the worst five minutes were {value:g}" * (n <= failing)
            verdict = Verdict.from_tiers(criterion, value, tiers, WINDOW, (evidence,), cause)
            results.append(
                CriterionResult(
                    f"t::{criterion}[{bot}-24h]", criterion, "24h", verdict.band, verdict, "", bot
                )
            )
    results.append(CriterionResult("t::sign-off[sandbox-24h]", "sign-off", "24h", Band.PENDING))
    return RunRecord(**{**record(healthy=True).__dict__, "results": tuple(results)})
