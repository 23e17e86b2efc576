"""The monitoring stacks a sandbox production can run: the contract's (CONTRACT.md), and the
earlier exporter stack the bot's own repository ships (rosey_bot_* names, env="prod", a 10 s
scrape, RoseyBot* rules, a health JSON saying "running", unit cytube-bot logging to a file).

One scenario picks one stack; history, live bot, Prometheus, rules and units all follow it, so
burnin is proven against names it was not written for.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stack:
    name: str
    unit: str  # systemd unit, without ".service"
    env: str  # the env label on every series
    scrape_s: int  # scrape (and history) interval
    log_file: str  # "" : the bot logs to the journal
    # Exported metric name per base family of the history (bot_errors -> bot_errors_total).
    names: dict[str, str] = field(default_factory=dict)
    # Families the stack exports on top of the contract's, and labels some families carry.
    extra_families: tuple[str, ...] = ()
    extra_labels: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    health_shape: str = "contract"  # or "exporter"
    # A separate exporter answers while the bot is down: its down time is recorded as
    # disconnected (bot_up 0, bot_connected 0), not as missing samples.
    reports_down: bool = False

    @property
    def unit_file(self) -> str:
        return f"{self.unit}.service"

    def exported(self, family: str, prefix: str = "") -> str:
        """The name a base family is exported under (counters without their _total)."""
        if family in self.names:
            return self.names[family]
        return prefix + family if family.startswith("bot_") else family

    def rules_yml(self, prefix: str = "") -> str:
        return EXPORTER_RULES if self.name == "exporter" else contract_rules(prefix)


CHANNEL = "#production-channel"

CONTRACT = Stack(name="contract", unit="rosey-bot", env="production", scrape_s=15, log_file="")

EXPORTER = Stack(
    name="exporter",
    unit="cytube-bot",
    env="prod",
    scrape_s=10,
    log_file="/var/log/cytube-bot/bot.log",
    names={
        "bot_connected": "rosey_bot_connected",
        "bot_uptime_seconds": "rosey_bot_uptime_seconds",
        "bot_users": "rosey_bot_channel_users",
        "bot_requests": "rosey_bot_requests",
        "bot_errors": "rosey_bot_errors",
        "bot_up": "rosey_bot_up",
        "bot_error_rate_percent": "rosey_bot_error_rate_percent",
        "bot_scrape_timestamp_ms": "rosey_bot_scrape_timestamp_ms",
    },
    extra_families=("bot_up", "bot_error_rate_percent", "bot_scrape_timestamp_ms"),
    extra_labels={"bot_users": (("channel", CHANNEL),)},
    health_shape="exporter",
    reports_down=True,
)

STACKS = {s.name: s for s in (CONTRACT, EXPORTER)}


def contract_rules(prefix: str = "") -> str:
    """Exactly the table of CONTRACT.md ("Alert rules that production runs"), over the bot's
    metric names with the scenario's prefix."""
    p = prefix
    return f"""\
groups:
  - name: rosey_bot_alerts
    rules:
      - alert: BotDown
        expr: {p}bot_connected == 0
        for: 1m
        labels:
          severity: critical
      - alert: BotRestarting
        expr: rate({p}bot_uptime_seconds[5m]) < 0
        for: 2m
        labels:
          severity: warning
      - alert: HighErrorRate
        expr: rate({p}bot_errors_total[5m]) > 0.1
        for: 5m
        labels:
          severity: warning
      - alert: CriticalErrorRate
        expr: rate({p}bot_errors_total[5m]) > 1
        for: 1m
        labels:
          severity: critical
      - alert: ChannelEmpty
        expr: {p}bot_users == 0
        for: 10m
        labels:
          severity: info
"""


# The exporter stack's rules, as its repository ships them.
EXPORTER_RULES = """\
groups:
  - name: rosey_bot
    rules:
      - alert: RoseyBotDown
        expr: rosey_bot_up == 0
        for: 2m
        labels:
          severity: critical
      - alert: RoseyBotDisconnected
        expr: rosey_bot_connected == 0 and rosey_bot_up == 1
        for: 5m
        labels:
          severity: warning
      - alert: RoseyBotHighErrorRate
        expr: rosey_bot_error_rate_percent > 5
        for: 10m
        labels:
          severity: warning
      - alert: RoseyBotCriticalErrorRate
        expr: rosey_bot_error_rate_percent > 10
        for: 5m
        labels:
          severity: critical
      - alert: RoseyBotRestarted
        expr: rosey_bot_uptime_seconds < 300
        for: 1m
        labels:
          severity: info
      - alert: RoseyBotNoUsers
        expr: rosey_bot_channel_users{env="prod"} == 0
        for: 30m
        labels:
          severity: info
      - alert: RoseyBotMetricsStale
        expr: time() - rosey_bot_scrape_timestamp_ms / 1000 > 120
        for: 2m
        labels:
          severity: warning
"""
