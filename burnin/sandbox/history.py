"""The past 24 hours of a scenario: Prometheus samples and journal entries from one timeline.

Both outputs are computed in a single pass over the same events (disconnects, errors, restarts),
so the error counter, the `[ERROR]` journal lines and `bot_connected` agree to the second.
"""

from __future__ import annotations

import bisect
import hashlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from burnin.sandbox.paths import ENV, INSTANCE, JOB
from burnin.sandbox.scenario import (
    DAY,
    HOUR,
    Scenario,
    Users,
    load_factor,
    noise,
    resolve,
    users_at,
)
from burnin.sandbox.stacks import CONTRACT, Stack

STEP = 15  # seconds, the live scrape interval
EVALUATION_S = 5  # Prometheus' rule evaluation interval: ALERTS samples come this far apart
MARGIN_S = 600  # beyond the scenario's history hours, so a window of exactly that length is full
RESTART_SEC = 10  # systemd RestartSec of rosey-bot.service
DEPLOY_STOP_S = 12  # a deployment stops the old process this long before the new one starts
STARTUP_S = 2  # from process start to connected
SERVER_URL = "wss://chat.rosey.example/socket.io"
CHANNEL = "#production-channel"
HEARTBEAT_S = 300
MB = 1024 * 1024

# Channel events (the channel-events criterion): at most one per slot, likelier with more users.
EVENT_SLOT_S = 300
# No ordinary event this close before an error line: only a scenario's event_errors make an error
# follow an event, whatever quiet time (10 s by default) the suite is configured with.
EVENT_CLEARANCE_S = 60
NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
MODERATORS = ("mod_rosa", "admin_kai")
MEDIA = ("Big Buck Bunny", "Sintel (trailer)", "Tears of Steel", "Lo-fi beats, 1 hour")
TOPICS = ("Movie night Friday 20:00 UTC", "Be nice, no spoilers", "Community playlist night")

COUNTERS = {"bot_requests", "bot_errors", "process_cpu_seconds"}
TARGET_LABELS = (("env", ENV), ("instance", INSTANCE), ("job", JOB))

Labels = tuple[tuple[str, str], ...]


@dataclass
class Segment:
    """One process lifetime: started at `start`, connected from `alive`, crashed (or stopped
    by a deployment) at `end`, running one release."""

    start: float
    alive: float
    end: float
    pid: int
    version: str = "v1.0.0"
    deployed: bool = False  # started by a deployment (systemd stop and start), not a crash
    growth_mb_per_hr: float = 0.2


@dataclass(frozen=True)
class Releases:
    """Which release runs when: the previous one until the deployment, then the scenario's."""

    scenario: Scenario
    deployed: float | None  # epoch seconds; None: one release all along

    @classmethod
    def of(cls, scenario: Scenario, end: float) -> Releases:
        previous = scenario.previous
        return cls(scenario, None if previous is None else end - previous.replaced)

    def _before(self, t: float) -> bool:
        return self.deployed is not None and t < self.deployed

    def users(self, t: float) -> Users:
        previous = self.scenario.previous
        return previous.users if previous is not None and self._before(t) else self.scenario.users

    def error_ratio(self, t: float) -> float:
        previous = self.scenario.previous
        if previous is not None and self._before(t):
            return previous.error_ratio
        return self.scenario.error_ratio


@dataclass
class History:
    scenario: str
    start: float
    end: float
    # family name -> labels -> [(t, value)], each list in time order
    series: dict[str, dict[Labels, list[tuple[int, float]]]] = field(default_factory=dict)
    journal: list[dict[str, str]] = field(default_factory=list)
    error_times: list[float] = field(default_factory=list)
    # What the live bot continues from (values at `end`).
    last: dict[str, float] = field(default_factory=dict)
    prefix: str = ""  # on the bot's own bot_* names in the exported samples
    stack: Stack = CONTRACT
    labels: Labels = TARGET_LABELS  # the scrape target's labels (env, instance, job)
    # The bot's own lines when its stack logs to a file (time, line), else in `journal`.
    log_lines: list[tuple[float, str]] = field(default_factory=list)
    renamed_job: str | None = None  # the job the target's series moved to (Scenario.job_renamed)

    def add(self, family: str, t: int, value: float, labels: Labels | None = None) -> None:
        if labels is None:
            extra = self.stack.extra_labels.get(family, ())
            labels = tuple(sorted(self.labels + extra))
        self.series.setdefault(family, {}).setdefault(labels, []).append((t, value))

    def samples(self, family: str) -> list[tuple[int, float]]:
        """The one series of a family (all of the target's, merged, in time order, before and
        after a renamed job; a neighbour's, under other labels, and a second job's copy left
        out)."""
        owns = [set(self.labels)]
        if self.renamed_job is not None:
            owns.append({(k, self.renamed_job if k == "job" else v) for k, v in self.labels})
        return sorted(
            p
            for labels, points in self.series.get(family, {}).items()
            if any(own <= set(labels) for own in owns)
            for p in points
        )


def history_end(now: float, lag: float = 1.0) -> int:
    """Last history sample, `lag` s in the past: the first live scrape (after the backfill and
    the start of Prometheus) is newer than every backfilled block, and follows the history
    within two scrape intervals, as it would in a production that was never restarted. The
    samples lie on a 15 s grid that ends here."""
    return int(now - lag)


def _in(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(a <= t < b for a, b in windows)


def _segments(scenario: Scenario, start: float, end: float) -> list[Segment]:
    """The process lifetimes: a crash restarts the same release RESTART_SEC later; the
    deployment stops the previous release and starts the scenario's own DEPLOY_STOP_S later."""
    previous = scenario.previous
    deployed = Releases.of(scenario, end).deployed
    events = sorted(
        [(resolve(r, end), False) for r in scenario.restarts]
        + ([(deployed, True)] if deployed is not None else [])
    )
    born = start - scenario.process_age_s
    version = previous.version if previous else scenario.version
    growth = previous.memory_growth_mb_per_hr if previous else scenario.memory_growth_mb_per_hr
    segs = [Segment(born, born, end, 4242, version, False, growth)]
    for k, (moment, deployment) in enumerate(events, 1):
        pid = 4242 + 137 * k
        if deployment:
            segs[-1].end = moment - DEPLOY_STOP_S
            segs.append(
                Segment(
                    moment, moment + STARTUP_S, end, pid, scenario.version, True,
                    scenario.memory_growth_mb_per_hr,
                )
            )  # fmt: skip
            continue
        last = segs[-1]
        last.end = moment
        restart = moment + RESTART_SEC
        segs.append(
            Segment(
                restart, restart + STARTUP_S, end, pid, last.version, False, last.growth_mb_per_hr
            )
        )
    return segs


def _ratio_errors(
    scenario: Scenario,
    releases: Releases,
    start: int,
    end: int,
    step: int,
    off: list[tuple[float, float]],
) -> list[float]:
    """Errors as a share of the requests (each release's error_ratio): each step's requests
    add to a debt, and every whole error in it is logged just before that step's scrape. The
    same grid and request arithmetic as _samples, so the counters agree."""
    if scenario.error_ratio == 0 and (
        scenario.previous is None or scenario.previous.error_ratio == 0
    ):
        return []
    debt, found = 0.0, []
    for t in range(end - (end - start) // step * step, end + 1, step):
        if _in(t, off):
            continue
        users = users_at(releases.users(t), t, scenario.seed)
        debt += releases.error_ratio(t) * users * scenario.requests_per_user_per_min / 60 * step
        whole = 0
        while debt >= 1:
            debt -= 1
            found.append(t - 1 - 0.25 * whole)
            whole += 1
    return found


def _spread(start: float, duration: float, count: int, seed: int) -> list[float]:
    """`count` moments spread over [start, start+duration) with deterministic jitter."""
    gap = duration / count
    return [start + (k + 0.5 + 0.4 * noise(k, seed)) * gap for k in range(count)]


# journald's message id for lines its rate limit dropped (SD_MESSAGE_JOURNAL_DROPPED).
DROPPED_ID = "a596d6fe7bfa4994828e72309e95d61e"


class _Journal:
    def __init__(self, hist: History, boot_time: float, seed: str) -> None:
        self.hist = hist
        self.boot_time = boot_time
        self.boot_id = hashlib.md5(f"boot-{seed}".encode()).hexdigest()
        self.hostname = socket.gethostname()

    def _base(self, t: float) -> dict[str, str]:
        return {
            "__REALTIME_TIMESTAMP": str(int(t * 1_000_000)),
            "__MONOTONIC_TIMESTAMP": str(int((t - self.boot_time) * 1_000_000)),
            "_BOOT_ID": self.boot_id,
            "_HOSTNAME": self.hostname,
        }

    def bot(self, t: float, pid: int, logger: str, level: str, text: str) -> None:
        priority = {"CRITICAL": "2", "ERROR": "3", "WARNING": "4", "INFO": "6"}[level]
        stamp = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")
        line = f"[{stamp}] [{logger}] [{level}] {text}"
        stack = self.hist.stack
        if stack.log_file:  # the unit appends its output to a file, not the journal
            self.hist.log_lines.append((t, line))
            return
        entry = self._base(t) | {
            "_SYSTEMD_UNIT": stack.unit_file,
            "_SYSTEMD_SLICE": "system.slice",
            "_SYSTEMD_CGROUP": f"/system.slice/{stack.unit_file}",
            "_TRANSPORT": "stdout",
            "_PID": str(pid),
            "_UID": "0",
            "_GID": "0",
            "_COMM": "python",
            "SYSLOG_FACILITY": "3",
            "SYSLOG_IDENTIFIER": stack.unit,
            "PRIORITY": priority,
            "MESSAGE": line,
        }
        self.hist.journal.append(entry)

    def systemd(self, t: float, priority: int, text: str) -> None:
        # PID 1's messages about the unit carry UNIT=, which `journalctl -u` also matches.
        entry = self._base(t) | {
            "_SYSTEMD_UNIT": "init.scope",
            "_TRANSPORT": "journal",
            "_PID": "1",
            "_UID": "0",
            "_GID": "0",
            "_COMM": "systemd",
            "SYSLOG_FACILITY": "3",
            "SYSLOG_IDENTIFIER": "systemd",
            "UNIT": self.hist.stack.unit_file,
            "PRIORITY": str(priority),
            "MESSAGE": text,
        }
        self.hist.journal.append(entry)

    def journald(self, t: float, lines: int) -> None:
        """journald's own message that its rate limit dropped `lines` lines of the unit."""
        unit_file = self.hist.stack.unit_file
        entry = self._base(t) | {
            "_SYSTEMD_UNIT": "systemd-journald.service",
            "_TRANSPORT": "driver",
            "_PID": "120",
            "_UID": "0",
            "_GID": "0",
            "_COMM": "systemd-journald",
            "SYSLOG_FACILITY": "3",
            "SYSLOG_IDENTIFIER": "systemd-journald",
            "MESSAGE_ID": DROPPED_ID,
            "N_DROPPED": str(lines),
            "PRIORITY": "5",
            "MESSAGE": f"Suppressed {lines} messages from {unit_file}",
        }
        self.hist.journal.append(entry)


def generate(scenario: Scenario, end: int, labels: Labels | None = None) -> History:
    """The scenario's history over [end - history_hours - 10 min, end] at 15 s steps; its
    neighbour's series (another system's, under its own labels) beside the bot's."""
    start = end - int(scenario.history_hours * HOUR) - MARGIN_S
    stack = scenario.monitoring
    labels = labels or (("env", stack.env), ("instance", INSTANCE), ("job", JOB))
    hist = History(
        scenario.name, start, end, prefix=scenario.metric_prefix, stack=stack, labels=labels
    )
    seed = scenario.seed
    segs = _segments(scenario, start, end)
    releases = Releases.of(scenario, end)
    log = _Journal(hist, segs[0].start - 60, f"{scenario.name}-{seed}")

    disconnects = sorted(
        (resolve(d.start, end), resolve(d.start, end) + d.duration_s) for d in scenario.disconnects
    )
    gaps = [
        (resolve(g.start, end), resolve(g.start, end) + g.duration_s) for g in scenario.scrape_gaps
    ]
    down = [(s.end, after.alive) for s, after in zip(segs, segs[1:], strict=False)]

    # Error events: one per disconnect and the bursts' rate; none while the process is down.
    errors: list[tuple[float, str, str]] = []
    for a, _ in disconnects:
        errors.append(
            (
                a,
                "lib.connection",
                f"Connection lost to {SERVER_URL}: ConnectionResetError(104, "
                "'Connection reset by peer')",
            )
        )
    for i, b in enumerate(scenario.error_bursts):
        b0 = resolve(b.start, end)
        count = max(1, round(b.per_min * b.duration_s / 60))
        log.bot(
            b0,
            _seg_at(segs, b0).pid,
            "lib.media",
            "WARNING",
            "Media API slow: 4.8 s for GET /queue",
        )
        for t in _spread(b0, b.duration_s, count, seed + i):
            errors.append(
                (
                    t,
                    "lib.commands",
                    "Command !np failed: TimeoutError: media API did not answer within 5 s",
                )
            )
    for moment in _ratio_errors(scenario, releases, start, end, stack.scrape_s, down + disconnects):
        errors.append(
            (
                moment,
                "lib.commands",
                "Command !weather failed: KeyError: 'forecast' (the weather API's answer has none)",
            )
        )
    for ev in scenario.event_errors:
        errors.append(
            (
                resolve(ev.start, end) + ev.delay_s,
                "lib.channel",
                f"Handler for {ev.kind} event failed: KeyError: 'users' (UserList.remove)",
            )
        )
    errors = sorted(e for e in errors if start <= e[0] <= end and not _in(e[0], down))
    hist.error_times = [t for t, _, _ in errors]
    for moment, logger, text in errors:
        log.bot(moment, _seg_at(segs, moment).pid, logger, "ERROR", text)

    for lost, back in disconnects:
        pid = _seg_at(segs, lost).pid
        for k, t in enumerate(range(int(lost) + 5, int(back), 10), 1):
            log.bot(t, pid, "lib.connection", "INFO", f"Reconnecting to {SERVER_URL} (attempt {k})")
        log.bot(back, pid, "lib.connection", "INFO", f"Connected to {SERVER_URL}, joined {CHANNEL}")

    for k, seg in enumerate(segs[1:], 1):
        r = segs[k - 1].end
        if seg.deployed:
            _deployment_lines(log, stack.unit_file, segs[k - 1], seg)
            continue
        log.bot(
            r,
            segs[k - 1].pid,
            "lib.bot",
            "CRITICAL",
            "Unhandled exception in event loop: RuntimeError: Session is closed",
        )
        unit = stack.unit_file
        log.systemd(r, 5, f"{unit}: Main process exited, code=exited, status=1/FAILURE")
        log.systemd(r, 4, f"{unit}: Failed with result 'exit-code'.")
        log.systemd(seg.start, 6, f"{unit}: Scheduled restart job, restart counter is at {k}.")
        log.systemd(seg.start, 6, f"Stopped {unit} - Rosey chat bot.")
        log.systemd(seg.start, 6, f"Started {unit} - Rosey chat bot.")
        log.bot(seg.start + 0.5, seg.pid, "lib.bot", "INFO", f"Starting rosey-bot {seg.version}")
        log.bot(
            seg.alive,
            seg.pid,
            "lib.connection",
            "INFO",
            f"Connected to {SERVER_URL}, joined {CHANNEL}",
        )

    _channel_events(scenario, hist, segs, disconnects, down, log, releases)
    _samples(scenario, hist, segs, disconnects, gaps, down, log, releases)
    _alerts(scenario, hist, gaps)
    for when, lines in scenario.log_drops:
        log.journald(resolve(when, end), lines)
    if scenario.neighbour is not None:  # its series only: its journal is on another host
        other = generate(scenario.neighbour.day, end, scenario.neighbour.labels)
        for family, by_labels in other.series.items():
            hist.series.setdefault(family, {}).update(by_labels)
    if scenario.second_job is not None:  # the samples under the second job's label too
        second = scenario.second_job
        renamed = None if scenario.job_renamed is None else resolve(scenario.job_renamed, end)
        for by_labels in hist.series.values():
            for labels, samples in list(by_labels.items()):
                if ("job", JOB) in labels:
                    moved = tuple((k, second if k == "job" else v) for k, v in labels)
                    if renamed is None:  # two jobs: every sample twice
                        by_labels[moved] = samples
                        continue
                    by_labels[labels] = [(t, v) for t, v in samples if t < renamed]
                    by_labels[moved] = [(t, v) for t, v in samples if t >= renamed]
        hist.renamed_job = second if renamed is not None else None
    hist.journal.sort(key=lambda e: int(e["__REALTIME_TIMESTAMP"]))
    if scenario.journal_hours is not None:  # rotated away: the journal starts late
        first_us = (end - scenario.journal_hours * HOUR) * 1_000_000
        hist.journal = [e for e in hist.journal if int(e["__REALTIME_TIMESTAMP"]) >= first_us]
    return hist


def _deployment_lines(log: _Journal, unit: str, old: Segment, new: Segment) -> None:
    """A deployment as systemd and the bot log it: a clean stop, then a start of the new
    release (not a crash, not one of systemd's restarts)."""
    log.bot(old.end, old.pid, "lib.bot", "INFO", "Received SIGTERM: leaving the channel")
    log.systemd(old.end, 6, f"Stopping {unit} - Rosey chat bot...")
    log.systemd(old.end + 0.5, 6, f"{unit}: Deactivated successfully.")
    log.systemd(old.end + 0.5, 6, f"Stopped {unit} - Rosey chat bot.")
    log.systemd(new.start, 6, f"Started {unit} - Rosey chat bot.")
    log.bot(new.start + 0.5, new.pid, "lib.bot", "INFO", f"Starting rosey-bot {new.version}")
    log.bot(
        new.alive, new.pid, "lib.connection", "INFO", f"Connected to {SERVER_URL}, joined {CHANNEL}"
    )


def _seg_at(segs: list[Segment], t: float) -> Segment:
    for seg in reversed(segs):
        if seg.start <= t:
            return seg
    return segs[0]


def channel_event_text(kind: str, k: int, seed: int, first: bool | None = None) -> str:
    """One channel event line in the bot's words (matches thresholds.toml's default patterns).
    `first` picks the first wording of two (a kick, not a ban); None: the noise picks."""

    def pick(options: tuple[str, ...], salt: int) -> str:
        return options[int((noise(k, seed + salt) + 1) * 1000) % len(options)]

    user, moderator = pick(NAMES, 31), pick(MODERATORS, 37)
    if first is None:
        first = noise(k, seed + 41) >= 0
    if kind == "topic-change":
        return f"Topic changed by {moderator}: {pick(TOPICS, 43)}"
    if kind == "kick-ban":
        action, reason = ("kicked", "flooding") if first else ("banned", "spam links")
        return f"User {user} {action} by {moderator}: {reason}"
    if kind == "media-change":
        title = pick(MEDIA, 47)
        return f"Media added by {user}: {title}" if first else f"Media changed: now playing {title}"
    if kind == "user-join-leave":
        return f"{user} {'joined' if first else 'left'} the channel"
    raise ValueError(f"unknown channel event kind {kind!r}")


def _event_kind(k: int, seed: int) -> str:
    u = (noise(k, seed + 23) + 1) / 2
    if u < 0.45:
        return "user-join-leave"
    if u < 0.75:
        return "media-change"
    if u < 0.88:
        return "topic-change"
    return "kick-ban"


def _channel_events(
    scenario: Scenario,
    hist: History,
    segs: list[Segment],
    disconnects: list[tuple[float, float]],
    down: list[tuple[float, float]],
    log: _Journal,
    releases: Releases,
) -> None:
    """Several events an hour while connected (more at the evening peak), kept clear of the
    errors; then the scenario's mishandled events, each followed by its error line."""
    seed = scenario.seed
    away = down + [(a - EVENT_CLEARANCE_S, b) for a, b in disconnects]
    errors = sorted([*hist.error_times, *(s.end for s in segs[:-1])])  # crashes log CRITICAL
    first = int(hist.start // EVENT_SLOT_S + 1) * EVENT_SLOT_S
    last = int(hist.end) - 2 * EVENT_SLOT_S  # the live bot's own errors follow the history
    for slot in range(first, last, EVENT_SLOT_S):
        k = slot // EVENT_SLOT_S
        likelihood = 0.15 + users_at(releases.users(slot), slot, seed) / 150
        if (noise(k, seed + 17) + 1) / 2 >= likelihood:
            continue
        t = slot + 30 + 120 * (noise(k, seed + 19) + 1)  # 30-270 s into the slot
        i = bisect.bisect_left(errors, t)
        if _in(t, away) or (i < len(errors) and errors[i] - t <= EVENT_CLEARANCE_S):
            continue
        kind = _event_kind(k, seed)
        log.bot(t, _seg_at(segs, t).pid, "lib.channel", "INFO", channel_event_text(kind, k, seed))
    for ev in scenario.event_errors:
        t = resolve(ev.start, hist.end)
        text = channel_event_text(ev.kind, int(t), seed, first=True)
        log.bot(t, _seg_at(segs, t).pid, "lib.channel", "INFO", text)


@dataclass(frozen=True)
class HostFile:
    name: str  # rosey-YYYYMMDD.db
    mtime: float  # epoch seconds
    size_bytes: int


def backup_files(scenario: Scenario, end: float) -> list[HostFile]:
    """The daily backups on the host at the end of history, newest first."""
    plan = scenario.backups
    files = []
    for day in range(plan.copies):
        t = end - plan.newest - day * DAY
        stamp = datetime.fromtimestamp(t, UTC).strftime("%Y%m%d")
        files.append(HostFile(f"rosey-{stamp}.db", t, max(1, plan.size_bytes - 512 * day)))
    return files


def _samples(
    scenario: Scenario,
    hist: History,
    segs: list[Segment],
    disconnects: list[tuple[float, float]],
    gaps: list[tuple[float, float]],
    down: list[tuple[float, float]],
    log: _Journal,
    releases: Releases,
) -> None:
    s, seed = scenario, scenario.seed
    seg = segs[0]
    # Counters at window start: the process has been running for process_age_s already.
    requests = s.process_age_s / 60 * s.users.baseline * s.requests_per_user_per_min
    cpu = s.cpu_fraction * s.process_age_s
    err_i = 0
    errors = 0
    step = hist.stack.scrape_s
    exporter = hist.stack.reports_down
    first = int(hist.end) - (int(hist.end) - int(hist.start)) // step * step
    missed, late = busy_scrapes(s.late_scrapes, first, int(hist.end), step)
    for t in range(first, int(hist.end) + 1, step):
        current = _seg_at(segs, t)
        if current is not seg:  # restarted: counters start from zero
            seg, requests, cpu, errors = current, 0.0, 0.0, 0
        alive = not _in(t, down)
        connected = alive and not _in(t, disconnects)
        users = users_at(releases.users(t), t, seed) if connected else 0
        if alive:
            if connected:
                requests += users * s.requests_per_user_per_min / 60 * step
            cpu += s.cpu_fraction * load_factor(releases.users(t), t, seed) * step
        while err_i < len(hist.error_times) and hist.error_times[err_i] <= t:
            err_i += 1
            errors += 1
        if connected and (t - int(hist.start)) % HEARTBEAT_S == 0:
            log.bot(
                t,
                seg.pid,
                "lib.bot",
                "INFO",
                f"Heartbeat: {users} users in {CHANNEL}, {int(requests)} requests handled",
            )
        if _in(t, gaps) or t in missed:
            continue  # Prometheus was not scraping: no sample at all
        stamp = late.get(t, t)  # the values are the moment's; the stamp is when the scrape began
        hist.add(
            "up", stamp, 1 if alive or exporter else 0
        )  # the exporter answers while the bot is down
        if exporter:  # a process of its own: it reports the bot down while the bot is down
            hist.add("bot_up", stamp, 1 if alive else 0)
            hist.add("bot_scrape_timestamp_ms", stamp, stamp * 1000)
            if not alive:
                hist.add("bot_connected", stamp, 0)
        if not alive:
            continue
        since = t - max(seg.start, hist.start)
        memory = (
            s.memory_baseline_mb
            + seg.growth_mb_per_hr * since / HOUR
            + s.memory_noise_mb * _noise_at(t, seed)
        ) * MB
        hist.add("bot_connected", stamp, 1 if connected else 0)
        hist.add("bot_uptime_seconds", stamp, round(t - seg.start))
        hist.add("bot_users", stamp, users)
        hist.add("bot_requests", stamp, int(requests))
        hist.add("bot_errors", stamp, errors)
        if exporter:
            hist.add("bot_error_rate_percent", stamp, round(100.0 * errors / max(1.0, requests), 3))
        if s.process_metrics:
            hist.add("process_resident_memory_bytes", stamp, int(memory))
            hist.add("process_cpu_seconds", stamp, round(cpu, 2))
            hist.add("process_start_time_seconds", stamp, round(seg.start, 2))
        hist.last = {
            "t": t,
            "requests": int(requests),
            "errors": errors,
            "process_start": seg.start,
            "memory_bytes": int(memory),
            "cpu_seconds": round(cpu, 2),
            "memory_since": max(seg.start, hist.start),
        }


def busy_scrapes(count: int, first: int, end: int, step: int) -> tuple[set[int], dict[int, int]]:
    """`count` scrapes missed, evenly apart in [first, end] (none in the last hour), and the
    scrape after each stamped 1-6 s late: (the missed moments, {moment: its late stamp})."""
    if count <= 0:
        return set(), {}
    span = max(0, end - int(HOUR) - first)
    missed = {first + (span * (2 * k + 1) // (2 * count)) // step * step for k in range(count)}
    return missed, {t + step: t + step + 1 + (k * 5) % 6 for k, t in enumerate(sorted(missed))}


def _noise_at(t: float, seed: int) -> float:
    return noise(int(t // 60), seed + 7)


def _alerts(scenario: Scenario, hist: History, gaps: list[tuple[float, float]]) -> None:
    # Rules only evaluate forward from Prometheus' start: past alerts are written as ALERTS.
    for a in sorted(scenario.alerts, key=lambda a: resolve(a.start, hist.end)):
        a0 = resolve(a.start, hist.end)
        labels = tuple(
            sorted(
                (("alertname", a.alertname), ("alertstate", "firing"), ("severity", a.severity))
                + hist.labels
            )
        )
        step = EVALUATION_S  # ALERTS is written at every rule evaluation
        first = int(a0 + (hist.end - a0) % step)
        for t in range(first, int(min(a0 + a.duration_s, hist.end)) + 1, step):
            if not _in(t, gaps):
                hist.add("ALERTS", t, 1, labels)
    for samples in hist.series.get("ALERTS", {}).values():
        samples.sort()


def _fmt_labels(labels: Labels) -> str:
    return ",".join(f'{k}="{v}"' for k, v in labels)


def openmetrics(hist: History, instances: tuple[str, ...] = (INSTANCE,)) -> str:
    """OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` (seconds, # EOF)."""
    return "".join(openmetrics_lines(hist, instances))


def openmetrics_lines(hist: History, instances: tuple[str, ...] = (INSTANCE,)) -> Iterator[str]:
    """The same text a line at a time (a fleet's is written to disk as it is made: 100 bots'
    day is 0.9 GB). Several instances: every series of the bot's scrape target once per
    instance, the same history under each `instance` label."""
    for base, by_labels in hist.series.items():
        kind = "counter" if base in COUNTERS else "gauge"
        family = hist.stack.exported(base, hist.prefix)
        name = f"{family}_total" if kind == "counter" else family
        yield f"# TYPE {family} {kind}\n"
        for labels, samples in by_labels.items():
            # The bot's series once per instance of a fleet; a neighbour's under its own.
            for instance in instances if ("instance", INSTANCE) in labels else (None,):
                named = tuple(
                    (k, instance if k == "instance" and instance else v) for k, v in labels
                )
                prefix = f"{name}{{{_fmt_labels(named)}}} "
                yield "".join(f"{prefix}{_num(v)} {t}\n" for t, v in samples)
    yield "# EOF\n"


def held_until(hist: History, since: float, end: int) -> History:
    """The series still written at the history's end, held at their last values every STEP
    seconds after `since` up to `end`: the bridge over a long backfill (a large fleet's takes
    minutes), so the first live scrape follows the history instead of leaving a hole of the
    backfill's length. The live bot catches up over the same stretch from the same values."""
    bridge = History(hist.scenario, since, end, prefix=hist.prefix, stack=hist.stack)
    for family, by_labels in hist.series.items():
        for labels, samples in by_labels.items():
            t_last, value = samples[-1]
            if hist.end - t_last <= STEP:
                for t in range(t_last + STEP, end + 1, STEP):
                    if t > since:
                        bridge.add(family, t, value, labels)
    return bridge


def fleet_instances(bots: int) -> tuple[str, ...]:
    """The `instance` labels of a sandbox of `bots` bots: one keeps its scrape address."""
    return (INSTANCE,) if bots == 1 else tuple(f"bot-{i}" for i in range(1, bots + 1))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


# Where the lines of a file-logging stack land: (file name, from hours before the end).
LOG_ROTATIONS = ((".2.gz", None), (".1", 16.0), ("", 4.0))


def log_files(hist: History) -> list[tuple[str, list[str], float]]:
    """The bot's log file and its rotations at the end of history: (suffix, lines, mtime),
    oldest first; each file's mtime is its last line's time."""
    files = []
    bounds = [hist.end - hours * HOUR if hours is not None else None for _, hours in LOG_ROTATIONS]
    for i, (suffix, _) in enumerate(LOG_ROTATIONS):
        start = bounds[i]
        end = bounds[i + 1] if i + 1 < len(bounds) else None
        chosen = [
            (t, line)
            for t, line in sorted(hist.log_lines)
            if (start is None or t >= start) and (end is None or t < end)
        ]
        if chosen:
            files.append((suffix, [line for _, line in chosen], chosen[-1][0]))
    return files


def journal_export(hist: History) -> bytes:
    """Journal export format (entries separated by blank lines), sorted by realtime."""
    chunks = []
    for entry in hist.journal:
        chunks.append("".join(f"{k}={v}\n" for k, v in entry.items()) + "\n")
    return "".join(chunks).encode()
