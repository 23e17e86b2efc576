"""A row's evidence as HTML: the questions it asked (monospace, wrapping at operators and
separators, never inside a name), each linked to its source, and the raw values it kept, in
words (never a Python repr). The question behind the row's number is its main one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from burnin.report.links import Asked, Consoles, asked, dashboard_link, prometheus_link
from burnin.verdict import Verdict

# Where a query or command may wrap: after an opening bracket, a separator or a path's slash,
# and before a range selector's bracket. Names, label values and numbers stay whole.
BREAK_AFTER = re.compile(r"([({,;|/])(?=\S)")
BREAK_BEFORE = re.compile(r"(?<=\S)(\[)")
LIST_SHOWN = 12  # values of a list shown before "and N more"
EXCERPT_LINES = 10  # journal lines shown in a row's evidence


def code_html(text: str) -> str:
    """`text` escaped, with a line-break opportunity (<wbr>) at each operator and separator."""
    marked = BREAK_BEFORE.sub("\x00\\1", BREAK_AFTER.sub("\\1\x00", text))
    return escape(marked, quote=False).replace("\x00", "<wbr>")


def value_text(value: Any, depth: int = 0) -> str:
    """A kept value in words: numbers to 6 significant digits, lists and tables spelled out."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if depth >= 3:
        return f"{len(value)} items" if isinstance(value, Sequence | Mapping) else str(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {value_text(v, depth + 1)}" for k, v in value.items()) or "none"
    if isinstance(value, Sequence):
        shown = ", ".join(value_text(v, depth + 1) for v in list(value)[:LIST_SHOWN])
        more = len(value) - LIST_SHOWN
        return (shown + (f", and {more} more" if more > 0 else "")) or "none"
    return str(value)


def questions(verdict: Verdict | None, zone: ZoneInfo) -> list[Asked]:
    if verdict is None:
        return []
    return [q for e in verdict.evidence for q in asked(e, verdict.window, zone)]


def main_question(verdict: Verdict | None, zone: ZoneInfo) -> Asked | None:
    """The question behind the row's number: a Prometheus value at a moment, else a series over
    the window, else the first command or request."""
    found = questions(verdict, zone)
    for wanted in (
        lambda q: q.expr and q.instant,
        lambda q: q.expr,
        lambda q: q.command,
        lambda q: True,
    ):
        for question in found:
            if wanted(question):
                return question
    return None


def links_html(question: Asked, consoles: Consoles, dashboard: bool = True) -> str:
    """`Prometheus` (and `dashboard`) links of a question, or ""."""
    parts = []
    graph = prometheus_link(consoles.prometheus, question)
    if graph:
        parts.append(f'<a href="{escape(graph)}">Prometheus</a>')
    explore = dashboard_link(consoles.dashboard, question) if dashboard else ""
    if explore:
        parts.append(f'<a href="{escape(explore)}">dashboard</a>')
    return " ".join(parts)


def question_html(question: Asked, consoles: Consoles, dashboard: bool = True) -> str:
    """A question as its source shows it: the command or query in monospace, then its links."""
    label = "command" if question.command else question.source
    links = links_html(question, consoles, dashboard)
    return f'<span class="src">{escape(label)}</span> <code>{code_html(question.text)}</code>' + (
        f" {links}" if links else ""
    )


def values_html(values: Mapping[str, Any]) -> str:
    if not values:
        return ""
    items = "; ".join(f"{escape(str(k))} {escape(value_text(v))}" for k, v in values.items())
    return f'<div class="vals">{items}</div>'


def evidence_html(
    verdict: Verdict | None,
    consoles: Consoles,
    zone: ZoneInfo,
    shown: Asked | None = None,
    dashboard: bool = True,
) -> str:
    """Every question of the verdict (but `shown`, already on the row) with its links, the
    values it kept, and the first journal lines of an excerpt."""
    if verdict is None:
        return ""
    parts = []
    if verdict.window is not None:
        window = verdict.window
        parts.append(
            f'<div class="vals">window {window.start.astimezone(zone):%Y-%m-%d %H:%M:%S} to '
            f"{window.end.astimezone(zone):%Y-%m-%d %H:%M:%S} ({escape(zone.key)})</div>"
        )
    for item in verdict.evidence:
        for question in asked(item, verdict.window, zone):
            if question != shown:
                parts.append(f"<div>{question_html(question, consoles, dashboard)}</div>")
        parts.append(values_html(item.values))
        if item.excerpt:
            lines = item.excerpt.splitlines()
            more = len(lines) - EXCERPT_LINES
            text = "\n".join(lines[:EXCERPT_LINES]) + (
                f"\n(and {more} more lines)" if more > 0 else ""
            )
            parts.append(f"<pre>{escape(text, quote=False)}</pre>")
    return "".join(parts)
