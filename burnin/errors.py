"""The mistakes every layer may name: a configuration the user must fix, a source the observer
cannot ask, a checkpoint asked for before it is due. A leaf: it imports nothing of burnin."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration mistake, worded for the person who made it."""


class NotDue(ConfigError):
    """A checkpoint asked for before it is due (its window has not ended yet)."""


class SourceError(Exception):
    """A data source could not be asked: the observer is broken, not the service."""

    def __init__(self, source: str, where: str, cause: str) -> None:
        super().__init__(f"{source} at {where}: {cause}")
        self.source = source
        self.where = where
        self.cause = cause
