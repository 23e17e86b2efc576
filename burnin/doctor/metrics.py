"""The selector and each metric a run reads, asked of Prometheus: found, or the selector or
metric name to write instead (burnin.doctor.selector proposes the selector), and the bot's
scrape target `up`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from burnin.config import Target
from burnin.doctor.checks import RECENT, Check, table_line
from burnin.doctor.names import closest
from burnin.doctor.selector import (
    Where,
    choose_selector,
    fleet_labels,
    labels_text,
    near_process,
    selector_setting,
    selector_text,
)
from burnin.errors import SourceError
from burnin.probes.prometheus import PrometheusProbe
from burnin.promql import (
    BOT_METRICS,
    PROCESS_METRICS,
    SCRAPE_LABEL,
    Matcher,
    Metrics,
    selects,
)

UP = "up"  # the bot's scrape target: monitoring-operational judges the scrape by it


def renames(contract_name: str, name: str, known: Iterable[str]) -> list[str]:
    """The known names `name` may be deployed under. A process_* metric keeps its distinctive
    part (rosey_process_resident_memory_bytes), never a bot metric's name that merely shares a
    word (process_start_time_seconds is not rosey_bot_uptime_seconds)."""
    near = closest(name, known)
    if contract_name in PROCESS_METRICS:
        near = [n for n in near if contract_name.removeprefix("process_") in n]
    return near


def contract_names(target: Target) -> list[str]:
    """The contract metrics a run reads for this target."""
    return list(BOT_METRICS) + (list(PROCESS_METRICS) if target.settings.process_metrics else [])


def planned_metrics(target: Target, metrics: Metrics) -> list[str]:
    return [
        f"selector {{{selector_text(metrics.selector)}}}",
        *(f"metric {c}" for c in contract_names(target)),
        f"metric {UP}",
    ]


def check_metrics(prometheus: PrometheusProbe, target: Target, metrics: Metrics) -> list[Check]:
    """The selector first (when the bot's series are under other labels, one line to change
    it), then each metric a run reads, then the bot's scrape target `up`."""
    now = datetime.now(UTC)
    names = contract_names(target)
    current = metrics.selector
    shown_selector = selector_text(current)
    counts = {
        c: prometheus.scalar(f"count(last_over_time({metrics.series(c)}[{RECENT}]))", now)
        for c in names
    }
    found_now = {c for c in names if counts[c]}
    selector_what = f"selector {{{shown_selector}}}"
    if len(found_now) == len(names):
        return [
            Check(True, selector_what, f"finds the bot's series (all {len(names)} metrics)"),
            *(
                Check(True, f"metric {c}", f"{metrics.series(c)}: {counts[c]:g} series")
                for c in names
            ),
            _check_up(prometheus, metrics, current, now),
        ]
    try:
        known = prometheus.metric_names()
    except SourceError:
        known = []
    labels: dict[str, list[dict[str, str]]] = {}

    def series_of(name: str) -> list[dict[str, str]]:
        if name not in labels:
            answer = prometheus.instant(f"last_over_time({name}[{RECENT}])", now)
            labels[name] = [{k: v for k, v in s.labels.items() if k != "__name__"} for s in answer]
        return labels[name]

    options: dict[str, list[str]] = {}
    for c in names:
        name = metrics.name(c)
        options[c] = [name]
        if not series_of(name) and c not in found_now:
            near = renames(c, name, known)
            options[c] += near
            for candidate in near:
                series_of(candidate)
    where = Where(options, labels)
    best = choose_selector(current, where, found_now, names, fleet_labels(target))
    bot_labels = [ls for c in BOT_METRICS for ls in where.label_sets(c) if selects(best, ls)]
    checks = [_selector_check(target, current, best, where, found_now, names, bot_labels)]
    for c in names:
        if c in found_now:
            checks.append(Check(True, f"metric {c}", f"{metrics.series(c)}: {counts[c]:g} series"))
        else:
            checks.append(_missing_metric(target, metrics, c, best, where, known, bot_labels))
    checks.append(_check_up(prometheus, metrics, best, now, bool(bot_labels)))
    return checks


def _selector_check(
    target: Target,
    current: tuple[Matcher, ...],
    best: tuple[Matcher, ...],
    where: Where,
    found_now: set[str],
    names: list[str],
    bot_labels: list[dict[str, str]],
) -> Check:
    what = f"selector {{{selector_text(current)}}}"
    under_current = [c for c in names if c in found_now or where.found(current, c)]
    if best != current:
        under_best = [c for c in names if where.found(best, c)]
        return Check(
            False,
            what,
            f"finds {len(under_current)} of the {len(names)} metrics in the last {RECENT}; "
            f"{{{selector_text(best)}}} finds {len(under_best)} ({', '.join(under_best)}); the "
            f"bot's series carry {labels_text(bot_labels[0])}",
            selector_setting(target, best),
        )
    if under_current:
        return Check(
            True,
            what,
            f"finds the bot's series ({len(under_current)} of {len(names)} metrics, the others "
            "below)"
            if len(under_current) < len(names)
            else f"finds the bot's series (all {len(names)} metrics)",
        )
    elsewhere: list[dict[str, str]] = []
    for ls in (ls for c in BOT_METRICS if c in names for ls in where.label_sets(c)):
        if ls not in elsewhere:
            elsewhere.append(ls)
    if elsewhere:  # another bot's (a fleet's other instances), or under labels no change finds
        return Check(
            False,
            what,
            f"finds none of the {len(names)} metrics in the last {RECENT}; their series carry "
            f"{labels_text(elsewhere[0])}"
            + (f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else ""),
        )
    return Check(
        False,
        what,
        f"no series of the bot's metrics under any labels in the last {RECENT} (does "
        "Prometheus scrape the bot? see its targets page)",
    )


def _missing_metric(
    target: Target,
    metrics: Metrics,
    contract_name: str,
    best: tuple[Matcher, ...],
    where: Where,
    known: list[str],
    bot_labels: list[dict[str, str]],
) -> Check:
    name = metrics.name(contract_name)
    what = f"metric {contract_name}"
    shown_selector = selector_text(metrics.selector)
    is_process = contract_name in PROCESS_METRICS
    found_as = where.found(best, contract_name)
    if found_as == name:  # under the selector proposed above
        own = [ls for ls in where.labels[name] if selects(best, ls)]
        return Check(
            False,
            what,
            f"{name} exists, but no series under {{{shown_selector}}} in the last {RECENT}; its "
            f"series carry {labels_text(own[0])}: found by the selector proposed above",
        )
    if found_as is not None:  # under another name
        near = where.options[contract_name][1:]
        return Check(
            False,
            what,
            f"{name}: no series under {{{shown_selector}}} in the last {RECENT}; closest: "
            f"{', '.join(near)}; {found_as} has series under {{{selector_text(best)}}}",
            table_line(target, "metrics", contract_name, found_as),
        )
    elsewhere = where.labels.get(name, [])
    near = renames(contract_name, name, known)
    fix = table_line(target, "metrics", contract_name, near[0]) if near else ""
    if elsewhere:
        detail = (
            f"{name} exists, but no series under {{{shown_selector}}} in the last {RECENT}; its "
            f"series carry {labels_text(elsewhere[0])}"
            + (f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else "")
        )
        fix = ""
    else:
        detail = (
            f"{name}: no series under {{{shown_selector}}} in the last {RECENT}; closest: "
            f"{', '.join(near) or 'none'}"
        )
    if is_process:
        # A process_* name of another job (Prometheus' own) is no name for the bot's: only
        # series labelled like the bot's count, and without them the bot exports none.
        fix = ""
        near_bot = near_process(where, [contract_name], bot_labels)
        if near_bot:
            detail += (
                f"; near the bot's series ({labels_text(near_bot[0])}) but no selector finds "
                "both: give the bot's process_* and bot_* series the same labels (Prometheus' "
                "scrape config)"
            )
        elif bot_labels:
            detail += (
                f"; none labelled like the bot's {labels_text(bot_labels[0])}: the bot exports "
                "no process metrics"
            )
            fix = "process_metrics = false  (memory and CPU are then skipped)"
    return Check(False, what, detail, fix)


def _jobs_note(prometheus: PrometheusProbe, metrics: Metrics, series: str, now: datetime) -> str:
    """Said when more than one scrape job takes the bot's samples (a static job beside a pod
    job): every series is then held once per job. A run counts each once (Metrics.total), and a
    selector naming one job asks for one copy only."""
    if not metrics.jobs_may_repeat:
        return ""
    jobs = sorted(
        s.labels.get(SCRAPE_LABEL, "")
        for s in prometheus.instant(
            f"count by ({SCRAPE_LABEL})(last_over_time({series}[{RECENT}]))", now
        )
    )
    if len(jobs) < 2:
        return ""
    return (
        f"; from {len(jobs)} scrape jobs ({', '.join(jobs)}): each of the bot's series is held "
        f"once per job, and a run counts it once (max without ({SCRAPE_LABEL}) before a sum); "
        f'{SCRAPE_LABEL}="{jobs[0]}" in the selector would ask for one copy'
    )


def _check_up(
    prometheus: PrometheusProbe,
    metrics: Metrics,
    best: tuple[Matcher, ...],
    now: datetime,
    bot_found: bool = True,
) -> Check:
    what = f"metric {UP}"
    series = f"{UP}{{{selector_text(metrics.selector)}}}"
    count = prometheus.scalar(f"count(last_over_time({series}[{RECENT}]))", now)
    if count:
        detail = f"{series}: {count:g} series (the bot's scrape target)"
        return Check(True, what, detail + _jobs_note(prometheus, metrics, series, now))
    if best != metrics.selector:
        series = f"{UP}{{{selector_text(best)}}}"
        if prometheus.scalar(f"count(last_over_time({series}[{RECENT}]))", now):
            return Check(
                False,
                what,
                f"no series under {{{selector_text(metrics.selector)}}}; found by the selector "
                "proposed above",
            )
    if not bot_found:
        return Check(False, what, f"no {series} in the last {RECENT}, nor any of the bot's series")
    return Check(
        False,
        what,
        f"no {series} in the last {RECENT}: monitoring-operational judges the bot's scrape by "
        "it (put the selector's labels on the scrape target, not only on the bot's metrics)",
    )
