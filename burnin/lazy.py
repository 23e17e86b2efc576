"""Third-party modules imported when first used, not when burnin is imported: a listing
(`pytest --co`) and every run's start-up pay nothing for them, and a run pays only for the
sources it asks (fabric, paramiko and invoke cost ~0.1 s to import; requests and urllib3
~0.05 s). A run imports what its selected criteria's sources need on the main thread just
before the gathering starts (gather.import_ahead): imported from the gathering's threads, each
import held the GIL while the other threads' answers waited.

    if TYPE_CHECKING:
        import paramiko
    else:
        paramiko = lazy_module("paramiko")

The type checker sees the module; at run time `paramiko.SSHException` imports paramiko on first
use (importlib: once, and safe from several threads at a time). A leaf: imports nothing of
burnin's."""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module `name` until an attribute is asked: then imports it (once: later
    asks read sys.modules) and answers with the module's attribute."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<{self._name}, imported when first used>"


def lazy_module(name: str) -> Any:
    """The module `name`, imported when its first attribute is asked."""
    return LazyModule(name)
