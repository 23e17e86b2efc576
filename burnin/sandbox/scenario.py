"""Declarative scenarios of a 24-hour production burn-in.

One frozen `Scenario` describes both the past (what history.py backfills into Prometheus and the
journal) and the live behaviour of the reference bot, so every signal the suite reads tells the
same story. Moments are given relative to the end of the history (seconds before it) or, for
things tied to the time of day, as "HH:MM" UTC (the latest such moment inside the window).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from burnin.sandbox.stacks import STACKS, Stack

HOUR = 3600.0
DAY = 24 * HOUR

# When: seconds before the end of history, or "HH:MM" (UTC, latest occurrence in the window).
When = float | str


@dataclass(frozen=True)
class Disconnect:
    start: When
    duration_s: float


@dataclass(frozen=True)
class ErrorBurst:
    start: When
    duration_s: float
    per_min: float


@dataclass(frozen=True)
class AlertEvent:
    alertname: str
    severity: str
    start: When
    duration_s: float


@dataclass(frozen=True)
class ScrapeGap:
    """Prometheus itself was not scraping: no samples at all, not even `up`."""

    start: When
    duration_s: float


@dataclass(frozen=True)
class EventError:
    """A channel event the bot mishandles: an `[ERROR]` line `delay_s` after a `kind` event."""

    start: When
    kind: str = "kick-ban"
    delay_s: float = 3.0


@dataclass(frozen=True)
class Backups:
    """Daily copies `rosey-YYYYMMDD.db` in the host's /backups: the newest `newest` before the
    end of history, then one a day before it."""

    newest: float = 3 * HOUR
    copies: int = 7
    size_bytes: int = 24576  # the newest; each older copy a little smaller


@dataclass(frozen=True)
class Users:
    baseline: int = 40
    evening_peak: int = 85  # 18:00-23:00 UTC
    night_low: int = 6  # 02:00-07:00 UTC
    jitter: int = 3


@dataclass(frozen=True)
class PreviousRelease:
    """The release a scenario's deployment replaced. It ran until `replaced` seconds before the
    end of history; then its process stopped (a deployment: systemd's stop and start, not a
    crash) and the scenario's own release started, with its own version and behaviour. These
    fields are the previous release's behaviour; the rest of the scenario holds for both."""

    replaced: float
    version: str = "v1.0.0"
    error_ratio: float = 0.0
    memory_growth_mb_per_hr: float = 0.2
    users: Users = field(default_factory=Users)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    disconnects: tuple[Disconnect, ...] = ()
    error_bursts: tuple[ErrorBurst, ...] = ()
    restarts: tuple[When, ...] = ()  # unplanned restarts (crash, systemd restarts after 10 s)
    process_age_s: float = 3 * DAY  # how long the process had run when the window starts
    memory_baseline_mb: float = 85.0  # at window start and after each restart
    memory_growth_mb_per_hr: float = 0.2
    # Resident memory wanders this much either way (seeded, a new draw each minute), as a
    # real bot's does around its trend: flat memory's fitted slope is never exactly 0.
    memory_noise_mb: float = 4.0
    cpu_fraction: float = 0.02  # average CPU usage (fraction of one core)
    users: Users = field(default_factory=Users)
    requests_per_user_per_min: float = 0.05
    alerts: tuple[AlertEvent, ...] = ()
    scrape_gaps: tuple[ScrapeGap, ...] = ()
    # A busy Prometheus: this many times over the history (evenly apart) it misses one scrape of
    # the bot and stamps the next 1-6 s late, as a loaded machine's scrape loop does. Not a hole.
    late_scrapes: int = 0
    process_metrics: bool = True
    event_errors: tuple[EventError, ...] = ()
    backups: Backups = field(default_factory=Backups)
    stack: str = "contract"  # the monitoring stack (burnin/sandbox/stacks.py)
    # Backfilled history (healthy: 48 h, so --at can move a 24 h window anywhere in a day).
    history_hours: float = 24.0
    metric_prefix: str = ""  # on the bot's own bot_* names ("rosey_": rosey_bot_connected)
    journal_hours: float | None = None  # the journal keeps only this much history (None: all)
    # journald's rate limit dropped this many of the bot's lines at each moment (an error storm
    # it did not keep: only journald's own "Suppressed N messages" line is in the journal).
    log_drops: tuple[tuple[When, int], ...] = ()
    # Live behaviour of the running reference bot.
    live_scrape: bool = True  # False: Prometheus lost the bot (no scrape job for it)
    # Prometheus reads a remote store too (remote_read, read_recent) and that store is down:
    # every answer holds the local data, whole, and warns that it may be partial.
    remote_read_down: bool = False
    # A second scrape job of the same bot (its name): Prometheus holds every series of the bot
    # twice, told apart by `job` only, as a Kubernetes pod job beside a static one does.
    second_job: str | None = None
    # The bot's scrape job renamed to second_job at this moment (a monitoring migration): its
    # series under JOB before, under second_job after, never both at once.
    job_renamed: When | None = None
    live_keepalive: bool = False  # health server on HTTP/1.1 keep-alive, headers and body apart
    live_connected: bool = True
    live_errors_per_min: float = 0.0
    live_health_delay_ms: float = 5.0
    live_status: str | None = None  # None: "healthy" when connected, else "unhealthy"
    # Fields /api/health reports instead of the truth (the metrics keep telling the truth).
    live_health_overrides: tuple[tuple[str, object], ...] = ()
    seed: int = 10
    neighbour: Neighbour | None = None  # another system on the same Prometheus
    version: str = "v1.0.0"  # the release the bot runs (health JSON, journal)
    # Errors per request, spread evenly over the requests (a bug a share of them hits).
    error_ratio: float = 0.0
    previous: PreviousRelease | None = None  # a deployment inside the history

    @property
    def monitoring(self) -> Stack:
        return STACKS[self.stack]

    def variant(self, name: str, description: str, **changes: Any) -> Scenario:
        """A new scenario differing in a few fields: later scenarios are a few lines each."""
        return dataclasses.replace(self, name=name, description=description, **changes)


@dataclass(frozen=True)
class Neighbour:
    """Another system whose series the same Prometheus holds: a copy of the bot under the same
    metric names, told apart only by its labels (a staging bot scraped by production's
    Prometheus). Its day (disconnects, errors, alerts) is backfilled as series and ALERTS
    samples; it has no host, no journal and no live process."""

    day: Scenario
    env: str = "staging"
    instance: str = "127.0.0.1:28000"
    job: str = "rosey-bot-staging"

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        return (("env", self.env), ("instance", self.instance), ("job", self.job))


def resolve(when: When, end: float) -> float:
    """Absolute epoch seconds of `when` for a history ending at `end`."""
    if isinstance(when, int | float):
        return end - float(when)
    hh, mm = (int(x) for x in when.split(":"))
    end_dt = datetime.fromtimestamp(end, UTC)
    moment = end_dt.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if moment >= end_dt - timedelta(minutes=30):
        moment -= timedelta(days=1)  # latest occurrence that is comfortably in the past
    return moment.timestamp()


def noise(i: int, seed: int) -> float:
    """Deterministic pseudo-random value in [-1, 1] (same for the history and the live bot)."""
    x = (i * 2654435761 + seed * 40503) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 1274126177) & 0xFFFFFFFF
    return (x % 2001) / 1000.0 - 1.0


def _level(users: Users, hour: float) -> float:
    """Daily curve: night low 02-07, evening peak 18-23, one-hour ramps in between."""
    b, p, low = users.baseline, users.evening_peak, users.night_low
    if 2 <= hour < 7:
        return low
    if 18 <= hour < 23:
        return p
    if 1 <= hour < 2:
        return b + (low - b) * (hour - 1)
    if 7 <= hour < 8:
        return low + (b - low) * (hour - 7)
    if 17 <= hour < 18:
        return b + (p - b) * (hour - 17)
    if 23 <= hour < 24:
        return p + (b - p) * (hour - 23)
    return b


JITTER_KNOT_S = 600


def users_at(users: Users, t: float, seed: int = 0) -> int:
    """Users in the channel at epoch `t` while connected."""
    hour = (t % DAY) / HOUR
    # The jitter drifts between knots 10 minutes apart, as a channel's users do: a value drawn
    # afresh each minute jumped by up to 6 users between two scrapes, which no real channel
    # does at night and which failed the healthy sandbox's consistency check at some hours.
    knot, part = divmod(t / JITTER_KNOT_S, 1.0)
    drift = (1 - part) * noise(int(knot), seed) + part * noise(int(knot) + 1, seed)
    return max(1, round(_level(users, hour) + users.jitter * drift))


def load_factor(users: Users, t: float, seed: int = 0) -> float:
    """Relative load (about 1 on average): CPU follows the users, off-peak uses less."""
    return 0.5 + 0.5 * users_at(users, t, seed) / max(1, users.baseline)


# What every scenario varies from: a healthy day. Scenarios keep 24 h of history (cheap);
# healthy itself has two days, so `--at` can put a 24 h checkpoint at any clock time.
_DAY = Scenario(
    name="healthy",
    description="Always connected, no errors, flat memory, ~2% CPU, evening peak, no alerts.",
)
HEALTHY = _DAY.variant(
    "healthy",
    "Always connected, no errors, flat memory, ~2% CPU, evening peak, no alerts; 48 h of history, "
    "scraped by a busy Prometheus (a scrape missed and the next one late every 2 h).",
    history_hours=48.0,
    late_scrapes=24,
)


def _flapping_disconnects() -> tuple[Disconnect, ...]:
    # 12 drops of 30-40 s spread over the day: about 0.5% of 24 h disconnected (uptime ~99.5%).
    durations = (35, 32, 38, 30, 40, 36, 33, 39, 31, 37, 34, 38)
    return tuple(
        Disconnect(start=(1.5 + i * 1.9) * HOUR + 97 * i, duration_s=d)
        for i, d in enumerate(durations)
    )


FLAPPING = _DAY.variant(
    "flapping",
    "Connection drops of 30-40 s about a dozen times (uptime ~99.5%) and a 10-minute burst of "
    "errors above 1/min; the live bot keeps logging errors.",
    disconnects=_flapping_disconnects(),
    error_bursts=(ErrorBurst(start=5.2 * HOUR, duration_s=600, per_min=2.0),),
    live_errors_per_min=2.0,
    seed=11,
)

LEAK_SLOW = _DAY.variant(
    "leak-slow",
    "Resident memory grows 20 MB/hr (degraded: between 10 and 50).",
    memory_growth_mb_per_hr=20.0,
)
LEAK_FAST = _DAY.variant(
    "leak-fast",
    "Resident memory grows 80 MB/hr (critical: above 50; peak ~2 GB).",
    memory_growth_mb_per_hr=80.0,
)
PEAK_ERROR_BURST = _DAY.variant(
    "peak-error-burst",
    "Errors at 3/min for 10 minutes at 19:00, inside the evening peak.",
    error_bursts=(ErrorBurst(start="19:00", duration_s=600, per_min=3.0),),
)
RESTART = _DAY.variant(
    "restart",
    "One unplanned restart (crash, systemd brings it back after 10 s) 3 h ago.",
    restarts=(3 * HOUR,),
)
SLOW_HEALTH = _DAY.variant(
    "slow-health",
    "The health endpoint answers in ~150 ms (degraded: between 100 and 200); resident memory "
    "grows 2 MB/hr (acceptable: under 10, but a real growth, never stable).",
    live_health_delay_ms=150.0,
    memory_growth_mb_per_hr=2.0,
)
ALERT_HISTORY = _DAY.variant(
    "alert-history",
    "Two HighErrorRate warnings and one critical BotDown fired in the last 10 h.",
    alerts=(
        AlertEvent("HighErrorRate", "warning", 9 * HOUR, 420),
        AlertEvent("HighErrorRate", "warning", 7 * HOUR, 360),
        AlertEvent("BotDown", "critical", 4 * HOUR, 120),
    ),
)
SCRAPE_GAP = _DAY.variant(
    "scrape-gap",
    "Prometheus scraped nothing for 30 minutes 2 h ago.",
    scrape_gaps=(ScrapeGap(start=2 * HOUR, duration_s=1800),),
)
NO_PROCESS_METRICS = _DAY.variant(
    "no-process-metrics",
    "The bot exports no process_* metrics (they are optional).",
    process_metrics=False,
)
OFFPEAK_DISCONNECT = _DAY.variant(
    "offpeak-disconnect",
    "Disconnected for 5 minutes at 03:30, in the off-peak hours.",
    disconnects=(Disconnect(start="03:30", duration_s=300),),
)
LONG_DROP = _DAY.variant(
    "long-drop",
    "One disconnection of 90 s (a red flag: over 1 minute) 5 h ago.",
    disconnects=(Disconnect(start=5 * HOUR, duration_s=90),),
)

LYING_HEALTH = _DAY.variant(
    "lying-health",
    "/api/health claims 999 users; the metrics tell the truth (~40 users).",
    live_health_overrides=(("user_count", 999),),
)

EVENT_ERROR = _DAY.variant(
    "event-error",
    "The bot logs an [ERROR] 3 s after a user is kicked, 5 h ago (one error, counted too).",
    event_errors=(EventError(start=5 * HOUR),),
)
NO_BACKUP = _DAY.variant(
    "no-backup",
    "The daily backup job stopped: the newest backup in /backups is 3 days old.",
    backups=Backups(newest=3 * DAY),
)

# Trustworthy verdicts: data that does not cover the window, names that match nothing, a
# journal that starts late. Each is a way a real burn-in could be waved through.
SERIES_ENDS = _DAY.variant(
    "series-ends",
    "Monitoring lost the bot 2 h ago: no sample of any bot series since (the bot runs on).",
    scrape_gaps=(ScrapeGap(start=2 * HOUR, duration_s=2 * HOUR + 60),),
    live_scrape=False,
)
SHORT_GAP = _DAY.variant(
    "short-gap",
    "Prometheus scraped nothing for 4 minutes 3 h ago (above the 99 % line at 12 and 24 h).",
    scrape_gaps=(ScrapeGap(start=3 * HOUR, duration_s=240),),
)
LOGS_DROPPED = _DAY.variant(
    "logs-dropped",
    "journald's rate limit dropped 1,234 of the bot's lines 2 h ago (a burst it did not keep): "
    "the journal cannot prove the window clean.",
    log_drops=((2 * HOUR, 1234),),
)
REMOTE_READ_DOWN = _DAY.variant(
    "remote-read-down",
    "Prometheus's remote read store is down: every answer warns it may be partial (what it holds "
    "is the healthy day), as a Thanos store that did not answer does.",
    remote_read_down=True,
)
PREFIXED_METRICS = _DAY.variant(
    "prefixed-metrics",
    "The bot's own metrics carry a rosey_ prefix (rosey_bot_connected); the client library's "
    "process_* metrics keep their standard names.",
    metric_prefix="rosey_",
)
CRITICAL_ALERT = _DAY.variant(
    "critical-alert",
    "One critical alert (BotDown) fired for 30 s 3 h ago; nothing else happened.",
    alerts=(AlertEvent("BotDown", "critical", 3 * HOUR, 30),),
)
JOURNAL_LATE = _DAY.variant(
    "journal-late",
    "The journal holds only the last 3 hours (rotated away): it cannot prove a clean window.",
    journal_hours=3.0,
)
SHORT_HISTORY = _DAY.variant(
    "short-history",
    "Prometheus and the journal hold only the last 3 hours (short retention, a new host).",
    history_hours=3.0,
)
KEEPALIVE_HEALTH = _DAY.variant(
    "keepalive-health",
    "The health server speaks HTTP/1.1 keep-alive and writes headers and body apart (Python's "
    "http.server): a reused connection would wait on Nagle and delayed ACKs.",
    live_keepalive=True,
)

# The exporter stack (stacks.EXPORTER): the bot repository's own monitoring, under its names.
EXPORTER_HEALTHY = _DAY.variant(
    "exporter-healthy",
    'The exporter stack: rosey_bot_* names, env="prod", 10 s scrapes, RoseyBot* rules, health '
    'status "running", unit cytube-bot logging to /var/log/cytube-bot/bot.log; healthy.',
    stack="exporter",
    process_metrics=False,
)
EXPORTER_DISCONNECT = EXPORTER_HEALTHY.variant(
    "exporter-disconnect",
    "The exporter stack; one disconnection of 90 s 5 h ago (RoseyBotDisconnected did not fire: "
    "it waits 5 minutes).",
    disconnects=(Disconnect(start=5 * HOUR, duration_s=90),),
)
EXPORTER_ERROR_BURST = EXPORTER_HEALTHY.variant(
    "exporter-error-burst",
    "The exporter stack; errors at 3/min for 10 minutes 4 h ago.",
    error_bursts=(ErrorBurst(start=4 * HOUR, duration_s=600, per_min=3.0),),
)
EXPORTER_RESTART = EXPORTER_HEALTHY.variant(
    "exporter-restart",
    "The exporter stack; one unplanned restart 3 h ago, and RoseyBotRestarted (info) firing "
    "for the minute after it, as that rule does after every start.",
    restarts=(3 * HOUR,),
    alerts=(AlertEvent("RoseyBotRestarted", "info", 3 * HOUR - 12, 60),),
)

# A staging copy of the bot on production's Prometheus, having a bad day: disconnected for
# 20 minutes 5 h ago (BotDown from a minute in), errors at 90/min for 10 minutes 3 h ago
# (CriticalErrorRate: above 1/s). Its alerts end hours before the history does, so no rule
# evaluating live (BurninMultipleAlerts counts every firing alert) sees them.
STAGING_BAD_DAY = _DAY.variant(
    "staging-bad-day",
    "The staging bot's day: disconnected 20 min 5 h ago, errors at 90/min 3 h ago.",
    disconnects=(Disconnect(start=5 * HOUR, duration_s=1200),),
    error_bursts=(ErrorBurst(start=3 * HOUR, duration_s=600, per_min=90.0),),
    alerts=(
        AlertEvent("BotDown", "critical", 5 * HOUR - 60, 1140),
        AlertEvent("CriticalErrorRate", "critical", 3 * HOUR - 120, 540),
    ),
    seed=12,
)
SHARED_PROMETHEUS = _DAY.variant(
    "shared-prometheus",
    "A healthy production whose Prometheus also holds a staging copy of the bot (same metric "
    'names, env="staging", its own instance and job) that had a bad day: disconnected 5 h ago '
    "(BotDown), errors 3 h ago (CriticalErrorRate). Not production's alerts.",
    neighbour=Neighbour(STAGING_BAD_DAY),
)

# Release against release: a deployment 24 h (and a minute) before the end of history, so a
# 24 h window ending now judges the new release alone and the same hours a day earlier the
# previous one (48 h of history: both days). Errors are a share of the requests, and the night
# is busier than the other scenarios' (12 users) so that every off-peak period holds some.
SCRAPED_TWICE = _DAY.variant(
    "scraped-twice",
    "A day whose bot Prometheus scrapes under two jobs (rosey-bot and rosey-bot-pods): every "
    "series twice, the same values, told apart by `job` only (its alerts too: each rule fires "
    "once per copy). Six errors 10-8 h ago (under 12 h's ten) and two HighErrorRate warnings "
    "9 and 8.5 h ago (under three): counted per copy they would be twelve and four, and the "
    "users twice the health's.",
    error_bursts=(ErrorBurst(start=10 * HOUR, duration_s=7200, per_min=0.05),),
    alerts=(
        AlertEvent("HighErrorRate", "warning", 9 * HOUR, 420),
        AlertEvent("HighErrorRate", "warning", 8.5 * HOUR, 360),
    ),
    second_job="rosey-bot-pods",
)
JOB_RENAMED = _DAY.variant(
    "job-renamed",
    "The bot's scrape job was renamed from rosey-bot to rosey-bot-pods 7 h ago (a monitoring "
    "migration): each series under one job before and the other after. Three errors 10-9 h "
    "ago and eight 5-2.3 h ago: eleven in 12 h, past its ten (the larger of the two jobs' "
    "counts, eight, would pass).",
    error_bursts=(
        ErrorBurst(start=10 * HOUR, duration_s=3600, per_min=0.05),
        ErrorBurst(start=5 * HOUR, duration_s=9600, per_min=0.05),
    ),
    second_job="rosey-bot-pods",
    job_renamed=7 * HOUR,
)
RELEASE_AT = DAY + 60.0
_RELEASE_USERS = Users(night_low=12)
RELEASE_REGRESSED = _DAY.variant(
    "release-regressed",
    "v1.1.0 deployed 24 h ago replaced v1.0.0 and regressed within the spec's lines: errors "
    "0.4 % -> 1.6 % of requests (x4, under 0.1/min), memory growth 0.5 -> 8 MB/hr (under 10); "
    "traffic the same; 48 h of history.",
    history_hours=48.0,
    version="v1.1.0",
    error_ratio=0.016,
    memory_growth_mb_per_hr=8.0,
    users=_RELEASE_USERS,
    previous=PreviousRelease(
        RELEASE_AT, error_ratio=0.004, memory_growth_mb_per_hr=0.5, users=_RELEASE_USERS
    ),
    seed=13,
)
RELEASE_IMPROVED = _DAY.variant(
    "release-improved",
    "v1.1.0 deployed 24 h ago replaced v1.0.0 and improved: memory growth 8 -> 0.5 MB/hr; twice "
    "the users at the same error ratio (0.8 % of requests: twice the errors a minute); v1.0.0 "
    "crashed once 22 h before the deployment, and Prometheus scraped nothing for 30 minutes "
    "3 h before it; 48 h of history.",
    history_hours=48.0,
    version="v1.1.0",
    error_ratio=0.008,
    memory_growth_mb_per_hr=0.5,
    users=Users(baseline=80, evening_peak=170, night_low=24, jitter=3),
    previous=PreviousRelease(
        RELEASE_AT, error_ratio=0.008, memory_growth_mb_per_hr=8.0, users=_RELEASE_USERS
    ),
    restarts=(RELEASE_AT + 22 * HOUR,),
    scrape_gaps=(ScrapeGap(start=RELEASE_AT + 3 * HOUR, duration_s=1800),),
    seed=14,
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        HEALTHY,
        FLAPPING,
        LEAK_SLOW,
        LEAK_FAST,
        PEAK_ERROR_BURST,
        RESTART,
        SLOW_HEALTH,
        ALERT_HISTORY,
        SCRAPE_GAP,
        NO_PROCESS_METRICS,
        OFFPEAK_DISCONNECT,
        LONG_DROP,
        LYING_HEALTH,
        EVENT_ERROR,
        NO_BACKUP,
        SERIES_ENDS,
        SHORT_GAP,
        REMOTE_READ_DOWN,
        LOGS_DROPPED,
        PREFIXED_METRICS,
        CRITICAL_ALERT,
        JOURNAL_LATE,
        KEEPALIVE_HEALTH,
        SHORT_HISTORY,
        EXPORTER_HEALTHY,
        EXPORTER_DISCONNECT,
        EXPORTER_ERROR_BURST,
        EXPORTER_RESTART,
        SHARED_PROMETHEUS,
        SCRAPED_TWICE,
        JOB_RENAMED,
        RELEASE_REGRESSED,
        RELEASE_IMPROVED,
    )
}
