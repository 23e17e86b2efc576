"""`python -m burnin doctor --target NAME`: does everything a run will use exist and answer?
Each source (Prometheus, Alertmanager, the dashboard, the host over SSH, the health endpoint),
each name the configuration uses (the selector, every metric, rule, unit, log, backup glob,
health field and status word), one line each; for a missing one, the closest names that do
exist and the configuration line to write. A check a source could not answer is "not checked",
with the reason, never left out. Run it before the first checkpoint: a misnamed metric would
otherwise surface as NO_DATA rows hours later, a wrong backup glob as a CRITICAL verdict.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from burnin.config import Target
from burnin.criteria.backup import MAX_AGE, age_text, measure_backups
from burnin.criteria.host import JOURNAL_ACCESS_HINT
from burnin.errors import SourceError
from burnin.hostfiles import HostFile, parse_find_listing, split_glob
from burnin.probes.failures import split_fix
from burnin.probes.health import MAX_BODY_BYTES, timed_get
from burnin.probes.http import http_get, new_session
from burnin.probes.prometheus import PrometheusProbe
from burnin.probes.ssh import CommandResult, SshProbe
from burnin.promql import BOT_METRICS, PROCESS_METRICS, Matcher, Metrics, parse_selector
from burnin.redact import REDACTED, redact_url
from burnin.run import metrics_of

RECENT = "1h"
# The backup criterion wants one younger than 24 h at the 24 h checkpoint; a day later. Before
# the burn-in a daily job may be a little late: a backup of the last ~26 h shows it runs.
BACKUP_RECENT = MAX_AGE + timedelta(hours=2)
NEAR_SHOWN = 5
# Where backups are usually kept, looked through (3 levels deep) when the glob matches nothing.
BACKUP_PLACES = ("/var/backups", "/backups", "/srv/backups", ".")
UP = "up"  # the bot's scrape target: monitoring-operational judges the scrape by it

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


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates most like `name`: close spellings, and names holding its words
    (bot_users -> rosey_bot_channel_users, rosey-bot -> cytube-bot)."""
    # Words: split at _ - . : and at camelCase humps (BotRestarting -> bot, restarting).
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", name)]
    scored = []
    for candidate in set(candidates):
        ratio = difflib.SequenceMatcher(None, name.lower(), candidate.lower()).ratio()
        # A word counts when the candidate holds it or its stem (restarting ~ restarted).
        share = sum(w[:6] in candidate.lower() for w in words) / max(1, len(words))
        score = ratio + 0.5 * share
        # Half its words, or a close spelling: one shared word ("seconds") is no likeness.
        if score >= 0.6 and (share >= 0.5 or ratio >= 0.75):
            scored.append((score, candidate))
    return [c for _, c in sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]]


def _table_line(target: Target, table: str, key: str, value: str) -> str:
    return f'[targets.{target.name}.{table}] {key} = "{value}"'


# ---------------------------------------------------------------- why a source did not answer

URL_SETTINGS = {
    "prometheus": "prometheus_url",
    "health": "health_url",
    "alertmanager": "alertmanager_url",
    "dashboard": "dashboard_url",
}
SERVERS = {
    "prometheus": "Prometheus",
    "health": "the bot's health server",
    "alertmanager": "the Alertmanager",
    "dashboard": "the dashboard",
    "ssh": "sshd",
}
CA_SETTINGS = {"prometheus": "prometheus_ca_file or ca_file", "health": "health_ca_file or ca_file"}
_CREDENTIALS = re.compile(r"(://[^/\s:@]*):[^/\s@]*@")
_HTTP_STATUS = re.compile(r"HTTP (?:Status Code )?(\d{3})\b|\b(\d{3}) (?:Client|Server) Error")


def _chain_text(error: BaseException | str) -> str:
    """Every exception behind `error` (causes, contexts, urllib3's reason), type and text."""
    if isinstance(error, str):
        return error
    parts: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        exc = pending.pop(0)
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        parts.append(f"{type(exc).__name__}: {exc}")
        inner = [exc.__cause__, exc.__context__, getattr(exc, "reason", None)]
        inner += [a for a in exc.args if isinstance(a, BaseException)]
        pending += [e for e in inner if isinstance(e, BaseException)]
    return " | ".join(parts)


# What a probe puts before the cause: "prometheus at URL: ", "query '...' failed: ", ...
PROBE_PREFIX = re.compile(
    r"^(?:[A-Za-z]+Error: )?(?:[a-z]+ at \S+: )?(?:(?:not reachable|not ready|query .*? failed|GET \S+ failed): )?",
    re.DOTALL,
)


def explain(error: BaseException | str, source: str) -> tuple[str, str]:
    """(cause, fix) in our words for a source that did not answer: `error` is the exception
    (its causes are read too) or a probe's problem text; `source` is prometheus, health,
    alertmanager, dashboard or ssh. The fix names the setting to change."""
    text = _CREDENTIALS.sub(rf"\1:{REDACTED}@", _chain_text(error))
    own = split_fix(PROBE_PREFIX.sub("", text.split(" | ")[0]))
    if own is not None:  # the probe's own line already says what happened and the fix
        return own
    url = URL_SETTINGS.get(source, "")
    where = url or "ssh_host and ssh_port"

    def has(*words: str) -> bool:
        return any(w.lower() in text.lower() for w in words)

    skew = re.search(r"clock skew: (.*? this machine's)", text)
    if skew:
        return (
            f"clock skew: {skew.group(1)}",
            "fix the time sync (NTP) of this machine or of the host",
        )
    if source == "ssh":
        if has("host key CHANGED"):
            return (
                "the host's key CHANGED since known_hosts recorded it (someone in the middle, or "
                "the host was rebuilt)",
                "verify the host's key, then replace its line in known_hosts",
            )
        missing = re.search(r"known_hosts file (.*?) not found", text)
        if missing:
            return (
                f"the known_hosts file {missing.group(1)} does not exist: the host's key cannot "
                "be verified",
                "set known_hosts to a file holding the host's key, or accept_new_host_key = true",
            )
        if has("not found in known_hosts", "host key not in"):
            return (
                "the host's key is not in known_hosts",
                "add the host's key to known_hosts (ssh-keyscan, after verifying it), or set "
                "accept_new_host_key = true",
            )
        if has("authentication refused", "Authentication failed", "AuthenticationException"):
            return (
                "the host refused the login",
                "set ssh_user and ssh_key to a login whose key is in the host's authorized_keys",
            )
    if has("CERTIFICATE_VERIFY_FAILED", "certificate verify failed"):
        if has("Hostname mismatch", "doesn't match", "IP address mismatch"):
            return (
                "its TLS certificate names another host",
                f"check {url} (use the host name its certificate names)",
            )
        return (
            "its TLS certificate is not trusted (signed by a CA this machine does not know)",
            f"set {CA_SETTINGS.get(source, 'ca_file')} to the CA that signed it",
        )
    if has("certificate required", "alert bad certificate", "alert handshake failure"):
        return "the server asks for a client certificate", "set cert_file and key_file"
    if has("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure"):
        return (
            "TLS spoken to a plain HTTP port (or the reverse)",
            f"check {url}: http:// or https://",
        )
    if has(
        "Name or service not known",
        "Failed to resolve",
        "nodename nor servname",
        "name resolution",
        "getaddrinfo failed",
        "No address associated",
        "gaierror",
    ):
        return "its host name does not resolve", f"check {where} (the host name)"
    if has("Connection refused", "Errno 111", "Unable to connect to port"):
        return (
            "connection refused: nothing listens at that host and port",
            f"check {where} (host and port), or start {SERVERS.get(source, source)}",
        )
    if has("No route to host", "Network is unreachable"):
        return "no route to the host", f"check {where} and the network between"
    if has("timed out", "timeout", "no answer within", "no complete answer within"):
        return (
            "no answer within timeout_s",
            f"check {where} and the firewall, or raise timeout_s (--source-timeout)",
        )
    status = _HTTP_STATUS.search(text)
    code = int(status.group(1) or status.group(2)) if status else 0
    if code in (401, 403):
        cause = "HTTP 401: it asks for credentials" if code == 401 else "HTTP 403: access refused"
        if source == "prometheus":
            return cause, (
                "set prometheus_bearer_token_file, or prometheus_username and "
                "prometheus_password_file"
            )
        if source == "health":
            return cause, f"check {url}: the health endpoint is asked without credentials"
        return cause, f"check {url} (credentials: user:password@ in it, or ~/.netrc)"
    if code == 404:
        return "HTTP 404: nothing at this path", f"check {url} (a path prefix missing?)"
    if code >= 500:
        server = SERVERS.get(source, source)
        return f"HTTP {code}: {server} answers with an error", f"see the logs of {server}"
    if code:
        return f"HTTP {code}", f"check {url}"
    if has("not Prometheus JSON", "JSONDecodeError", "not JSON"):
        return "the answer is not Prometheus' JSON (another server at this URL?)", f"check {url}"
    innermost = text.rsplit(" | ", 1)[-1]
    return innermost[:160], f"check {where}"


def _source_line(what: str, error: BaseException | str, source: str) -> Check:
    cause, fix = explain(error, source)
    return Check(False, what, cause, fix)


# ---------------------------------------------------------------- the selector and the metrics


def matches(matcher: Matcher, labels: Mapping[str, str]) -> bool:
    value = labels.get(matcher.label, "")
    if matcher.op in ("=", "!="):
        return (value == matcher.value) == (matcher.op == "=")
    try:
        found = re.fullmatch(matcher.value, value) is not None
    except re.error:
        return False
    return found == (matcher.op == "=~")


def selects(selector: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    return all(matches(m, labels) for m in selector)


def adjusted(
    selector: Sequence[Matcher], labels: Mapping[str, str], fixed: Iterable[str] = ()
) -> tuple[Matcher, ...]:
    """The selector changed just enough to find a series with `labels`: a matcher it fails
    takes the series' value (env="production" -> env="prod") or goes when the series lacks its
    label; with nothing left to pick the bot by, the series' job (else instance). Matchers on
    `fixed` labels stay (a fleet's instance="{instance}": another bot's series are not this
    bot's)."""
    kept = []
    for m in selector:
        if matches(m, labels) or m.label in fixed:
            kept.append(m)
        elif m.op in ("=", "=~") and m.label in labels:
            kept.append(Matcher(m.label, "=", labels[m.label]))
    if not any(m.op in ("=", "=~") for m in kept):
        for label in ("job", "instance"):
            if label in labels:
                kept.append(Matcher(label, "=", labels[label]))
                break
    return tuple(kept)


def shared(
    selector: Sequence[Matcher],
    first: Mapping[str, str],
    second: Mapping[str, str],
    fixed: Iterable[str] = (),
) -> tuple[Matcher, ...]:
    """A selector finding both label sets: the selector's matchers both pass, else the labels
    they share (the selector's own labels, then job, then instance); `fixed` labels' matchers
    stay."""
    kept = [m for m in selector if m.label in fixed or (matches(m, first) and matches(m, second))]
    labels = [m.label for m in selector] + ["job", "instance"]
    for label in labels:
        if any(m.label == label for m in kept):
            continue
        if label in first and first[label] == second.get(label):
            kept.append(Matcher(label, "=", first[label]))
            if label in ("job", "instance"):
                break
    return tuple(kept)


def selector_text(selector: Sequence[Matcher]) -> str:
    return ",".join(str(m) for m in selector)


def _selector_setting(target: Target, selector: Sequence[Matcher]) -> str:
    """The `selector = '...'` line: for a bot of a fleet, its instance written `{instance}`."""
    shown = []
    for m in selector:
        if target.instance and m.value == target.instance and "{instance}" in target.fleet_selector:
            shown.append(f'{m.label}{m.op}"{{instance}}"')
        else:
            shown.append(str(m))
    text = ", ".join(shown)
    return f"selector = '{text}'" if "'" not in text else f"selector = {json.dumps(text)}"


def _labels_text(labels: Mapping[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def renames(contract_name: str, name: str, known: Iterable[str]) -> list[str]:
    """The known names `name` may be deployed under. A process_* metric keeps its distinctive
    part (rosey_process_resident_memory_bytes), never a bot metric's name that merely shares a
    word (process_start_time_seconds is not rosey_bot_uptime_seconds)."""
    near = closest(name, known)
    if contract_name in PROCESS_METRICS:
        near = [n for n in near if contract_name.removeprefix("process_") in n]
    return near


def _fleet_labels(target: Target) -> frozenset[str]:
    """The labels a fleet's selector names each bot by (`instance="{instance}"`)."""
    if not target.fleet_selector:
        return frozenset()
    matchers = parse_selector(target.fleet_selector)
    return frozenset(m.label for m in matchers if "{instance}" in m.value)


def _names(target: Target) -> list[str]:
    """The contract metrics a run reads for this target."""
    return list(BOT_METRICS) + (list(PROCESS_METRICS) if target["process_metrics"] else [])


def planned_metrics(target: Target, metrics: Metrics) -> list[str]:
    return [
        f"selector {{{selector_text(metrics.selector)}}}",
        *(f"metric {c}" for c in _names(target)),
        f"metric {UP}",
    ]


@dataclass
class _Where:
    """Where each contract metric's series are, whatever their labels: under its configured
    name, else under the known names closest to it."""

    options: dict[str, list[str]]  # contract name -> [configured name, closest names...]
    labels: dict[str, list[dict[str, str]]]  # metric name -> label sets of its recent series

    def label_sets(self, contract_name: str) -> list[dict[str, str]]:
        return [ls for n in self.options[contract_name] for ls in self.labels[n]]

    def found(self, selector: Sequence[Matcher], contract_name: str) -> str | None:
        """The name under which `selector` finds the metric's series (None: under none)."""
        for name in self.options[contract_name]:
            if any(selects(selector, ls) for ls in self.labels[name]):
                return name
        return None


def _choose_selector(
    current: tuple[Matcher, ...],
    where: _Where,
    found_now: set[str],
    names: list[str],
    fixed: frozenset[str] = frozenset(),
) -> tuple[Matcher, ...]:
    """The selector that finds most of the bot's own metrics, then most process metrics;
    the current one unless another finds more. Candidates are the current selector adjusted to
    each label set of the bot's series, and selectors shared by the bot's and nearby process
    series (the bot's and its process_* series labelled apart)."""
    bot = [c for c in names if c in BOT_METRICS]
    process = [c for c in names if c in PROCESS_METRICS]

    def score(selector: tuple[Matcher, ...]) -> tuple[int, int, int, int, float]:
        def has(c: str) -> bool:
            return (selector == current and c in found_now) or where.found(selector, c) is not None

        changes = len(set(selector) ^ set(current))
        # Fewer of the bots' series found is better: one bot's, not its staging twin's too.
        width = sum(selects(selector, ls) for c in bot for ls in where.label_sets(c))
        likeness = difflib.SequenceMatcher(
            None, selector_text(current), selector_text(selector)
        ).ratio()
        return (sum(map(has, bot)), sum(map(has, process)), -changes, -width, likeness)

    candidates = {current}
    for c in bot:
        candidates.update(adjusted(current, ls, fixed) for ls in where.label_sets(c))
    best = max(sorted(candidates, key=selector_text), key=score)
    # The bot's series under the best so far, and process series near them: one selector for
    # both, as long as it finds no other bot's series (a staging bot's of the same job).
    bot_labels = [ls for c in bot for ls in where.label_sets(c) if selects(best, ls)]
    all_bot = [ls for c in bot for ls in where.label_sets(c)]
    near = _near_process(where, process, bot_labels[:20])[:50]
    for both in {shared(best, b, p, fixed) for b in bot_labels[:20] for p in near}:
        if all(ls in bot_labels for ls in all_bot if selects(both, ls)):
            candidates.add(both)
    best = max(sorted(candidates, key=selector_text), key=score)
    now, then = score(current), score(best)
    if best != current and then[0] >= 1 and then[:2] > now[:2]:
        return best
    return current


def _near_process(
    where: _Where, process: list[str], bot_labels: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Process series labelled like the bot's: the same job or the same instance."""
    near = []
    for c in process:
        for ls in where.label_sets(c):
            if any(
                ls.get(k) and ls.get(k) == b.get(k) for b in bot_labels for k in ("job", "instance")
            ):
                if ls not in near:
                    near.append(ls)
    return near


def check_metrics(prometheus: PrometheusProbe, target: Target, metrics: Metrics) -> list[Check]:
    """The selector first (when the bot's series are under other labels, one line to change
    it), then each metric a run reads, then the bot's scrape target `up`."""
    now = datetime.now(UTC)
    names = _names(target)
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
    where = _Where(options, labels)
    best = _choose_selector(current, where, found_now, names, _fleet_labels(target))
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
    where: _Where,
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
            f"bot's series carry {_labels_text(bot_labels[0])}",
            _selector_setting(target, best),
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
            f"{_labels_text(elsewhere[0])}"
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
    where: _Where,
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
            f"series carry {_labels_text(own[0])}: found by the selector proposed above",
        )
    if found_as is not None:  # under another name
        near = where.options[contract_name][1:]
        return Check(
            False,
            what,
            f"{name}: no series under {{{shown_selector}}} in the last {RECENT}; closest: "
            f"{', '.join(near)}; {found_as} has series under {{{selector_text(best)}}}",
            _table_line(target, "metrics", contract_name, found_as),
        )
    elsewhere = where.labels.get(name, [])
    near = renames(contract_name, name, known)
    fix = _table_line(target, "metrics", contract_name, near[0]) if near else ""
    if elsewhere:
        detail = (
            f"{name} exists, but no series under {{{shown_selector}}} in the last {RECENT}; its "
            f"series carry {_labels_text(elsewhere[0])}"
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
        near_bot = _near_process(where, [contract_name], bot_labels)
        if near_bot:
            detail += (
                f"; near the bot's series ({_labels_text(near_bot[0])}) but no selector finds "
                "both: give the bot's process_* and bot_* series the same labels (Prometheus' "
                "scrape config)"
            )
        elif bot_labels:
            detail += (
                f"; none labelled like the bot's {_labels_text(bot_labels[0])}: the bot exports "
                "no process metrics"
            )
            fix = "process_metrics = false  (memory and CPU are then skipped)"
    return Check(False, what, detail, fix)


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
        return Check(True, what, f"{series}: {count:g} series (the bot's scrape target)")
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


# ---------------------------------------------------------------- rules and the stack around


def planned_rules(target: Target) -> list[str]:
    return [f"alert rule {name}" for name in target["alert_rules"]]


def check_rules(prometheus: PrometheusProbe, target: Target) -> list[Check]:
    rules = prometheus.alerting_rules()
    by_name = {r.name: r for r in rules}
    # The line to write: each expected rule, or the loaded rule closest to it.
    mapped = []
    for name in target["alert_rules"]:
        near = [name] if name in by_name else closest(name, by_name, 1)
        mapped.extend(n for n in near if n not in mapped)
    fix = "alert_rules = [" + ", ".join(f'"{n}"' for n in mapped) + "]"
    checks = []
    for name in target["alert_rules"]:
        rule = by_name.get(name)
        if rule is None:
            near = closest(name, by_name)
            loaded = ", ".join(sorted(by_name)) or "none"
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"not loaded in Prometheus; closest: {', '.join(near) or 'none'} "
                    f"(loaded: {loaded})",
                    fix,
                )
            )
        elif not rule.healthy:
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"loaded but not evaluating cleanly: {rule.health} {rule.last_error}",
                )
            )
        else:
            severity = rule.severity or "no severity label"
            checks.append(Check(True, f"alert rule {name}", f"loaded, evaluating ({severity})"))
    return checks


ALERTMANAGERS = "alertmanager known to prometheus"


def check_stack(prometheus: PrometheusProbe | None, target: Target) -> list[Check]:
    """What monitoring-operational asks besides the rules, the way it asks: Prometheus knows
    an active Alertmanager; the Alertmanager is ready; the dashboard answers (these two only
    when configured: a run does not check them otherwise)."""
    timeout_s = target["timeout_s"]
    checks = []
    if prometheus is not None:
        url = f"{prometheus.url}/api/v1/alertmanagers"
        answer = http_get(
            new_session(prometheus.access, url), url, timeout_s, json_body=True,
            access=prometheus.access,
        )  # fmt: skip
        try:
            active = [a["url"] for a in answer.body["data"]["activeAlertmanagers"]]
        except (TypeError, KeyError):
            active = []
        if answer.problem or not answer.ok:
            cause, _ = explain(answer.problem or f"HTTP {answer.status}", "prometheus")
            checks += not_checked([ALERTMANAGERS], f"prometheus did not say: {cause}")
        elif active:
            shown = ", ".join(redact_url(u) for u in active)
            checks.append(Check(True, ALERTMANAGERS, f"{len(active)} active: {shown}"))
        else:
            checks.append(
                Check(
                    False,
                    ALERTMANAGERS,
                    "Prometheus knows no active Alertmanager: alerts would go nowhere "
                    "(monitoring-operational is CRITICAL so)",
                    "point Prometheus' alerting.alertmanagers at the Alertmanager",
                )
            )
    for source, path in (("alertmanager", "/-/ready"), ("dashboard", "")):
        url = target[URL_SETTINGS[source]]
        if not url:
            continue
        access = target.access(source)
        asked = url.rstrip("/") + path if path else url
        answer = http_get(new_session(access, asked), asked, timeout_s, access=access)
        what = f"{source} {redact_url(url)}"
        if answer.ok:
            checks.append(Check(True, what, f"HTTP {answer.status} in {answer.latency_ms:.0f} ms"))
        else:
            checks.append(_source_line(what, answer.problem or f"HTTP {answer.status}", source))
    return checks


# ---------------------------------------------------------------- the host over SSH


def _logs_what(target: Target) -> str:
    return (
        f"log file {target['log_file']}" if target["log_file"] else f"journal of {target['unit']}"
    )


def _backup_what(target: Target) -> str:
    glob = target["backup_glob"].strip()
    return f"backups {glob}" if glob else "backups"


def planned_host(target: Target) -> list[str]:
    return [f"unit {target['unit']}", _logs_what(target), _backup_what(target)]


def _lost(result: CommandResult) -> bool:
    """The command did not finish (connection lost, timed out): nothing was learnt."""
    return result.exit_code is None


def _sudo_refused(result: CommandResult) -> bool:
    return result.exit_code not in (0, None) and "sudo:" in result.stderr


SUDO_FIX = (
    "let the SSH user run systemctl, journalctl, stat and find with `sudo -n` (sudoers "
    "NOPASSWD), or ssh_sudo = false with a login that may read them"
)


def check_unit(ssh: SshProbe, target: Target) -> list[Check]:
    unit = target["unit"]
    show = ssh.run(
        ["systemctl", "show", "-p", "LoadState", "-p", "StandardOutput", unit], privileged=True
    )
    if _lost(show):
        return not_checked([f"unit {unit}", _logs_what(target)], f"ssh: {show.describe()}")
    if _sudo_refused(show):
        return [
            Check(False, f"unit {unit}", f"sudo -n refused: {show.describe()}", SUDO_FIX),
            *not_checked([_logs_what(target)], "sudo -n refused (see above)"),
        ]
    properties = dict(line.split("=", 1) for line in show.stdout.splitlines() if "=" in line)
    if not show.ok or properties.get("LoadState") != "loaded":
        listing = ssh.run(
            ["systemctl", "list-units", "--all", "--type=service", "--no-legend", "--plain"],
            privileged=True,
        )
        units = [
            line.split()[0].removesuffix(".service")
            for line in listing.stdout.splitlines()
            if line.split()
        ]
        near = closest(unit, units)
        return [
            Check(
                False,
                f"unit {unit}",
                f"no such unit on the host ({show.describe() if not show.ok else 'not-found'}); "
                f"closest: {', '.join(near) or 'none'}",
                f'unit = "{near[0]}"' if near else "",
            ),
            *not_checked([_logs_what(target)], f"the unit {unit} is not on the host"),
        ]
    checks = [Check(True, f"unit {unit}", "loaded")]
    output = properties.get("StandardOutput", "")
    checks.append(check_logs(ssh, target, output))
    return checks


def check_logs(ssh: SshProbe, target: Target, standard_output: str) -> Check:
    log_file = target["log_file"]
    unit = target["unit"]
    if log_file:
        what = f"log file {log_file}"
        stat = ssh.run(["stat", "-c", "%Y %s", log_file], privileged=True)
        readable = ssh.run(["test", "-r", log_file], privileged=True)
        if _lost(stat) or _lost(readable):
            return not_checked([what], f"ssh: {(stat if _lost(stat) else readable).describe()}")[0]
        if not stat.ok or not readable.ok:
            return Check(False, what, f"not readable: {stat.describe()}")
        mtime, size = (float(x) for x in stat.stdout.split()[:2])
        age_s = datetime.now(UTC).timestamp() - mtime
        recent = age_s <= 3600
        return Check(
            recent,
            what,
            f"{size:g} bytes, last written {age_s / 60:.0f} min ago"
            + ("" if recent else ": not written in the last hour (the bot logs elsewhere?)"),
        )
    journal = ssh.run(
        [
            "journalctl",
            "--no-pager",
            "-q",
            "-u",
            unit,
            "--since",
            f"-{RECENT}",
            "-n",
            "1",
            "-o",
            "cat",
        ],
        privileged=True,
    )
    what = f"journal of {unit}"
    if _lost(journal):
        return not_checked([what], f"ssh: {journal.describe()}")[0]
    if journal.ok and journal.stdout.strip():
        return Check(True, what, f"entries in the last {RECENT}")
    fix = ""
    if standard_output.startswith(("append:", "file:")):
        fix = f'log_file = "{standard_output.split(":", 1)[1]}"  (the unit writes there)'
    return Check(
        False,
        what,
        f"no journal entries from the unit in the last {RECENT}"
        + (f"; its StandardOutput is {standard_output}" if standard_output else "")
        + ("" if target["ssh_sudo"] or fix else f" ({JOURNAL_ACCESS_HINT})"),
        fix,
    )


def _fresh(files: Sequence[HostFile], now: datetime) -> list[HostFile]:
    return [f for f in files if f.age(now) <= BACKUP_RECENT and f.size_bytes > 0]


def guess_glob(path: str) -> str:
    """A glob for a dated backup's name: /b/rosey-20261127.db -> /b/rosey-*.db."""
    directory, name = posixpath.split(path.removeprefix("./"))
    pattern = re.sub(r"\*(?:[-_.:T]?\*)+", "*", re.sub(r"[0-9]+", "*", name))
    return posixpath.join(directory, pattern)


def near_backups(
    ssh: SshProbe, glob: str, exclude: Iterable[str] = ()
) -> tuple[list[HostFile], str]:
    """Files like the glob's near it (its directory, the one above, the usual backup places,
    3 levels deep): its pattern, a word of it, or its extension. Newest first; and where it
    looked."""
    directory, pattern = split_glob(glob)
    parent = posixpath.dirname(directory.rstrip("/"))
    # Not / itself, 3 levels deep: /proc and all; the glob's listing looked there already.
    places = [p for p in (directory, parent) if p not in ("", "/", ".")]
    places += [p for p in BACKUP_PLACES if p not in places]
    names = [pattern, *(f"*{w}*" for w in re.findall(r"[A-Za-z]{3,}", pattern.split(".")[0]))]
    extension = pattern.rsplit(".", 1)[1] if "." in pattern else ""
    if extension and not set(extension) & set("*?["):
        names += [f"*.{extension}", f"*.{extension}.gz"]
    tests: list[str] = []
    for name in dict.fromkeys(names):
        tests += ["-o", "-name", name] if tests else ["-name", name]
    # Places that do not exist make find exit 1 and say so on stderr; the others still list.
    command = ["env", "LC_ALL=C", "find", *places, "-maxdepth", "3", "-type", "f", "("]
    command += [*tests, ")", "-printf", "%T@ %s %p\\n"]
    result = ssh.run(command, privileged=True)
    skip = set(exclude)
    try:
        listed = parse_find_listing(result.stdout)
    except ValueError:  # a file name with a newline: show nothing rather than half names
        listed = []
    found: dict[str, HostFile] = {}
    for backup in listed:  # places inside each other list a file twice
        if backup.path not in skip:
            found.setdefault(backup.path, backup)
    return list(found.values()), ", ".join(places)


def check_backup(ssh: SshProbe, target: Target) -> Check:
    """The backup criterion's own listing (find over SSH): a non-empty backup of the last
    ~26 h must match the glob. Else what the glob found, the files like it nearby and the glob
    that finds them (or backup_glob = "" to declare the bot has none)."""
    glob = target["backup_glob"]
    what = _backup_what(target)
    if not glob.strip():
        return Check(True, what, 'backup_glob = "": none declared (the backup check is skipped)')
    now = datetime.now(UTC)
    measured = measure_backups(ssh, glob, now)
    result = measured.result
    if result is not None and _lost(result):
        return not_checked([what], f"ssh: {result.describe()}")[0]
    if result is None or (measured.files is None and not measured.directory_missing):
        problem = measured.problem or (result.describe() if result else "not asked")
        permission = result is not None and "Permission denied" in result.stderr
        fix = SUDO_FIX if result is not None and _sudo_refused(result) else ""
        if permission and not target["ssh_sudo"]:
            fix = "ssh_sudo = true  (if only root may read the backups)"
        return Check(False, what, f"listing the backups failed: {problem}", fix)
    files = measured.files or []
    fresh = _fresh(files, now)
    if fresh:
        newest = fresh[0]
        return Check(
            True,
            what,
            f"{len(files)} file(s); newest {newest.path}, {newest.size_bytes} bytes, "
            f"{age_text(newest.age(now))} old",
        )
    if measured.directory_missing:
        found = f"the directory of {glob} does not exist"
    elif not files:
        found = f"nothing matches {glob}"
    elif files[0].size_bytes == 0:
        found = f"the newest match {files[0].path} is empty (0 bytes)"
    else:
        found = (
            f"the newest match {files[0].path} is {age_text(files[0].age(now))} old (none in "
            f"the last {BACKUP_RECENT.total_seconds() / 3600:g} h: the job does not run?)"
        )
    near, places = near_backups(ssh, glob, (f.path for f in files))
    if near:
        shown = ", ".join(f"{f.path} ({age_text(f.age(now))} old)" for f in near[:NEAR_SHOWN])
        more = f" and {len(near) - NEAR_SHOWN} more" if len(near) > NEAR_SHOWN else ""
        found += f"; files near: {shown}{more}"
    else:
        found += f"; nothing like it in {places}"
    candidates = _fresh(near, now)
    if candidates:
        fix = f'backup_glob = "{guess_glob(candidates[0].path)}"'
    elif files:
        return Check(False, what, found)  # the glob is right, the backups are not
    else:
        fix = 'backup_glob = "/where/the/backups/are/*.db"'
    return Check(False, what, found, fix + '  (or backup_glob = "" if the bot has none)')


def check_host(target: Target, ssh: SshProbe | None) -> list[Check]:
    planned = planned_host(target)
    if ssh is None:
        return [
            Check(
                False,
                "ssh",
                "ssh_host is not set for this target",
                'ssh_host = "the bot\'s host"  (an ~/.ssh/config alias works)',
            ),
            *not_checked(planned, "ssh_host is not set"),
        ]
    try:
        ssh.connect()
    except SourceError as exc:
        cause, fix = explain(exc, "ssh")
        return [
            Check(False, f"ssh {ssh.settings.where}", cause, fix),
            *not_checked(planned, f"ssh: {cause}"),
        ]
    try:
        return [
            Check(True, f"ssh {ssh.settings.where}", "connected"),
            *check_unit(ssh, target),
            check_backup(ssh, target),
        ]
    finally:
        ssh.close()


# ---------------------------------------------------------------- the health endpoint


def planned_health(target: Target) -> list[str]:
    planned = [f"health field {name}" for name in target.health_fields]
    planned.append("health status word")
    planned += [f"health {key}" for key in ("version", "channel") if target[key]]
    return planned


def check_health(target: Target) -> list[Check]:
    url = target["health_url"]
    where = f"health {redact_url(url)}"
    answer = timed_get(url, target["timeout_s"], MAX_BODY_BYTES, target.access("health"))
    if answer.problem or answer.status != 200:
        return [
            source := _source_line(where, answer.problem or f"HTTP {answer.status}", "health"),
            *not_checked(planned_health(target), f"health: {source.detail}"),
        ]
    try:
        document = json.loads(answer.body.decode("utf-8", errors="replace"))
    except ValueError as exc:
        document = exc
    if not isinstance(document, dict):
        problem = (
            f"not JSON: {document}"
            if isinstance(document, ValueError)
            else f"not a JSON object: {type(document).__name__}"
        )
        return [
            Check(False, where, problem, "check health_url (the bot's /api/health)"),
            *not_checked(planned_health(target), "health: the answer is no JSON object"),
        ]
    checks = [Check(True, where, f"HTTP 200 in {answer.total_ms:.0f} ms, a JSON object")]
    taken = set(target.health_fields.values())
    for contract_name, key in target.health_fields.items():
        if key == "":
            checks.append(Check(True, f"health field {contract_name}", "declared absent"))
        elif key in document:
            checks.append(Check(True, f"health field {contract_name}", f"{key!r} present"))
        else:
            near = closest(key, [k for k in document if k not in taken])
            checks.append(
                Check(
                    False,
                    f"health field {contract_name}",
                    f"{key!r} missing; the JSON has {', '.join(sorted(document))}; closest: "
                    f"{', '.join(near) or 'none'}",
                    _table_line(target, "health_fields", contract_name, near[0] if near else ""),
                )
            )
    status_key = target.health_fields.get("status", "status")
    status = document.get(status_key)
    words = target["healthy_status"]
    if isinstance(status, str) and status in words:
        checks.append(Check(True, "health status word", f"{status!r} is a healthy word"))
    elif isinstance(status, str) and status in target["degraded_status"]:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, one of the degraded words: the bot says it is degraded "
                "right now (the words are right; the bot is not healthy)",
            )
        )
    else:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, not one of {', '.join(repr(w) for w in words)} (is the "
                "bot healthy right now, or does it say so in other words?)",
                f'healthy_status = ["{status}"]' if isinstance(status, str) else "",
            )
        )
    for key in ("version", "channel"):
        if target[key]:
            checks.append(_expected_value(target, document, key))
    return checks


def _expected_value(target: Target, document: Mapping[str, object], key: str) -> Check:
    """The version (channel) the run expects against the one the bot reports now."""
    what = f"health {key}"
    expected = target[key]
    field_name = target.health_fields[key]
    if field_name == "":
        return Check(
            False,
            what,
            f"{key} {expected!r} is expected, but the health JSON carries none "
            f'(health_fields.{key} = "")',
            f'{key} = ""',
        )
    if field_name not in document:
        return Check(False, what, f"{field_name!r} missing (see health field {key})")
    reported = document[field_name]
    if reported == expected:
        return Check(True, what, f"{reported!r}, as expected")
    return Check(
        False,
        what,
        f"the bot reports {reported!r}, the run expects {expected!r}",
        f"{key} = {json.dumps(reported)}  (if that is the right one)"
        if isinstance(reported, str)
        else "",
    )


# ---------------------------------------------------------------- one bot, a fleet, the report


def check_prometheus(
    target: Target, metrics: Metrics
) -> tuple[list[Check], PrometheusProbe | None]:
    planned = planned_metrics(target, metrics) + planned_rules(target) + [ALERTMANAGERS]
    url = target["prometheus_url"]
    if not url:
        return [
            Check(
                False,
                "prometheus",
                "prometheus_url is not set for this target",
                'prometheus_url = "http://prometheus-host:9090"',
            ),
            *not_checked(planned, "prometheus_url is not set"),
        ], None
    prometheus = PrometheusProbe(url, target["timeout_s"], access=target.access("prometheus"))
    try:
        prometheus.ready()
    except SourceError as exc:
        cause, fix = explain(exc, "prometheus")
        return [
            Check(False, f"prometheus {prometheus.where}", cause, fix),
            *not_checked(planned, f"prometheus: {cause}"),
        ], None
    checks = [Check(True, f"prometheus {prometheus.where}", "ready")]
    checks += _attempt(
        planned_metrics(target, metrics), lambda: check_metrics(prometheus, target, metrics)
    )
    checks += _attempt(planned_rules(target), lambda: check_rules(prometheus, target))
    return checks, prometheus


def _attempt(planned: list[str], make: Callable[[], list[Check]]) -> list[Check]:
    """The checks `make` makes; each planned one "not checked" when its source fails midway."""
    try:
        return make()
    except SourceError as exc:
        cause, _ = explain(exc, exc.source)
        return not_checked(planned, f"{exc.source} at {exc.where}: {cause}")


def diagnose(target: Target, metrics: Metrics, ssh: SshProbe | None) -> list[Check]:
    checks, prometheus = check_prometheus(target, metrics)
    checks += check_stack(prometheus, target)
    checks += check_host(target, ssh)
    if target["health_url"]:
        checks += check_health(target)
    else:
        checks.append(
            Check(
                False,
                "health",
                "health_url is not set for this target",
                'health_url = "http://bot-host:8000/api/health"',
            )
        )
        checks += not_checked(planned_health(target), "health_url is not set")
    return checks


def check_fleet(target: Target) -> list[Check]:
    """A fleet whose selector tells its bots apart by one matcher `label="{instance}"` is asked
    about together and each bot judged on its own series; without one, every bot's Prometheus
    criteria judge the same series (all of the fleet's: never a wrong pass, but no bot's own)."""
    bots = target.bots()
    if not target.values.get("instances"):
        return []
    apart = all(metrics_of(bot).member is not None for bot in bots)
    if apart:
        return [Check(True, "fleet", f"{len(bots)} bots, told apart by the selector")]
    return [
        Check(
            False,
            "fleet",
            f"the selector {target['selector']!r} does not tell the {len(bots)} bots apart: each "
            "bot's Prometheus criteria would judge the same series",
            'selector = \'env="prod", instance="{instance}"\'  (the label that names a bot)',
        )
    ]


def report(checks: Sequence[Check]) -> str:
    counts = {state: sum(c.state == state for c in checks) for state in STATES}
    lines = [c.line() for c in checks]
    lines.append(
        f"doctor: {counts['ok']} ok, {counts['missing']} missing, "
        f"{counts['not checked']} not checked"
        + ("" if counts["ok"] < len(checks) else ": everything a run uses is there")
    )
    return "\n".join(lines)
