"""Start-up imports only what it needs: loading the production suite's plugins (the root and
tests_production conftests, fixtures/) and collecting a checkpoint imports no SSH, HTTP or
plotting library; each is imported by the first request that needs it (burnin.lazy). Checked
in a fresh interpreter, by what it holds in sys.modules: no time is measured here (ci/bench
compares start-up with a bare pytest run)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from burnin.lazy import lazy_module
from tests.conftest import ROOT, fresh_python

# Imported by a run's first SSH command or HTTP request, never by start-up or collection.
NOT_AT_START = (
    "fabric",
    "paramiko",
    "invoke",
    "matplotlib",
    "requests",
    "urllib3",
    "prometheus_api_client",
)

LISTING = """
import json, sys
import pytest
code = pytest.main(sys.argv[1:])
print(json.dumps({"code": int(code), "modules": sorted(sys.modules)}))
"""


def started(*args: str) -> tuple[int, set[str]]:
    """A fresh interpreter runs pytest with `args` from the project's root: its exit code and
    the top-level packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", LISTING, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert last.startswith("{"), f"no listing printed:\n{done.stdout}\n{done.stderr}"
    answer = json.loads(last)
    return answer["code"], {name.partition(".")[0] for name in answer["modules"]}


def test_importing_the_plugins_imports_no_network_or_plotting_library():
    code = (
        "import json, sys\n"
        "import fixtures.config, fixtures.sources, fixtures.gather, fixtures.verdicts\n"
        "import fixtures.report, fixtures.history, fixtures.workers\n"
        "import conftest, tests_production.conftest\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    imported = {name.partition(".")[0] for name in json.loads(fresh_python(code))}
    assert not imported & set(NOT_AT_START), (
        f"imported by start-up: {sorted(imported & set(NOT_AT_START))}"
    )


@pytest.mark.parametrize(
    "target",
    [
        ["--target=sandbox"],
        # `--target X`: pytest takes X for a path before the plugin's options exist, and loads
        # the conftest of every test* folder, the project tests' too (tests/conftest.py).
        ["--target", "sandbox"],
    ],
)
def test_collecting_a_checkpoint_imports_no_network_or_plotting_library(target):
    code, imported = started(
        "--collect-only", "-q", "-m", "checkpoint_24h", *target,
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
    )  # fmt: skip
    assert code == 0
    assert "fixtures" in imported  # the plugins were loaded
    unwanted = set(NOT_AT_START) | {"hypothesis"}  # a dev library: the project tests' only
    assert not imported & unwanted, f"imported by start-up: {sorted(imported & unwanted)}"


def test_a_lazy_module_is_imported_by_its_first_use():
    code = (
        "import sys\n"
        "from burnin.lazy import lazy_module\n"
        "tomllib = lazy_module('tomllib')\n"
        "before = 'tomllib' in sys.modules\n"
        "assert tomllib.loads('a = 1') == {'a': 1}\n"
        "print(before, 'tomllib' in sys.modules)\n"
    )
    assert fresh_python(code).split() == ["False", "True"]
    assert "imported when first used" in repr(lazy_module("json"))


def test_a_run_imports_what_its_criteria_ask_with_before_the_gathering_starts():
    code = (
        "import json, sys\n"
        "from burnin.gather import import_ahead\n"
        "seen = []\n"
        "for criteria in ([], ['service-active'], ['uptime']):\n"
        "    import_ahead(criteria)\n"
        "    seen.append([m in sys.modules for m in ('burnin.criteria.host', 'fabric', "
        "'prometheus_api_client')])\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Every criteria module at once; the SSH libraries for an SSH criterion, Prometheus's for one
    # of Prometheus's.
    assert json.loads(done.stdout) == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
