"""The selector to propose when the bot's series carry other labels than the configured
selector names: the current one changed just enough to find the bot's own metrics (and its
process_* metrics with them), never another bot's series. Plain functions of label sets: what
Prometheus holds is asked by burnin.doctor.metrics."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from burnin.config import Target
from burnin.promql import BOT_METRICS, PROCESS_METRICS, Matcher, parse_selector, selects


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
        if m.matches(labels) or m.label in fixed:
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
    kept = [m for m in selector if m.label in fixed or (m.matches(first) and m.matches(second))]
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


def selector_setting(target: Target, selector: Sequence[Matcher]) -> str:
    """The `selector = '...'` line: for a bot of a fleet, its instance written `{instance}`."""
    shown = []
    for m in selector:
        if target.instance and m.value == target.instance and "{instance}" in target.fleet_selector:
            shown.append(f'{m.label}{m.op}"{{instance}}"')
        else:
            shown.append(str(m))
    text = ", ".join(shown)
    return f"selector = '{text}'" if "'" not in text else f"selector = {json.dumps(text)}"


def labels_text(labels: Mapping[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def fleet_labels(target: Target) -> frozenset[str]:
    """The labels a fleet's selector names each bot by (`instance="{instance}"`)."""
    if not target.fleet_selector:
        return frozenset()
    matchers = parse_selector(target.fleet_selector)
    return frozenset(m.label for m in matchers if "{instance}" in m.value)


@dataclass
class Where:
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


def choose_selector(
    current: tuple[Matcher, ...],
    where: Where,
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
    near = near_process(where, process, bot_labels[:20])[:50]
    for both in {shared(best, b, p, fixed) for b in bot_labels[:20] for p in near}:
        if all(ls in bot_labels for ls in all_bot if selects(both, ls)):
            candidates.add(both)
    best = max(sorted(candidates, key=selector_text), key=score)
    now, then = score(current), score(best)
    if best != current and then[0] >= 1 and then[:2] > now[:2]:
        return best
    return current


def near_process(
    where: Where, process: list[str], bot_labels: list[dict[str, str]]
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
