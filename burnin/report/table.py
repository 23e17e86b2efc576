"""The columns burnin adds to pytest-html's results table (band, observed value linked to its
source, threshold, the evidence folded) and each row's log in words: fixtures/report.py only
places them."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from burnin.report.evidence import code_html, evidence_html, main_question, question_html
from burnin.report.links import Consoles, prometheus_link

if TYPE_CHECKING:  # the rows are written during the run; the record's model is built at its end
    from burnin.report.model import CriterionResult

HEADER = (
    '<th class="sortable" data-column-type="band">Band</th>',
    "<th>Observed</th>",
    "<th>Threshold</th>",
    '<th class="col-evidence">Evidence</th>',
)
LINKS_HEADER = "<th>Links</th>"  # pytest-html's column of extras: burnin attaches none


def add_header(cells: list[str]) -> None:
    cells[2:2] = HEADER
    if LINKS_HEADER in cells:
        cells.remove(LINKS_HEADER)


def row_cells(
    result: CriterionResult | None, consoles: Consoles, zone: ZoneInfo, lean: bool = False
) -> list[str]:
    """Band, observed (linked to the query behind it), threshold and evidence of one row. The
    evidence: the question behind the number with its links, then the rest folded (every other
    question, the values kept, journal lines). `lean` (a fleet's passing rows): the linked number
    and a command or request shown, no more, so a 100-bot fleet's report stays small."""
    if result is None:
        return ["<td class=col-band></td>", "<td></td>", "<td></td>", "<td></td>"]
    verdict = result.verdict
    main = main_question(verdict, zone)
    link = prometheus_link(consoles.prometheus, main) if main else ""
    observed = escape(result.shown_value)
    if link:
        observed = f'<a href="{escape(link)}">{observed}</a>'
    evidence = ""
    if main is not None and lean and result.band.passes:
        evidence = "" if link else f"<code>{code_html(main.text)}</code>"
    elif main is not None:
        evidence = question_html(main, consoles)
        rest = evidence_html(verdict, consoles, zone, shown=main, dashboard=False)
        if rest:
            evidence += f"<details><summary>evidence</summary>{rest}</details>"
    threshold = escape(verdict.threshold) if verdict else ""
    return [
        f"<td class=col-band>{escape(result.band.value)}</td>",
        f"<td>{observed}</td>",
        f"<td>{threshold}</td>",
        f"<td class=col-evidence>{evidence}</td>",
    ]


def add_row(
    cells: list[str],
    result: CriterionResult | None,
    consoles: Consoles,
    zone: ZoneInfo,
    lean: bool = False,
) -> None:
    cells[2:2] = row_cells(result, consoles, zone, lean)
    cells[:] = [c for c in cells if not c.startswith('<td class="col-links">')]


def skip_message(longrepr: Any) -> str | None:
    """A skipped test's reason in words: pytest keeps it as (path, line, "Skipped: reason"),
    which pytest-html would print as that tuple."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3 and isinstance(longrepr[2], str):
        return longrepr[2].removeprefix("Skipped: ")
    return None
