"""Which phase markers a `-m` expression selects, decided before any test is collected (on
pytest-xdist's controller, which collects nothing). The grammar is pytest's for marker names:
`not`, `and`, `or` and parentheses over names (`checkpoint_6h or smoke`); a test of the suite
carries exactly one phase marker, so each name is true for its phase's tests only."""

from __future__ import annotations

import re

TOKEN = re.compile(r"\s*(\(|\)|[\w.+-]+)")


class ExpressionError(ValueError):
    """Not an expression of marker names."""


def selects(expression: str, marker: str) -> bool:
    """Whether `expression` selects a test that carries `marker` and no other marker."""
    tokens = _tokens(expression)
    value, rest = _or(tokens, marker)
    if rest:
        raise ExpressionError(f"unexpected {rest[0]!r}")
    return value


def _tokens(expression: str) -> list[str]:
    found, at = [], 0
    while at < len(expression.rstrip()):
        match = TOKEN.match(expression, at)
        if match is None:
            raise ExpressionError(f"unexpected character {expression[at:].strip()[:1]!r}")
        found.append(match.group(1))
        at = match.end()
    if not found:
        raise ExpressionError("empty expression")
    return found


def _or(tokens: list[str], marker: str) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, marker)
    while tokens and tokens[0] == "or":
        right, tokens = _and(tokens[1:], marker)
        value = value or right
    return value, tokens


def _and(tokens: list[str], marker: str) -> tuple[bool, list[str]]:
    value, tokens = _not(tokens, marker)
    while tokens and tokens[0] == "and":
        right, tokens = _not(tokens[1:], marker)
        value = value and right
    return value, tokens


def _not(tokens: list[str], marker: str) -> tuple[bool, list[str]]:
    if not tokens:
        raise ExpressionError("expression ends too early")
    head = tokens[0]
    if head == "not":
        value, rest = _not(tokens[1:], marker)
        return not value, rest
    if head == "(":
        value, rest = _or(tokens[1:], marker)
        if not rest or rest[0] != ")":
            raise ExpressionError("missing )")
        return value, rest[1:]
    if head in ("and", "or", ")"):
        raise ExpressionError(f"unexpected {head!r}")
    return head == marker, tokens[1:]
