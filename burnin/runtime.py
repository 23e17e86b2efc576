"""The process's collector and allocator set for a run that holds much for its whole length.

A fleet's run keeps its collected tests, their reports and a day of raw samples per bot alive
until the record is written. Python's cyclic collector walks every live container object each
time its oldest generation is collected: with a 100-bot run's objects that was 2,100
collections and 0.8 s. The tests collected are frozen (never walked again) and collections
are rarer.

glibc's malloc serves a large block (a raw answer's body: 14 MB at 100 bots) from the heap once
a block that size has been freed (its mmap threshold rises to it), where freed memory is seldom
given back; each thread asking also gets an arena of its own. A fixed mmap threshold gives large
blocks back to the system when freed, and two arenas are enough for the gathering's threads
(measured at 100 bots: peak RSS 330 -> 225 MB). Other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable

# Objects allocated (less freed) before the youngest generation is collected; Python's default
# is 700, for programs whose objects mostly die young.
YOUNG_THRESHOLD = 50_000
# glibc's mallopt parameters (malloc.h).
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, kept fixed
ARENAS = 2


def settle_for_a_long_run() -> bool:
    """Freeze what exists now (collected tests, imported modules; not collected first: that
    walk would cost a one-bot run what it saves), collect less often, and set glibc's
    allocator as above (before the gathering's threads start). True when glibc took both."""
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    mallopt = _glibc_mallopt()
    if mallopt is None:
        return False
    fixed = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    capped = mallopt(M_ARENA_MAX, ARENAS) == 1
    return fixed and capped


def end_of_a_long_run() -> None:
    """The run is over and its record written: what it holds is frozen too, so pytest's
    collection at exit (a search for unraisable exceptions) does not walk it (0.3 s at 100
    bots). Only cycles still unreachable then go uncollected, until the process ends (a
    process that runs pytest again in-process keeps them: `burnin watch` runs each check in a
    process of its own)."""
    gc.freeze()


def _glibc_mallopt() -> Callable[[int, int], int] | None:
    """glibc's mallopt when this process runs on glibc, else None (musl, macOS)."""
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, its C library's among them
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
    except (OSError, AttributeError):
        return None
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt
