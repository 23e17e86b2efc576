"""The mistakes every layer may name: a configuration the user must fix, a source the observer
cannot ask, a checkpoint asked for before it is due. A leaf: it imports nothing of burnin."""

from __future__ import annotations

import copy


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

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str, str]]:
        """Copied and pickled as made (its message is built from the three)."""
        return type(self), (self.source, self.where, self.cause)


def again(exc: BaseException) -> BaseException:
    """A remembered exception to raise once more (a source's first failure, a measurement shared
    by a fleet's bots): a copy, so each raise has its own traceback. Raised as is, one object
    gains every raise's frames: the 1,900th test of a 100-bot run whose SSH host refused carried
    a traceback of thousands of frames, and pytest's reading of them made the run 39.6 s instead
    of 8.6 s. An exception that cannot be copied is raised with its traceback cleared instead."""
    try:
        fresh = copy.copy(exc)
    except Exception:  # noqa: BLE001 - its type cannot be rebuilt from its args
        fresh = None
    if type(fresh) is not type(exc):
        return exc.with_traceback(None)
    fresh.__cause__, fresh.__context__ = exc.__cause__, exc.__context__  # what it came from
    fresh.__suppress_context__ = exc.__suppress_context__
    return fresh
