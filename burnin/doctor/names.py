"""The names that exist closest to one that does not: how a missing metric, rule, unit or
health field points at the one the configuration should name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


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
