"""One line of the doctor's answer (`Check`), the lines a source that could not be asked leaves
"not checked", and the summary that counts them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from burnin.config import Target

RECENT = "1h"  # how far back a series or a journal entry counts as there
STATES = ("ok", "missing", "not checked")


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str  # "metric bot_users"
    detail: str  # what was found, or what is missing and the closest names (or why not checked)
    fix: str = ""  # the configuration line to write
    checked: bool = True  # False: the check could not be made (its source did not answer)

    @property
    def state(self) -> str:
        return "ok" if self.ok else "missing" if self.checked else "not checked"

    def line(self) -> str:
        label = {"ok": "ok", "missing": "MISSING", "not checked": "NOT CHECKED"}[self.state]
        head = f"{label:<8} {self.what}: {self.detail}"
        return head + (f"\n         fix: {self.fix}" if self.fix else "")


def not_checked(whats: Iterable[str], reason: str) -> list[Check]:
    return [Check(False, what, reason, checked=False) for what in whats]


def not_set(what: str, setting: str, fix: str, planned: Iterable[str]) -> list[Check]:
    """A source the target does not name: its line, and every check it would answer not
    checked."""
    return [
        Check(False, what, f"{setting} is not set for this target", fix),
        *not_checked(planned, f"{setting} is not set"),
    ]


def table_line(target: Target, table: str, key: str, value: str) -> str:
    """The configuration line that sets `key` of a target's table (metrics, health_fields)."""
    return f'[targets.{target.name}.{table}] {key} = "{value}"'


def report(checks: Sequence[Check]) -> str:
    counts = {state: sum(c.state == state for c in checks) for state in STATES}
    lines = [c.line() for c in checks]
    lines.append(
        f"doctor: {counts['ok']} ok, {counts['missing']} missing, "
        f"{counts['not checked']} not checked"
        + ("" if counts["ok"] < len(checks) else ": everything a run uses is there")
    )
    return "\n".join(lines)
