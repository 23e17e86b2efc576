"""End to end: the sandbox's front (`up --front`) answers with the right materials and refuses
the wrong ones, and `down` leaves nothing behind. One sandbox for the whole file; the last test
takes it down."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import burnin.sandbox as sandbox
from burnin.sandbox import front
from burnin.sandbox.paths import default_layout
from tests.sandbox.conftest import DAY_OF_SAMPLES

pytestmark = pytest.mark.sandbox

# Where a packaged nginx or a stray daemon would write: none of it may change.
MACHINE_DIRS = ("/run", "/var/log/nginx", "/var/lib/nginx")


def listing(top: str) -> set[str]:
    found = {top}
    for dirpath, dirs, files in os.walk(top):
        found.update(os.path.join(dirpath, n) for n in dirs + files)
    return found


@pytest.fixture(scope="module")
def machine_before() -> dict[str, set[str]]:
    return {top: listing(top) for top in MACHINE_DIRS}


@pytest.fixture(scope="module")
def info(machine_before: dict[str, set[str]]) -> Iterator[sandbox.SandboxInfo]:
    if os.geteuid() != 0:
        pytest.skip("the sandbox host needs root (namespaces, mounts)")
    yield sandbox.up("healthy", front=True)
    sandbox.down()


@pytest.fixture(scope="module")
def f(info: sandbox.SandboxInfo) -> dict[str, str]:
    return info.front


def secret(f: dict[str, str], name: str) -> str:
    return front.read_secret(Path(f[name]))


def bearer(f: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret(f, name)}"}


def test_sandbox_info_names_every_material_and_the_files_exist(info: sandbox.SandboxInfo):
    assert tuple(info.front) == front.FIELDS
    assert sandbox.status() == info  # state.json holds the same, JSON and back
    for name, value in info.front.items():
        if name.endswith("_file"):
            assert Path(value).is_file(), (name, value)


def test_prometheus_over_tls_with_basic_auth_answers_under_the_prefix(f: dict[str, str]):
    auth = (f["prometheus_username"], secret(f, "password_file"))
    answer = requests.get(
        f"{f['prometheus_tls_url']}/api/v1/query",
        params={"query": 'count_over_time(bot_connected{env="production"}[24h])'},
        verify=f["ca_file"],
        auth=auth,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    (series,) = answer.json()["data"]["result"]
    assert float(series["value"][1]) in DAY_OF_SAMPLES, series  # the copied 24 h of history
    outside = f["prometheus_tls_url"].removesuffix("/prometheus") + "/api/v1/query?query=up"
    missed = requests.get(outside, verify=f["ca_file"], auth=auth, timeout=10)
    assert missed.status_code == 404, (outside, missed.status_code)


def test_prometheus_refuses_a_wrong_or_missing_password(f: dict[str, str]):
    url = f"{f['prometheus_tls_url']}/api/v1/query?query=up"
    wrong = (f["prometheus_username"], secret(f, "wrong_password_file"))
    assert requests.get(url, verify=f["ca_file"], auth=wrong, timeout=10).status_code == 401
    assert requests.get(url, verify=f["ca_file"], timeout=10).status_code == 401


@pytest.mark.parametrize("url_field", ["prometheus_tls_url", "health_tls_url", "health_mtls_url"])
def test_tls_servers_fail_verification_against_another_ca(f: dict[str, str], url_field: str):
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f[url_field], verify=f["wrong_ca_file"], timeout=10)
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f[url_field], timeout=10)  # the machine's trust store does not know it


def test_https_health_with_the_ca_gives_the_bots_json(f: dict[str, str]):
    body = requests.get(f["health_tls_url"], verify=f["ca_file"], timeout=10).json()
    assert body["status"] == "healthy" and body["connected"] is True, body


def test_mtls_health_needs_a_client_certificate_of_the_ca(f: dict[str, str]):
    url, ca = f["health_mtls_url"], f["ca_file"]
    cert = (f["client_cert_file"], f["client_key_file"])
    body = requests.get(url, verify=ca, cert=cert, timeout=10).json()
    assert body["status"] == "healthy", body
    none = requests.get(url, verify=ca, timeout=10)
    assert none.status_code == 400 and "No required SSL certificate" in none.text, none.text
    wrong = (f["wrong_client_cert_file"], f["wrong_client_key_file"])
    refused = requests.get(url, verify=ca, cert=wrong, timeout=10)
    assert refused.status_code == 400, refused.text


@pytest.mark.parametrize(
    ("url_field", "path"),
    [
        ("prometheus_bearer_url", "/api/v1/query?query=up"),
        ("alertmanager_bearer_url", "/api/v2/status"),
    ],
)
def test_bearer_servers_answer_the_token_and_refuse_others(
    f: dict[str, str], url_field: str, path: str
):
    url = f[url_field] + path
    answer = requests.get(url, headers=bearer(f, "token_file"), timeout=10)
    assert answer.status_code == 200 and answer.json(), answer.text
    assert requests.get(url, headers=bearer(f, "wrong_token_file"), timeout=10).status_code == 401
    assert requests.get(url, timeout=10).status_code == 401


def test_up_again_with_front_keeps_the_running_servers(info: sandbox.SandboxInfo):
    before = front._read_registry(front.front_dir(default_layout()))
    assert sandbox.up("healthy", front=True).systemd_pid == info.systemd_pid
    assert front._read_registry(front.front_dir(default_layout())) == before


def test_down_leaves_no_process_port_or_file_outside_the_state_dir(
    info: sandbox.SandboxInfo, machine_before: dict[str, set[str]]
):
    registry = front._read_registry(front.front_dir(default_layout()))
    assert set(registry) == {"prometheus", "nginx"}, registry
    sandbox.down()
    for name, (pid, ticks) in registry.items():
        assert front._group(pid, ticks) == [], f"{name} (pid {pid}) still running after down"
    for port in front.PORTS.values():
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
    for top, before in machine_before.items():
        after = listing(top)
        assert after == before, f"{top}: added {after - before}, removed {before - after}"
