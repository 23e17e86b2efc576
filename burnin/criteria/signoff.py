"""sign-off: the spec's manual items ("Team confident in stability", "User feedback positive"),
read from a record the team writes. Unrecorded means pending, never a pass."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from burnin.bands import Band
from burnin.verdict import Evidence, Verdict

ITEMS = {
    "team-confident": "Team confident in stability",
    "user-feedback": "User feedback positive (if applicable)",
}
# One item of the record as valid TOML on one line (a cause is one line: no newline, no repr).
EXAMPLE = 'team-confident = { who = "Ana", when = 2026-11-29T09:00:00+00:00, answer = "yes" }'


@dataclass(frozen=True)
class SignOff:
    item: str
    who: str
    when: str
    answer: str  # yes / no / n/a


def read_signoff(path: Path | None) -> tuple[dict[str, SignOff], str]:
    """The recorded items, and a problem text ("" when the file reads well or does not exist)."""
    if path is None or not path.exists():
        return {}, ""
    try:
        document = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        return {}, f"{path}: cannot read: {exc}"
    records = {}
    for item, table in document.items():
        if item not in ITEMS:
            return {}, f"{path}: unknown item {item!r}; expected one of {', '.join(ITEMS)}"
        if not isinstance(table, dict):
            return {}, f"{path}: {item} must be a table: [{item}] with who, when and answer"
        answer = str(table.get("answer", "")).lower()
        if not table.get("who") or answer not in ("yes", "no", "n/a"):
            return {}, f'{path}: [{item}] needs who and answer = "yes", "no" or "n/a"'
        when = table.get("when", "")
        records[item] = SignOff(
            item,
            str(table["who"]),
            when.isoformat() if isinstance(when, datetime) else str(when),
            answer,
        )
    return records, ""


def judge_signoff(records: dict[str, SignOff], problem: str, path: Path | None) -> Verdict:
    evidence = (Evidence("file", str(path), {k: v.__dict__ for k, v in records.items()}),)
    threshold = "; ".join(f"{text}: recorded yes" for text in ITEMS.values())
    if problem:
        return Verdict("sign-off", Band.NO_DATA, None, "", threshold, problem, None, evidence)
    refused = [f"{ITEMS[r.item]}: {r.who} said no" for r in records.values() if r.answer == "no"]
    if refused:
        return Verdict(
            "sign-off", Band.CRITICAL, "; ".join(refused), "", threshold, "", None, evidence
        )
    pending = [text for item, text in ITEMS.items() if item not in records]
    if pending:
        return Verdict(
            "sign-off",
            Band.PENDING,
            None,
            "",
            threshold,
            f"pending: {', '.join(pending)} (record it in {path}, e.g. {EXAMPLE})",
            None,
            evidence,
        )
    observed = ", ".join(f"{r.item}={r.answer} ({r.who}, {r.when})" for r in records.values())
    return Verdict("sign-off", Band.TARGET, observed, "", threshold, "", None, evidence)
