"""Read a pytest-html report the robust way: its table data is JSON in a data-jsonblob attribute."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any


def report_blob(path: Path) -> dict[str, Any]:
    text = path.read_text()
    found = re.search(r'data-jsonblob="([^"]*)"', text)
    assert found, f"{path}: no data-jsonblob"
    return json.loads(html.unescape(found.group(1)))


def report_rows(path: Path) -> dict[str, dict[str, str]]:
    """nodeid -> {"result": ..., "band": ...} for every test row of the report."""
    rows = {}
    for nodeid, entries in report_blob(path)["tests"].items():
        for entry in entries:
            cells = entry["resultsTableRow"]
            band = re.sub(r"<[^>]+>", "", cells[2])
            rows[nodeid] = {"result": entry["result"], "band": band}
    return rows
