"""The run as JSON for tools: verdict, decision, each criterion's band and value, the windows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from burnin.report.model import RunRecord
from burnin.report.releases import releases_json
from burnin.report.summary import checklist, headline, metric_rows


def summary(record: RunRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "burnin": record.version,
        "target": record.target,
        "validator": record.validator,
        "started": record.started.isoformat(),
        "finished": record.finished.isoformat(),
        "interrupted": record.interrupted,
        **({"shard": record.shard, "shard_note": record.shard_note} if record.shard else {}),
        "timezone": record.timezone.key,
        "windows": {
            phase: {"start": w.start.isoformat(), "end": w.end.isoformat(), "seconds": w.seconds}
            for phase, w in record.windows.items()
        },
        "overall": record.overall.name,
        "decision": record.decision.value,
        "recommendation": record.recommendation,
        "answer": headline(record),  # the answer in one line, as the reports lead with it
        "counts": {
            band.value: n for band, n in sorted(record.counts.items(), key=lambda x: x[0].value)
        },
        "criteria": [
            {
                "nodeid": row.nodeid,
                "criterion": row.criterion,
                "phase": row.phase,
                "bot": row.bot,
                "band": row.band.value,
                "observed": row.verdict.observed if row.verdict else None,
                "unit": row.verdict.unit if row.verdict else "",
                "observed_text": row.observed_text,
                "threshold": row.verdict.threshold if row.verdict else "",
                "cause": row.cause,
                "window": (
                    {
                        "start": row.verdict.window.start.isoformat(),
                        "end": row.verdict.window.end.isoformat(),
                    }
                    if row.verdict and row.verdict.window
                    else None
                ),
                "queries": row.queries,
            }
            for row in record.results
        ],
        "fleet": {
            bot: {
                "overall": state.name,
                "not_passed": [
                    {"criterion": r.criterion, "phase": r.phase, "band": r.band.value}
                    for r in failed
                ],
            }
            for bot, state, failed in record.fleet()
        },
        "metrics_summary": {
            phase: [row.__dict__ for row in metric_rows(record, phase)] for phase in record.phases
        },
        "checklist": {
            phase: [item.__dict__ for item in checklist(record, phase)] for phase in record.phases
        },
        "comparison": releases_json(record),
    }


def summary_json(record: RunRecord, extra: Mapping[str, Any] | None = None) -> str:
    """The summary; `extra`: more top-level keys (a shard's whole record, for the merge)."""
    return json.dumps(
        {**summary(record), **(extra or {})}, indent=2, ensure_ascii=False, default=str
    )
