"""A run's record with what differs between two runs of the same data taken out (run times,
durations, file paths): how an unsharded run and its merged shards are compared."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.reports import report_blob

# ISO 8601 moments with seconds (the run's start and finish, the row of this run in a trend).
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")
DURATION = re.compile(
    r"\d+(?:\.\d+)? ms|\d\d:\d\d:\d\d"
)  # health latency is live: 9.1 ms vs 6.3 ms
# A live range ("users=3..4" when Prometheus's recent minimum and maximum differ) is one number
# in another run ("users=3"): both become 0.
NUMBER = re.compile(r"\d+(\.\d+)?(\.\.\d+(\.\d+)?)?")
# Criteria measured live at every run whatever --at says (the health endpoint's timed GETs; its
# answer against Prometheus at the moment it was read): their numbers and the moment they were
# read (to the millisecond) differ between any two runs, sharded or not.
LIVE = ("health-latency", "consistency")
LIVE_TESTS = tuple(f"test_{c.replace('-', '_')}[" for c in LIVE)


def _live(nodeid: str | None) -> bool:
    return any(name in (nodeid or "") for name in LIVE_TESTS)


def _numbers_out(value: Any) -> Any:
    return json.loads(NUMBER.sub("0", json.dumps(value, ensure_ascii=False)))


def _without_times(text: str) -> str:
    return DURATION.sub("<duration>", MOMENT.sub("<time>", text))


def json_record(folder: Path) -> dict[str, Any]:
    record = json.loads((folder / "latest.json").read_text())
    for key in ("started", "finished"):
        record.pop(key)
    record["criteria"] = [
        _numbers_out(row) if row["criterion"] in LIVE else row for row in record["criteria"]
    ]
    return json.loads(_without_times(json.dumps(record)))


def markdown(folder: Path) -> str:
    return _without_times((folder / "latest.md").read_text())


def html(folder: Path) -> dict[str, Any]:
    """pytest-html's data (rows, logs, environment, title) without durations, and the summary
    block burnin adds above it."""
    blob = report_blob(folder / "latest.html")
    for nodeid, entries in blob["tests"].items():
        if _live(nodeid):
            entries[:] = _numbers_out(entries)
        for entry in entries:
            entry.pop("duration")
            entry["resultsTableRow"] = [
                cell for cell in entry["resultsTableRow"] if 'class="col-duration"' not in cell
            ]
    text = (folder / "latest.html").read_text()
    answer = re.search(r'<section class="answer.*?</section>', text, re.S)
    return {"blob": blob, "answer": _without_times(answer.group(0) if answer else "")}


def junit(folder: Path) -> dict[str, Any]:
    """Each testcase: its name, class, properties and outcome with its message; the suite's
    properties and counts."""
    root = ET.parse(folder / "latest.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    cases = []
    for case in suite.iter("testcase"):
        outcome = [
            (child.tag, child.get("message", ""), child.text or "")
            for child in case
            if child.tag in ("failure", "error", "skipped")
        ]
        properties = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        if _live(case.get("name")):
            properties, outcome = _numbers_out(properties), _numbers_out(outcome)
        cases.append((case.get("classname"), case.get("name"), properties, outcome))
    suite_properties = [
        (p.get("name"), p.get("value")) for p in suite.findall("properties/property")
    ]
    counts = {k: suite.get(k) for k in ("tests", "errors", "failures", "skipped")}
    return {"cases": cases, "properties": suite_properties, "counts": counts}


def history(folder: Path) -> list[tuple[Any, ...]]:
    """The recorded runs and their result rows, without ids, times and report paths (the
    windows are the same moment's: --at)."""
    with sqlite3.connect(folder / "history.sqlite") as db:
        runs = db.execute(
            "SELECT id, target, deployment, phases, windows, state, interrupted, decision, shard "
            "FROM runs ORDER BY id"
        ).fetchall()
        found = []
        for run_id, *run in runs:
            rows = db.execute(
                "SELECT criterion, phase, band, value, observed, bot FROM results "
                "WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            ).fetchall()
            rows = [_numbers_out(row) if row[0] in LIVE else list(row) for row in rows]
            found.append((*run, rows))
    return found


def record(folder: Path) -> dict[str, Any]:
    return {
        "json": json_record(folder),
        "md": markdown(folder),
        "html": html(folder),
        "junit": junit(folder),
        "history": history(folder),
    }
