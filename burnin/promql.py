"""PromQL text built from configuration, with every label value escaped."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    value: str  # unescaped

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{escape_label_value(self.value)}"'

    def accepts(self, value: str) -> bool:
        """Whether a label of this value satisfies the matcher (regexes anchored, as
        Prometheus's are). A regex Python cannot read accepts: a matcher never hides an alert."""
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        try:
            found = re.fullmatch(self.value, value) is not None
        except re.error:
            return True
        return found == (self.op == "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a series of these labels satisfies the matcher: its value of the label, ""
        when it has none (Prometheus drops an empty label, so absent and empty are one)."""
        return self.accepts(labels.get(self.label, ""))


def selects(selector: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether the selector picks a series of these labels, as Prometheus does: every matcher
    matches. scope_of applies the same rule matcher by matcher: a series the selector selects is
    exactly one whose scope refuses nothing and misses nothing."""
    return all(m.matches(labels) for m in selector)


@dataclass(frozen=True)
class Scope:
    """How a series of a question about the whole Prometheus (a firing alert) stands to a
    target's selector: the selector's labels it carries with a value the selector refuses (it
    is another system's: staging, another instance, another bot of the fleet), and the
    selector's labels it does not carry (a rule that aggregated them away)."""

    refused: tuple[Matcher, ...]  # env="staging": the series' own labels the selector refuses
    missing: tuple[str, ...]  # the selector's labels the series does not carry

    @property
    def elsewhere(self) -> bool:
        """Another system's: never counted for the target."""
        return bool(self.refused)

    @property
    def labels(self) -> str:
        """`{env="staging"}`: what tells another system's series apart."""
        return "{" + ",".join(str(m) for m in self.refused) + "}"

    @property
    def note(self) -> str:
        """Empty for the target's own; else what a report says of the series."""
        if self.refused:
            return f"not this target's: {self.labels}"
        if self.missing:
            return f"not scoped to this target (no {', '.join(self.missing)} label)"
        return ""


def scope_of(selector: Sequence[Matcher], labels: Mapping[str, str]) -> Scope:
    """The one rule for which alerts are the target's (a fleet's bot is a target whose selector
    names its instance): a series carrying a selector label with a value the selector refuses
    is another system's; one carrying every selector label, each accepted, is the target's own;
    one carrying none or only some of them (each accepted) is counted, marked not scoped. An
    empty value is no label (Prometheus drops it)."""
    refused: dict[str, Matcher] = {}
    missing: list[str] = []
    for matcher in selector:
        if matcher.matches(labels):
            continue
        value = labels.get(matcher.label, "")
        if not value:
            # Absent satisfies env!="staging" (and env=~".*"): only a label the selector
            # requires is missing.
            if matcher.label not in missing:
                missing.append(matcher.label)
        elif matcher.label not in refused:
            refused[matcher.label] = Matcher(matcher.label, "=", value)
    return Scope(tuple(refused.values()), tuple(missing))


def parse_selector(text: str) -> tuple[Matcher, ...]:
    """`env="production", job=~"rosey.*"` -> matchers. Raises ValueError on anything else."""
    text = text.strip().removeprefix("{").removesuffix("}")
    matchers: list[Matcher] = []
    position = 0
    while position < len(text.rstrip()):
        found = _MATCHER.match(text, position)
        if not found:
            raise ValueError(
                f'expected label matchers like env="production", got {text[position:]!r}'
            )
        raw = found.group(3)
        value = re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), raw)
        matchers.append(Matcher(found.group(1), found.group(2), value))
        position = found.end()
    return tuple(matchers)


# The contract's metric names (CONTRACT.md): what a deployment's names are mapped from.
BOT_METRICS = (
    "bot_connected",
    "bot_uptime_seconds",
    "bot_users",
    "bot_requests_total",
    "bot_errors_total",
)
PROCESS_METRICS = (
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "process_start_time_seconds",
)
CONTRACT_METRICS = (*BOT_METRICS, *PROCESS_METRICS)


@dataclass(frozen=True)
class FleetMember:
    """One bot of a fleet whose selector tells its bots apart by one label (`instance="bot-3"`
    of `instance="{instance}"`): a question about this bot is asked about the whole fleet at
    once (`instance=~"bot-1|bot-2|bot-3"`, aggregated `by (instance)`), so a fleet's run asks
    Prometheus as many questions as one bot's; each bot keeps its own series of the answer."""

    own: Matcher  # instance="bot-3"
    members: tuple[str, ...]  # every bot's value of the label

    @property
    def label(self) -> str:
        return self.own.label

    @cached_property
    def fleet(self) -> Matcher:
        """Made once: every question a bot asks widens to it (a 100-bot fleet's bots, tens of
        questions each)."""
        return Matcher(self.label, "=~", "|".join(re.escape(m) for m in self.members))

    def widen(self, query: str) -> str:
        """The query about the whole fleet: this bot's matcher, wherever a selector written by
        Metrics.series holds it, replaced by the fleet's."""
        own = re.escape(str(self.own))
        return re.sub(rf"(?<=[{{,]){own}(?=[,}}])", lambda _: str(self.fleet), query)

    def mine(self, labels: Mapping[str, str]) -> bool:
        return labels.get(self.label) == self.own.value


# The label that says which scrape job took a sample, not what it measures.
SCRAPE_LABEL = "job"
# The step at which total_over reads a bot's counter once per moment across its scrape jobs:
# the contract's scrape interval (a longer interval's samples are read more than once; a counter
# loses nothing to that).
COPIES_STEP = "15s"


@dataclass(frozen=True)
class Metrics:
    """One deployment's metric names. `names` maps a contract name to the deployment's; the
    prefix applies to the bot's own `bot_*` names only (client libraries export the standard
    `process_*` metrics under their standard names); the selector applies to all of them."""

    selector: tuple[Matcher, ...]
    prefix: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    member: FleetMember | None = None  # a bot of a fleet asked about together

    def agg(self, op: str) -> str:
        """An aggregation over this bot's series: `sum`, or `sum by (instance)` for a bot of a
        fleet asked about together (each bot's own total stays apart in the fleet's answer)."""
        return f"{op} by ({self.member.label})" if self.member else op

    def total(self, per_series: str) -> str:
        """This bot's total of `per_series`, an expression over its series and a short range
        (`rate(x[5m])`, `min_over_time(x[2m])`), each of its series counted once. Two scrape
        jobs of one bot (a static job beside a Kubernetes pod job) hold every series twice, told
        apart by `job` only: summed, they count twice (a healthy bot's users doubled, its errors
        too). `max without (job)` first keeps one of each; the other labels, a metric's own
        dimensions, are summed as before. Left out when the selector names the job or a fleet's
        bots are told apart by it: then every series of the bot is one job's already. For a
        whole window use total_over: a job label that changed inside it leaves two series one
        after the other, and the larger of their counts is not the window's."""
        if not self.jobs_may_repeat:
            return f"{self.agg('sum')}({per_series})"
        return f"{self.agg('sum')}(max without ({SCRAPE_LABEL})({per_series}))"

    def total_over(self, func: str, series: str, seconds: int) -> str:
        """This bot's `func` (increase, resets, changes) of `series` over `seconds`, each moment
        counted once: `max without (job)` at every COPIES_STEP of a subquery, `func` over that.
        Copies under two jobs count once, and a job label that changed in the window (two series
        one after the other) counts whole, as the sum of their counts did."""
        if not self.jobs_may_repeat:
            return f"{self.agg('sum')}({func}({series}[{seconds}s]))"
        once = f"(max without ({SCRAPE_LABEL})({series}))[{seconds}s:{COPIES_STEP}]"
        return f"{self.agg('sum')}({func}({once}))"

    @property
    def jobs_may_repeat(self) -> bool:
        """Whether this bot's series may be held once per scrape job: not when the selector
        names the job (`job="rosey-bot"`) or a fleet's bots are told apart by it."""
        pinned = any(m.label == SCRAPE_LABEL and m.op == "=" for m in self.selector)
        return not pinned and (self.member is None or self.member.label != SCRAPE_LABEL)

    def name(self, contract_name: str) -> str:
        """`bot_connected` -> `rosey_bot_connected` (prefix "rosey_" or an explicit mapping)."""
        if contract_name in self.names:
            return self.names[contract_name]
        if contract_name.startswith("bot_"):
            return self.prefix + contract_name
        return contract_name

    def series(self, contract_name: str, extra: tuple[Matcher, ...] = ()) -> str:
        """`bot_connected` -> `bot_connected{env="production"}` under this deployment's names."""
        matchers = ",".join(str(m) for m in (*self.selector, *extra))
        return f"{self.name(contract_name)}{{{matchers}}}"


def fleet_member(
    template: str, matchers: tuple[Matcher, ...], instances: tuple[str, ...], instance: str
) -> FleetMember | None:
    """The bot's place in its fleet when the fleet's selector `template` tells the bots apart by
    exactly one matcher `label="{instance}"`; None otherwise (each bot is then asked alone)."""
    slots = [m for m in parse_selector(template) if "{instance}" in m.label + m.value]
    if len(slots) != 1 or slots[0].op != "=" or slots[0].value != "{instance}":
        return None
    own = next((m for m in matchers if m.label == slots[0].label and m.op == "="), None)
    if own is None or own.value != instance:
        return None
    return FleetMember(own, instances)
