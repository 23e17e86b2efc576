"""burnin.runtime: the collector and allocator set for a long run (in a fresh interpreter: the
settings are the process's)."""

import platform

from burnin.runtime import YOUNG_THRESHOLD
from tests.conftest import fresh_python


def test_a_long_run_freezes_what_exists_and_collects_less_often() -> None:
    probe = (
        "import gc; from burnin.runtime import settle_for_a_long_run as s; took = s(); "
        "print(took, gc.get_threshold()[0], gc.get_freeze_count() > 1000)"
    )
    printed = fresh_python(probe)
    took, young, frozen = printed.split()
    assert (int(young), frozen) == (YOUNG_THRESHOLD, "True"), printed
    on_glibc = platform.libc_ver()[0] == "glibc"
    assert took == str(on_glibc), f"glibc: {on_glibc}; mallopt took both settings: {took}"
