"""Release against release in the record: the "Compared with the previous release" table of each
checkpoint (metric, before, now, change, verdict) in HTML and Markdown, the previous and this
release's error ratio and memory drawn on one plot each, the same in JSON and in the run
history, and the trend across releases that `python -m burnin history --releases` prints.

Everything comes from vs-previous-release's evidence (burnin.criteria.releases): nothing here
asks a source."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from burnin.bands import Band
from burnin.history import ResultRow, RunRow
from burnin.report import svg
from burnin.report.model import RunRecord

CRITERION = "vs-previous-release"
COMPARE = "compare:"  # the history's rows of the comparison: "compare:error ratio"
VERDICT_MARK = {"better": "✅", "same": "➖", "worse": "⚠️", "inconclusive": "❔"}
BAND_TEXT = {
    Band.TARGET: "nothing worse",
    Band.DEGRADED: "worse: a yellow flag (the team decides; never a rollback on its own)",
    Band.NO_DATA: "cannot tell (no data)",
    Band.SKIPPED: "not compared",
    Band.SOURCE_ERROR: "not compared (source error)",
}


@dataclass(frozen=True)
class Compared:
    """One checkpoint's comparison, as its row's evidence holds it."""

    phase: str
    bot: str
    band: Band
    cause: str
    summary: Mapping[str, Any]  # baseline, both windows, traffic, plot series ({} if none)
    rows: Sequence[Mapping[str, Any]]  # one per metric (burnin.criteria.releases.Row.values)


def compared(record: RunRecord) -> list[Compared]:
    """Each phase's comparison (a fleet's: its worst bot's)."""
    found = []
    for phase in record.phases:
        result = record.result(CRITERION, phase)
        if result is None:
            continue
        summaries = result.values("comparison")
        found.append(
            Compared(
                phase,
                result.bot,
                result.band,
                result.cause,
                summaries[0] if summaries else {},
                result.values("comparison_row"),
            )
        )
    return found


def _number(value: object) -> str:
    if not isinstance(value, int | float):
        return "-"
    return f"{value:.3g}"


def cells(row: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """(metric, before, now, change, verdict) as the table shows them."""
    unit = f" {row.get('unit', '')}".rstrip()
    change = str(row.get("change") or "-")
    p = row.get("p_value")
    if isinstance(p, int | float):
        change += f" (p {'< 1e-15' if p < 1e-15 else f'{p:.2g}'})"
    verdict = str(row.get("verdict", ""))
    if row.get("missing"):
        verdict += f" (no data: {row['missing']})"
    return (
        str(row.get("metric", "")),
        _number(row.get("before")) + unit,
        _number(row.get("now")) + unit,
        change,
        verdict,
    )


def _window(raw: object, zone: ZoneInfo) -> str:
    if not isinstance(raw, Sequence) or len(raw) != 2:
        return "?"
    start, end = (datetime.fromisoformat(str(t)).astimezone(zone) for t in raw)
    return f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M}"


def heading(item: Compared, zone: ZoneInfo) -> str:
    """'baseline previous-day: 2026-11-27 09:00 .. 2026-11-28 09:00 against ... (UTC)'."""
    where = f"{item.phase}" + (f", {item.bot}" if item.bot else "")
    summary = item.summary
    if not summary:
        return f"{where}: {BAND_TEXT.get(item.band, item.band.name)}"
    before, now = summary.get("before", {}), summary.get("now", {})
    return (
        f"{where}: baseline {summary.get('baseline', '?')}: "
        f"{_window(before.get('window'), zone)} against {_window(now.get('window'), zone)} "
        f"({zone.key}); covered {before.get('covered_hours', '?')} of {before.get('hours', '?')} "
        f"h and {now.get('covered_hours', '?')} of {now.get('hours', '?')} h"
    )


def releases_markdown(record: RunRecord) -> list[str]:
    """The section of the daily report (no section when no checkpoint compared)."""
    items = compared(record)
    if not items:
        return []
    lines = ["### Compared with the previous release", ""]
    for item in items:
        lines += [f"**{heading(item, record.timezone)}**", ""]
        lines += [f"{item.band.name}: {BAND_TEXT.get(item.band, '')}. {_cell(item.cause)}", ""]
        if item.rows:
            lines += ["| Metric | Before | Now | Change | Verdict |", "|---|---|---|---|---|"]
            for row in item.rows:
                metric, before, now, change, verdict = (_cell(c) for c in cells(row))
                mark = VERDICT_MARK.get(str(row.get("verdict")), "")
                lines.append(f"| {metric} | {before} | {now} | {change} | {mark} {verdict} |")
            lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def releases_html(record: RunRecord) -> str:
    """The section of the HTML report: one line per checkpoint, its table folded unless a
    metric is worse, then the two plots of the longest checkpoint (folded the same way). Verdicts
    are words: the Markdown's marks are emoji, which a machine without an emoji font cannot
    draw."""
    items = compared(record)
    if not items:
        return ""
    worse = any(item.band is Band.DEGRADED for item in items)
    opened = " open" if worse else ""
    parts = ['<h3 id="burnin-releases">Compared with the previous release</h3>']
    for item in items:
        line = (
            f"<strong>{escape(heading(item, record.timezone))}</strong><br>"
            f"{escape(item.band.name)}: {escape(BAND_TEXT.get(item.band, ''))}. "
            f'<span class="note">{escape(item.cause)}</span>'
        )
        if not item.rows:
            parts.append(
                f'<p data-phase="{escape(item.phase)}" data-band="{item.band.value}">{line}</p>'
            )
            continue
        table = [
            f'<table class="releases" data-phase="{escape(item.phase)}"><tr><th>Metric</th>'
            "<th>Before</th><th>Now</th><th>Change</th><th>Verdict</th></tr>"
        ]
        for row in item.rows:
            metric, before, now, change, verdict = cells(row)
            word = str(row.get("verdict", ""))
            table.append(
                f'<tr data-verdict="{escape(word)}" title="{escape(str(row.get("test", "")))}">'
                f"<td>{escape(metric)}</td><td>{escape(before)}</td><td>{escape(now)}</td>"
                f"<td>{escape(change)}</td><td>{escape(verdict)}</td></tr>"
            )
        table.append("</table>")
        parts.append(
            f'<details data-phase="{escape(item.phase)}" data-band="{item.band.value}"{opened}>'
            f"<summary>{line}</summary>{''.join(table)}</details>"
        )
    longest = max(
        (i for i in items if i.summary.get("series")),
        key=lambda i: float(i.summary.get("now", {}).get("hours", 0)),
        default=None,
    )
    if longest is not None:
        plots = []
        for name, title, unit in PLOTTED:
            image = comparison_plot(longest.summary, name, title, unit)
            if image is None:
                continue
            uri = "data:image/svg+xml;base64," + _base64(image)
            plots.append(
                f'<div class="plot" data-plot="releases-{escape(name)}"><h4>{escape(title)} '
                f"({escape(longest.phase)})</h4>"
                f'<img alt="{escape(title)}" src="{uri}"></div>'
            )
        if plots:
            parts.append(
                f"<details{opened}><summary>Both releases drawn ({escape(longest.phase)})"
                f"</summary>{''.join(plots)}</details>"
            )
    return "\n".join(parts)


PLOTTED = (
    ("error_ratio_percent", "Error ratio, previous release and this one", "% of requests"),
    ("memory_mb", "Resident memory, previous release and this one", "MB"),
)


def _base64(image: bytes) -> str:
    import base64

    return base64.b64encode(image).decode("ascii")


def comparison_plot(summary: Mapping[str, Any], name: str, title: str, unit: str) -> bytes | None:
    """Both windows' series on one chart, by hours from each window's start; None without
    data."""
    series = summary.get("series", {})
    lines, legend = [], []
    for side, colour, label in (("before", "gray", "previous release"), ("now", "blue", "now")):
        points = series.get(side, {}).get(name, [])
        if len(points) < 2:
            continue
        lines.append(
            svg.Line([p[0] / 3600 for p in points], [p[1] for p in points], colour, markers=False)
        )
        legend.append((label, colour))
    if len(lines) < 2:
        return None
    ys = [y for line in lines for y in line.ys]
    low, high = min(ys), max(ys)
    y_range = (0.0, max(high * 1.15, 1e-9))
    if name == "memory_mb":  # around the data: a few MB of growth must show
        pad = max(high - low, 1.0) * 0.15
        y_range = (max(0.0, low - pad), high + pad)
    x_end = max(x for line in lines for x in line.xs)
    step = next((s for s in (1, 2, 3, 4, 6) if x_end / s <= 8), 12)
    ticks = [(float(h), f"+{h} h") for h in range(0, int(math.ceil(x_end)) + 1, step)]
    chart = svg.Chart(
        title, unit, lines, x_ticks=ticks, legend=legend, y_range=y_range,
        x_label="hours from the window's start",
    )  # fmt: skip
    return svg.render(chart)


def releases_json(record: RunRecord) -> dict[str, Any]:
    """Each checkpoint's comparison for tools: the table's data, without the plots' series."""
    return {
        item.phase: {
            "bot": item.bot,
            "band": item.band.value,
            "cause": item.cause,
            **{k: v for k, v in item.summary.items() if k != "series"},
            "rows": [dict(row) for row in item.rows],
        }
        for item in compared(record)
    }


def history_rows(record: RunRecord) -> tuple[ResultRow, ...]:
    """Each compared metric as a row of the run history ("compare:error ratio", its verdict as
    the band, this release's value): what the trend across releases reads."""
    found = []
    for item in compared(record):
        for row in item.rows:
            now = row.get("now")
            value = float(now) if isinstance(now, int | float) and math.isfinite(now) else None
            _, before, after, change, _ = cells(row)
            found.append(
                ResultRow(
                    f"{COMPARE}{row.get('metric', '')}",
                    item.phase,
                    str(row.get("verdict", "")),
                    value,
                    f"{before} -> {after}, {change}",
                    item.bot,
                )
            )
    return tuple(found)


# ---------------------------------------------------------------- across releases


@dataclass(frozen=True)
class ReleaseRow:
    """One deployment's latest checkpoint: its own values, and how it compared."""

    deployment: str
    version: str
    checkpoint: str
    started: str
    compared: str  # vs-previous-release's band
    values: dict[str, str]  # metric -> this release's value ("" when not compared)
    worse: tuple[str, ...]


TREND_METRICS = (
    "error ratio",
    "CPU per request",
    "disconnections",
    "restarts",
    "memory slope",
    "health latency",
)


def _hours(phase: str) -> float:
    try:
        return float(phase.removesuffix("h"))
    except ValueError:
        return 0.0


def release_rows(found: Sequence[RunRow]) -> list[ReleaseRow]:
    """Each deployment's latest finished checkpoint (the longest phase of its latest run that
    judged one), oldest deployment first: the trend across releases."""
    latest: dict[str, tuple[RunRow, str]] = {}
    versions: dict[str, str] = {}
    for run in found:
        for result in run.results:
            if result.criterion == "health-version" and result.band in ("target", "acceptable"):
                versions[run.deployment] = result.observed
        phases = [p for p in run.phases if p != "smoke"]
        if run.interrupted or not phases:
            continue
        latest[run.deployment] = (run, max(phases, key=_hours))
    rows = []
    for deployment, (run, phase) in sorted(latest.items(), key=lambda item: _moment(item[0])):
        results = [r for r in run.results if r.phase == phase]
        values = {
            metric: next((r.observed for r in results if r.criterion == COMPARE + metric), "")
            for metric in TREND_METRICS
        }
        worse = tuple(
            r.criterion.removeprefix(COMPARE)
            for r in results
            if r.criterion.startswith(COMPARE) and r.band == "worse"
        )
        band = next((r.band for r in results if r.criterion == CRITERION), "")
        rows.append(
            ReleaseRow(
                deployment or "(unknown)",
                versions.get(deployment, ""),
                phase,
                run.started,
                band,
                values,
                tuple(dict.fromkeys(worse)),
            )
        )
    return rows


def _moment(deployment: str) -> float:
    try:
        return datetime.fromisoformat(deployment).timestamp()
    except ValueError:
        return math.inf  # runs without a known deployment last


def releases_table(rows: Sequence[ReleaseRow]) -> str:
    """The trend across releases as a plain text table."""
    header: tuple[str, ...] = ("deployment", "version", "checkpoint", "vs previous", *TREND_METRICS)
    lines = [header]
    for row in rows:
        compared_text = row.compared or "-"
        if row.worse:
            compared_text += f" ({', '.join(row.worse)})"
        lines.append(
            (
                row.deployment,
                row.version or "-",
                row.checkpoint,
                compared_text,
                *(_now_of(row.values[m]) for m in TREND_METRICS),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _now_of(observed: str) -> str:
    """'0.364 % of requests -> 1.58 % of requests, x4.34 (p 4.4e-07)' -> '1.58 % of requests'."""
    if not observed:
        return "-"
    after = observed.split(" -> ", 1)[-1]
    return after.split(", ", 1)[0]
