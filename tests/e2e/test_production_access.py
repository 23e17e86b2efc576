"""A stranger's production: the healthy sandbox behind real plumbing (`up --front`: Prometheus's
own TLS, basic auth and route prefix; nginx serving the health endpoint over HTTPS with a client
certificate and Alertmanager behind a bearer token; a bastion sshd for ProxyJump with a hashed
known_hosts). Configured right, the 24 h checkpoint passes with nothing but the sign-off
pending; configured wrong, every source it could not ask is SOURCE_ERROR with its one line,
the run's state UNKNOWN and its decision CANNOT DECIDE in every artefact, never a rollback;
no secret reaches any artefact or the terminal."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from burnin.sandbox import bastion
from burnin.sandbox.paths import default_layout
from tests.e2e.suite_run import SuiteRun, run_suite

pytestmark = [pytest.mark.sandbox, pytest.mark.scenario("healthy-front")]

PASSING = {"target", "acceptable", "skipped", "pending"}


@pytest.fixture
def front(sandbox_up: Any) -> dict[str, str]:
    info = sandbox_up("healthy", front=True)
    return dict(info.front)


def access_args(front: dict[str, str], **wrong: str) -> list[str]:
    """Every source through the plumbing, each set as the README says; `wrong` replaces one."""
    layout = default_layout()
    settings = {
        "prometheus-url": front["prometheus_tls_url"],
        "prometheus-ca-file": front["ca_file"],
        "prometheus-username": front["prometheus_username"],
        "prometheus-password-file": front["password_file"],
        "health-url": front["health_mtls_url"],
        "health-ca-file": front["ca_file"],
        "health-cert-file": front["client_cert_file"],
        "health-key-file": front["client_key_file"],
        "alertmanager-url": front["alertmanager_bearer_url"],
        "alertmanager-bearer-token-file": front["token_file"],
        "ssh-config": str(bastion.ssh_config_path(layout)),
        "ssh-host": bastion.HOST_ALIAS,
        "ssh-port": "0",
        "ssh-key": "",
        "known-hosts": str(bastion.hashed_known_hosts(layout)),
        **wrong,
    }
    return [f"--{key}={value}" for key, value in settings.items()]


def secrets(front: dict[str, str]) -> list[str]:
    return [
        Path(front[key]).read_text().strip()
        for key in ("password_file", "wrong_password_file", "token_file", "wrong_token_file")
    ]


def artefacts(run: SuiteRun) -> dict[str, Any]:
    reports = run.reports_dir
    return {
        "json": json.loads((reports / "report.json").read_text()),
        "md": (reports / "report.md").read_text(),
        "html": (reports / "report.html").read_text(),
    }


def assert_no_secret_anywhere(run: SuiteRun, tmp_path: Path, front: dict[str, str]) -> None:
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    for secret in secrets(front):
        assert secret not in run.output
        assert not [str(p) for p in written if secret.encode() in p.read_bytes()]


def assert_cannot_decide(run: SuiteRun, tmp_path: Path) -> dict[str, Any]:
    found = artefacts(run)
    summary = found["json"]
    assert summary["overall"] == "UNKNOWN" and summary["decision"] == "CANNOT DECIDE", summary
    assert "roll back" not in summary["recommendation"].lower().replace("a rollback", "")
    assert "### Overall Status: ❓ UNKNOWN" in found["md"]
    assert "Cannot decide: the observer could not ask" in found["md"]
    assert 'id="burnin-decision">CANNOT DECIDE<' in found["html"]
    suite = {
        p.get("name"): p.get("value")
        for p in ET.parse(tmp_path / "junit.xml").getroot().iter("property")
        if (p.get("name") or "").startswith("burnin_")
    }
    assert suite["burnin_overall"] == "UNKNOWN" and suite["burnin_decision"] == "CANNOT DECIDE"
    with sqlite3.connect(tmp_path / "history.sqlite") as db:
        assert db.execute("SELECT state, decision FROM runs").fetchall() == [
            ("UNKNOWN", "CANNOT DECIDE")
        ]
    assert "burnin decision: CANNOT DECIDE" in run.output
    return summary


def test_healthy_production_behind_tls_auth_and_a_bastion_passes_its_24h_checkpoint(
    front, tmp_path
):
    run = run_suite(
        tmp_path,
        *access_args(front),
        f"--history-db={tmp_path / 'history.sqlite'}",
        marker="checkpoint_24h",
    )
    failed = {k: v for k, v in run.bands.items() if v not in PASSING}
    assert not failed, run.output[-4000:]
    assert run.bands["sign-off[24h]"] == "pending"
    assert [k for k, v in run.bands.items() if v == "pending"] == ["sign-off[24h]"]
    assert run.bands["health-up[24h]"] == "target" and run.bands["alerts[24h]"] == "target"
    assert run.bands["service-active[24h]"] == "target"  # over SSH, through the bastion
    assert run.bands["monitoring-operational[24h]"] == "target"
    summary = artefacts(run)["json"]
    assert summary["decision"] == "AWAITING SIGN-OFF"  # the sign-off alone
    assert summary["overall"] == "HEALTHY"
    assert_no_secret_anywhere(run, tmp_path, front)


def test_untrusted_certificates_and_a_wrong_token_cannot_decide(front, tmp_path):
    """No CA configured for Prometheus and the health endpoint, a wrong bearer token for
    Alertmanager: every HTTP row is the observer's failure; SSH still answers."""
    run = run_suite(
        tmp_path,
        *access_args(
            front,
            **{
                "prometheus-ca-file": "",
                "health-ca-file": "",
                "alertmanager-bearer-token-file": front["wrong_token_file"],
            },
        ),
        f"--history-db={tmp_path / 'history.sqlite'}",
        "--send-test-alert",
        marker="checkpoint_24h",
    )
    assert run.bands["uptime[24h]"] == "source_error", run.output[-3000:]
    assert "set prometheus_ca_file (or ca_file for every source)" in run.messages["uptime[24h]"]
    assert run.bands["health-up[24h]"] == "source_error"
    assert "set health_ca_file (or ca_file for every source)" in run.messages["health-up[24h]"]
    assert run.bands["health-latency[24h]"] == "source_error"
    assert run.bands["alerts-functional[24h]"] == "source_error"
    assert "alertmanager_bearer_token_file" in run.messages["alerts-functional[24h]"]
    assert run.bands["service-active[24h]"] == "target"
    assert not {k for k, v in run.bands.items() if v in ("critical", "degraded")}
    summary = assert_cannot_decide(run, tmp_path)
    assert "prometheus at https://127.0.0.1" in summary["recommendation"]
    assert_no_secret_anywhere(run, tmp_path, front)


def test_a_wrong_password_a_missing_client_certificate_and_a_wrong_bastion_key_cannot_decide(
    front, tmp_path
):
    wrong_key = _wrong_bastion_key(tmp_path, default_layout())
    run = run_suite(
        tmp_path,
        *access_args(
            front,
            **{
                "prometheus-password-file": front["wrong_password_file"],
                "health-cert-file": "",
                "health-key-file": "",
                "known-hosts": str(wrong_key),
            },
        ),
        f"--history-db={tmp_path / 'history.sqlite'}",
        marker="checkpoint_24h",
    )
    assert run.bands["uptime[24h]"] == "source_error", run.output[-3000:]
    assert "refused the credentials (HTTP 401)" in run.messages["uptime[24h]"]
    assert run.bands["health-up[24h]"] == "source_error"
    assert "health_cert_file" in run.messages["health-up[24h]"]
    assert run.bands["service-active[24h]"] == "source_error"
    assert "bastion" in run.messages["service-active[24h]"]
    assert "SHA256:" in run.messages["service-active[24h]"]
    assert_cannot_decide(run, tmp_path)
    assert_no_secret_anywhere(run, tmp_path, front)


def _wrong_bastion_key(tmp_path: Path, layout: Any) -> Path:
    """The sandbox's known_hosts with the bastion's key replaced by another ed25519 key."""
    import subprocess

    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    kind, blob = other.with_suffix(".pub").read_text().split()[:2]
    lines = []
    for line in layout.known_hosts.read_text().splitlines():
        hosts = line.split()[0] if line.strip() else ""
        if f":{bastion.BASTION_PORT}" in hosts:
            line = f"{hosts} {kind} {blob}"
        lines.append(line)
    path = tmp_path / "known_hosts_wrong_bastion"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_doctor_reaches_every_source_through_the_plumbing_and_names_the_fix_when_it_cannot(front):
    """`burnin doctor` takes the same access options as the suite: configured right, every
    check is ok (nothing not checked); without the CA, its one line names the setting to set."""
    from tests.e2e.test_doctor import doctor

    right = doctor("--target", "sandbox", *access_args(front))
    assert right.returncode == 0, right.stdout + right.stderr
    assert "not checked" in right.stdout.splitlines()[-1]
    assert " 0 missing, 0 not checked" in right.stdout.splitlines()[-1], right.stdout
    wrong = doctor("--target", "sandbox", *access_args(front, **{"prometheus-ca-file": ""}))
    assert wrong.returncode == 1
    assert "fix: set prometheus_ca_file (or ca_file for every source)" in wrong.stdout
    for secret in secrets(front):
        assert secret not in right.stdout + right.stderr + wrong.stdout + wrong.stderr
