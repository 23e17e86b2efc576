"""A run's rows and plotted answers as plain data (dicts, lists, text and numbers), and back:
what pytest-xdist's workers send their controller, which writes the one record of the run.

Evidence values go as the HTML report's evidence already shows them (JSON; a value JSON has no
type for, such as a datetime, as its text)."""

from __future__ import annotations

import dataclasses
import json
from array import array
from datetime import datetime
from typing import Any

from burnin.bands import Band
from burnin.config import Thresholds
from burnin.history import ResultRow, RunRow
from burnin.report.links import Consoles
from burnin.report.model import CriterionResult, RangeAnswer, RunRecord
from burnin.schedule import Window
from burnin.series import Points, Series
from burnin.verdict import Evidence, Verdict

Wire = dict[str, Any]


def _window_to_wire(window: Window | None) -> list[str] | None:
    return None if window is None else [window.start.isoformat(), window.end.isoformat()]


def _window_from_wire(raw: list[str] | None) -> Window | None:
    return None if raw is None else Window(*(datetime.fromisoformat(t) for t in raw))


def verdict_to_wire(verdict: Verdict) -> Wire:
    return {
        "criterion": verdict.criterion,
        "band": verdict.band.value,
        "observed": verdict.observed,
        "unit": verdict.unit,
        "threshold": verdict.threshold,
        "cause": verdict.cause,
        "window": _window_to_wire(verdict.window),
        "evidence": [
            {
                "source": e.source,
                "query": e.query,
                "values": json.loads(json.dumps(dict(e.values), default=str)),
                "excerpt": e.excerpt,
            }
            for e in verdict.evidence
        ],
        "digits": verdict.digits,
    }


def verdict_from_wire(raw: Wire) -> Verdict:
    return Verdict(
        raw["criterion"],
        Band(raw["band"]),
        raw["observed"],
        raw["unit"],
        raw["threshold"],
        raw["cause"],
        _window_from_wire(raw["window"]),
        tuple(Evidence(**e) for e in raw["evidence"]),
        raw["digits"],
    )


def result_to_wire(result: CriterionResult) -> Wire:
    return {
        "nodeid": result.nodeid,
        "criterion": result.criterion,
        "phase": result.phase,
        "band": result.band.value,
        "verdict": None if result.verdict is None else verdict_to_wire(result.verdict),
        "detail": result.detail,
        "bot": result.bot,
    }


def result_from_wire(raw: Wire) -> CriterionResult:
    verdict = raw["verdict"]
    return CriterionResult(
        raw["nodeid"],
        raw["criterion"],
        raw["phase"],
        Band(raw["band"]),
        None if verdict is None else verdict_from_wire(verdict),
        raw["detail"],
        raw["bot"],
    )


def ranges_to_wire(ranges: dict[str, RangeAnswer]) -> Wire:
    """Named range answers (the plots'): each series' times and values as lists of floats."""
    return {
        name: {
            "query": a.query,
            "window": _window_to_wire(Window(a.start, a.end)),
            "step_s": a.step_s,
            "series": [
                {
                    "labels": dict(s.labels),
                    "times": [t for t, _ in s.points],
                    "values": [v for _, v in s.points],
                }
                for s in a.series
            ],
        }
        for name, a in ranges.items()
    }


def ranges_from_wire(raw: Wire) -> dict[str, RangeAnswer]:
    answers = {}
    for name, a in raw.items():
        window = _window_from_wire(a["window"])
        assert window is not None
        series = tuple(
            Series(s["labels"], Points(array("d", s["times"]), array("d", s["values"])))
            for s in a["series"]
        )
        answers[name] = RangeAnswer(a["query"], window.start, window.end, a["step_s"], series)
    return answers


def record_to_wire(record: RunRecord, thresholds_text: str, deployed_at: str, at: str) -> Wire:
    """Everything a RunRecord holds, for `python -m burnin merge` to rebuild it (a shard's JSON
    carries it under "record"): the thresholds as their file's text, read back the same way."""
    return {
        "target": record.target,
        "deployed_at": deployed_at,
        "at": at,
        "shard": record.shard,
        "fleet_bots": list(record.fleet_bots),
        "windows": {p: _window_to_wire(w) for p, w in record.windows.items()},
        "started": record.started.isoformat(),
        "finished": record.finished.isoformat(),
        "validator": record.validator,
        "thresholds": {"path": str(record.thresholds.path), "text": thresholds_text},
        "results": [result_to_wire(r) for r in record.results],
        "environment": [list(row) for row in record.environment],
        "ranges": ranges_to_wire(dict(record.ranges)),
        "interrupted": record.interrupted,
        "version": record.version,
        "earlier": [dataclasses.asdict(run) for run in record.earlier],
        "consoles": {bot: dataclasses.asdict(c) for bot, c in record.consoles.items()},
    }


def record_from_wire(raw: Wire, thresholds: Thresholds) -> RunRecord:
    """The RunRecord `record_to_wire` wrote, with its thresholds loaded from the text it kept."""
    windows = {p: _window_from_wire(w) for p, w in raw["windows"].items()}
    return RunRecord(
        target=raw["target"],
        windows={p: w for p, w in windows.items() if w is not None},
        started=datetime.fromisoformat(raw["started"]),
        finished=datetime.fromisoformat(raw["finished"]),
        validator=raw["validator"],
        thresholds=thresholds,
        results=tuple(result_from_wire(r) for r in raw["results"]),
        environment=tuple((str(k), str(v)) for k, v in raw["environment"]),
        ranges=ranges_from_wire(raw["ranges"]),
        interrupted=bool(raw["interrupted"]),
        version=raw["version"],
        earlier=tuple(_run_from_wire(run) for run in raw["earlier"]),
        consoles={bot: Consoles(**c) for bot, c in raw["consoles"].items()},
        shard=raw["shard"],
        fleet_bots=tuple(raw["fleet_bots"]),
    )


def _run_from_wire(raw: Wire) -> RunRow:
    return RunRow(
        **{
            **raw,
            "phases": tuple(raw["phases"]),
            "windows": {p: (w[0], w[1]) for p, w in raw["windows"].items()},
            "results": tuple(ResultRow(**r) for r in raw["results"]),
        }
    )
