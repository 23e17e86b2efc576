"""A fleet split over two shards (`--shard 1/2`, `--shard 2/2`) and joined by `python -m burnin
merge` writes the record one unsharded run writes: JSON, Markdown, HTML, JUnit XML and history
rows equal but for run times, durations and paths (tests/shards.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from burnin.sandbox.history import fleet_instances
from tests.e2e.suite_run import ROOT
from tests.shards import record

BOTS = 4


def _run(reports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, f"--reports-dir={reports}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "BURNIN_VALIDATOR": "ci"},
    )  # fmt: skip


@pytest.mark.sandbox
def test_two_shards_merged_are_the_unsharded_run(fleet, tmp_path):
    at = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    suite = [
        "-m", "pytest", "-m", "checkpoint_24h", "--target", "sandbox", "-p", "no:cacheprovider",
        "--instances", ",".join(fleet_instances(BOTS)),
        "--selector", 'env="production", instance="{instance}"', f"--at={at}",
    ]  # fmt: skip
    whole = _run(tmp_path / "whole", *suite)
    assert "88 passed" in whole.stdout, whole.stdout[-3000:] + whole.stderr[-3000:]
    shards = [_run(tmp_path / f"shard-{i}", *suite, f"--shard={i}/2") for i in (1, 2)]
    for i, shard in enumerate(shards, 1):
        assert f"burnin shard {i}/2: 2 bots" in shard.stdout, shard.stdout[-3000:]
        assert shard.returncode == whole.returncode, shard.stdout[-3000:]
    merged = _run(
        tmp_path / "merged", "-m", "burnin", "merge",
        *(str(tmp_path / f"shard-{i}" / "latest.json") for i in (2, 1)),
    )  # fmt: skip
    assert merged.returncode == whole.returncode, merged.stdout[-3000:] + merged.stderr[-3000:]
    expected, found = record(tmp_path / "whole"), record(tmp_path / "merged")
    # Row by row first: a difference names its criterion, bot and phase (seen once in a full
    # ci/test run, never alone; the whole record's diff hid which row it was).
    rows = zip(found["json"]["criteria"], expected["json"]["criteria"], strict=True)
    for merged_row, whole_row in rows:
        assert merged_row == whole_row
    for part in expected:
        assert found[part] == expected[part], part
    # Each shard's record says it is one, in every artefact, and is no fleet's checkpoint.
    shard_two = tmp_path / "shard-2"
    assert "Shard 2/2 of the fleet only" in (shard_two / "latest.md").read_text()
    assert '"shard": "2/2"' in (shard_two / "latest.json").read_text()
    assert 'name="burnin_shard" value="2/2"' in (shard_two / "latest.xml").read_text()
    assert 'id="burnin-shard"' in (shard_two / "latest.html").read_text()
    assert record(shard_two)["history"][0][-2] == "2/2"
