"""PromQL text built from configuration, with every label value escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Metrics:
    """The bot's metric names for one deployment: prefix and selector are configuration."""

    selector: tuple[Matcher, ...]
    prefix: str = ""

    def series(self, name: str, extra: tuple[Matcher, ...] = (), prefixed: bool = True) -> str:
        """`bot_connected` -> `bot_connected{env="production"}` (with the deployment's prefix;
        `prefixed=False` for Prometheus' own series such as `up`)."""
        matchers = ",".join(str(m) for m in (*self.selector, *extra))
        return f"{self.prefix if prefixed else ''}{name}{{{matchers}}}"
