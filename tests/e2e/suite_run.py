"""Run the production suite against the sandbox in a subprocess, the way a user runs it, and
read back each test's band from the JUnit XML it writes."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALL_PHASES = "smoke or checkpoint_6h or checkpoint_12h or checkpoint_24h"


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    output: str
    bands: dict[str, str]  # "uptime[24h]" -> "degraded"
    outcomes: dict[str, str]  # "uptime[24h]" -> passed / failed / error / skipped
    messages: dict[str, str]
    reports_dir: Path
    # Every test by its whole id, a fleet's bot kept: "uptime[bot-3-24h]" -> (band, outcome).
    by_id: dict[str, tuple[str, str]]


def run_suite(
    tmp: Path,
    *args: str,
    marker: str = ALL_PHASES,
    timeout: float = 180,
    env: Mapping[str, str] | None = None,
) -> SuiteRun:
    junit = tmp / "junit.xml"
    reports = tmp / "reports"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        marker,
        "--target",
        "sandbox",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",  # a dev plugin the suite does not use: 0.6 s of imports a run
        f"--junitxml={junit}",
        # The record and its history in the test's own folder: never the checkout's reports/
        # (a developer's own runs' history), never another test's.
        f"--reports-dir={reports}",
        f"--html={reports / 'report.html'}",
        "--self-contained-html",
        *args,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        # What the run had printed, a faulthandler dump included (-o faulthandler_timeout=N):
        # where a hang hung, in the CI log.
        output = "\n".join(
            text.decode(errors="replace") if isinstance(text, bytes) else text or ""
            for text in (exc.stdout, exc.stderr)
        )
        raise AssertionError(
            f"the suite ran over {timeout:g} s; its output:\n{output[-20000:]}"
        ) from None
    bands, outcomes, messages, by_id = {}, {}, {}, {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = case.get("name", "")
            criterion, _, rest = name.removeprefix("test_").partition("[")
            key = f"{criterion.replace('_', '-')}[{rest.rstrip(']').split('-')[-1]}]"
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            bands[key] = props.get("band", "")
            outcome = "passed"
            for tag in ("failure", "error", "skipped"):
                found = case.find(tag)
                if found is not None:
                    outcome = {"failure": "failed"}.get(tag, tag)
                    messages[key] = found.get("message", "")
            outcomes[key] = outcome
            by_id[f"{criterion.replace('_', '-')}[{rest}"] = (bands[key], outcome)
    output = done.stdout + done.stderr
    return SuiteRun(done.returncode, output, bands, outcomes, messages, reports, by_id)
