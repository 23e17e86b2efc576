"""Report names: two runs started in the same second never share one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from burnin.files import copy_atomic, reserve_stem, write_atomic


def test_the_same_second_twice_gets_two_names(tmp_path: Path):
    first = reserve_stem(tmp_path, "20261130T040000Z-prod")
    second = reserve_stem(tmp_path, "20261130T040000Z-prod")
    assert (first, second) == ("20261130T040000Z-prod", "20261130T040000Z-prod-2")
    assert (tmp_path / f"{second}.html").exists()


def test_runs_reserving_at_once_all_get_their_own_name(tmp_path: Path):
    names: list[str] = []
    threads = [
        threading.Thread(target=lambda: names.append(reserve_stem(tmp_path, "same")))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(names)) == 16


def test_a_planted_link_is_never_followed(tmp_path: Path):
    target = tmp_path / "elsewhere"
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "stem.html").symlink_to(target)
    assert reserve_stem(tmp_path / "reports", "stem") == "stem-2"
    assert not target.exists()


def test_every_file_of_the_record_is_0666_under_the_umask(tmp_path: Path):
    """The reserved name (pytest-html writes the HTML into it, keeping its mode) and every file
    written or copied: read-write as the umask allows, never executable."""
    previous = os.umask(0o022)
    try:
        stem = reserve_stem(tmp_path, "stem")
        write_atomic(tmp_path / "stem.md", b"x")
        copy_atomic(tmp_path / "stem.md", tmp_path / "latest.md")
    finally:
        os.umask(previous)
    for name in (f"{stem}.html", "stem.md", "latest.md"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name
