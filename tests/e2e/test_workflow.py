"""The scheduled workflow (ci/burnin-scheduled.yml): valid against GitHub's workflow schema,
every `run:` step clean under shellcheck, and every `run:` step run here, in order, against the
sandbox, with a recording stand-in for `gh` on PATH."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.e2e.suite_run import ROOT

WORKFLOW = ROOT / "ci" / "burnin-scheduled.yml"
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def steps() -> list[dict[str, object]]:
    document = YAML(typ="safe").load(WORKFLOW.read_text())
    return document["jobs"]["burnin"]["steps"]


def run_steps() -> list[dict[str, object]]:
    return [step for step in steps() if "run" in step]


def test_the_workflow_is_valid_for_github():
    checker = ROOT / ".venv" / "bin" / "check-jsonschema"
    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("script", ["scheduled-run", "post-comment", "gate", "ssh-setup"])
def test_the_step_scripts_pass_shellcheck(script):
    done = subprocess.run(
        ["shellcheck", "-s", "bash", str(ROOT / "ci" / script)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_every_run_step_passes_shellcheck(tmp_path):
    for number, step in enumerate(run_steps()):
        # GitHub fills ${{ }} in before the shell sees the script, as actionlint does.
        body = EXPRESSION.sub("placeholder", str(step["run"]))
        script = tmp_path / f"step{number}.sh"
        script.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + body + "\n")
        done = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout}"


def github_env(tmp_path: Path, info: object) -> dict[str, str]:
    """What the job's env: blocks give the steps, pointed at the sandbox."""
    deployed = (datetime.now(UTC) - timedelta(hours=7)).isoformat(timespec="seconds")
    ssh = tmp_path / "workspace" / ".ssh"
    return {
        **os.environ,
        "BURNIN_TARGET": "sandbox",
        "BURNIN_DEPLOYED_AT": deployed,
        "BURNIN_SSH_KEY": str(ssh / "id_ed25519"),
        "BURNIN_KNOWN_HOSTS": str(ssh / "known_hosts"),
        "BURNIN_SSH_KEY_TEXT": Path(info.ssh_key).read_text(),  # type: ignore[attr-defined]
        "BURNIN_KNOWN_HOSTS_TEXT": Path(info.known_hosts).read_text(),  # type: ignore[attr-defined]
        "BURNIN_REPORTS_DIR": str(tmp_path / "reports"),
        "BURNIN_HISTORY_DB": str(tmp_path / "reports" / "history.sqlite"),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "GITHUB_EVENT_NAME": "workflow_dispatch",
        "BURNIN_INPUT_PHASE": "auto",
        "BURNIN_INPUT_FORCE": "false",
        "SPRINT_ISSUE": "28",
        "RUN_URL": "https://github.example/rosey/actions/runs/1",
        "BURNIN_FAIL_ON": "critical",
    }


def fake_gh(tmp_path: Path) -> Path:
    """A `gh` that records its arguments and the body it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "gh-calls"
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$*" >> {record}\n'
        'while [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then '
        f'cp "$2" {tmp_path / "gh-body"}; fi; shift; done\n'
    )
    gh.chmod(0o755)
    return bin_dir


def outputs(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        key, _, value = line.partition("=")
        found[key] = value
    return found


def run_step(step: dict[str, object], env: dict[str, str], **outputs_: str) -> None:
    """One `run:` step as GitHub runs it: its env: block (with the step outputs it reads)
    over the job's, bash -e, from the checkout."""
    step_env = dict(env)
    for key, value in dict(step.get("env") or {}).items():
        text = str(value)
        for name, found in outputs_.items():
            text = text.replace(f"${{{{ steps.run.outputs.{name} }}}}", found)
        if not EXPRESSION.search(text):
            step_env[key] = text
    done = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=ROOT, env=step_env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, f"{step.get('name')}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"


@pytest.mark.sandbox
@pytest.mark.scenario("healthy")
def test_every_run_step_runs_against_the_sandbox_and_posts_the_report(sandbox_up, tmp_path):
    info = sandbox_up("healthy")
    env = github_env(tmp_path, info)
    env["PATH"] = f"{fake_gh(tmp_path)}:{env['PATH']}"
    names = [str(step.get("name")) for step in run_steps()]
    assert names == [
        "Install burnin (the venv only)",
        "SSH key and pinned host keys",
        "Run the burn-in",
        "Post the report to the sprint issue",
        "Fail the job on the run's state",
    ]
    for step in run_steps():
        run_step(step, env, **outputs(Path(env["GITHUB_OUTPUT"])))
    found = outputs(Path(env["GITHUB_OUTPUT"]))
    assert found["phase"] == "6h", found  # deployed 7 h ago: the 6 h checkpoint is due
    assert found["status"] in ("0", "1"), found  # healthy: OK, or WARNING for the sign-off
    reports = Path(env["BURNIN_REPORTS_DIR"])
    for pattern in ("*.html", "*.md", "*.xml", "*.json"):  # the artifact's paths
        assert list(reports.glob(pattern)), pattern
    calls = (tmp_path / "gh-calls").read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("issue comment 28 --body-file ")
    body = (tmp_path / "gh-body").read_text()
    assert body.startswith((reports / "latest.md").read_text())
    assert body.rstrip().endswith("https://github.example/rosey/actions/runs/1")

    # The next hourly run: the 6 h checkpoint is done, 12 h not due: smoke checks, no comment.
    Path(env["GITHUB_OUTPUT"]).unlink()
    env.update(GITHUB_EVENT_NAME="schedule", BURNIN_SCHEDULE="7 * * * *")
    run_step(run_steps()[2], env)
    assert outputs(Path(env["GITHUB_OUTPUT"]))["phase"] == "smoke"
    run_step(run_steps()[3], env, phase="smoke")
    assert len((tmp_path / "gh-calls").read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("fail_on", "state", "fails"),
    [
        ("critical", "0", False),
        ("critical", "1", False),
        ("critical", "2", True),
        ("critical", "3", False),
        ("degraded", "1", True),
        ("degraded", "3", True),
        ("critical", "4", True),  # a usage error (exit 4): never a green job
    ],
)
def test_the_gate_fails_the_job_by_the_state(fail_on, state, fails):
    done = subprocess.run(
        [str(ROOT / "ci" / "gate"), state],
        env={**os.environ, "BURNIN_FAIL_ON": fail_on}, capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode != 0) == fails, done.stdout + done.stderr


def test_shellcheck_is_installed_by_ci_install():
    assert shutil.which("shellcheck"), "ci/install installs the shellcheck package"
