"""The sandbox front's files and process handling, without the sandbox (burnin/sandbox/front.py)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import bcrypt

from burnin.sandbox import front
from burnin.sandbox.paths import Layout


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)


def test_the_server_and_client_certificates_chain_to_the_private_ca_only(tmp_path: Path):
    front.make_materials(tmp_path)
    ca, wrong_ca = str(tmp_path / "ca.crt"), str(tmp_path / "wrong_ca.crt")
    server, client = str(tmp_path / "server.crt"), str(tmp_path / "client.crt")
    wrong_client = str(tmp_path / "wrong_client.crt")
    good = openssl("verify", "-x509_strict", "-CAfile", ca, server, client)
    assert good.returncode == 0, good.stdout + good.stderr
    for cert in (server, client):
        assert openssl("verify", "-CAfile", wrong_ca, cert).returncode != 0, cert
    assert openssl("verify", "-CAfile", ca, wrong_client).returncode != 0
    assert openssl("verify", "-CAfile", wrong_ca, wrong_client).returncode == 0
    san = openssl("x509", "-in", server, "-noout", "-ext", "subjectAltName").stdout
    assert "DNS:localhost" in san and "IP Address:127.0.0.1" in san, san


def test_each_secret_is_one_line_readable_by_its_owner_only_and_unlike_the_wrong_one(
    tmp_path: Path,
):
    front.make_materials(tmp_path)
    for right, wrong in (("password", "wrong_password"), ("token", "wrong_token")):
        text = (tmp_path / right).read_text()
        assert text.endswith("\n") and text.count("\n") == 1, repr(text)
        assert front.read_secret(tmp_path / right) != front.read_secret(tmp_path / wrong)
    for name in ("password", "token", "ca.key", "server.key", "client.key"):
        assert os.stat(tmp_path / name).st_mode & 0o077 == 0, name


def test_prometheus_web_config_serves_tls_and_checks_the_password(tmp_path: Path):
    password = "s3cret"
    text = front.web_yml(tmp_path, front._bcrypt_hash(password))
    assert f'cert_file: "{tmp_path / "server.crt"}"' in text
    assert f'key_file: "{tmp_path / "server.key"}"' in text
    (hashed,) = re.findall(rf'^  {front.USERNAME}: "(.+)"$', text, re.M)
    assert bcrypt.checkpw(password.encode(), hashed.encode())
    assert not bcrypt.checkpw(b"wrong", hashed.encode())


def test_prometheus_serves_under_the_prefix_on_loopback_from_its_own_tsdb_copy(tmp_path: Path):
    layout = Layout(tmp_path)
    argv = front.prometheus_argv(layout, front.front_dir(layout))
    assert "--web.listen-address=127.0.0.1:19443" in argv
    assert "--web.route-prefix=/prometheus" in argv
    assert "--web.external-url=https://127.0.0.1:19443/prometheus" in argv
    assert f"--storage.tsdb.path={front.front_dir(layout) / 'prometheus-data'}" in argv
    assert f"--storage.tsdb.path={layout.prometheus_data}" not in argv


def test_nginx_listens_on_loopback_only_checks_the_token_and_writes_only_in_its_dir(
    tmp_path: Path,
):
    text = front.nginx_conf(tmp_path, "TOKEN")
    listens = re.findall(r"^\s*listen ([^\s;]+)", text, re.M)
    assert listens == ["127.0.0.1:19444", "127.0.0.1:19445", "127.0.0.1:19446"]
    assert text.count('if ($http_authorization != "Bearer TOKEN") { return 401; }') == 2
    assert "ssl_verify_client on;" in text and "daemon off;" in text
    paths = re.findall(r"^\s*(?:pid|error_log|access_log|\w+_temp_path) ([^\s;]+)", text, re.M)
    assert len(paths) == 8 and all(p.startswith(f"{tmp_path}/") for p in paths), paths


def test_every_field_of_sandbox_info_front_is_named_once(tmp_path: Path):
    values = front.info(Layout(tmp_path))
    assert tuple(values) == front.FIELDS
    for name in front.FIELDS:
        assert name in (front.__doc__ or ""), name
    for name, value in values.items():
        if name.endswith("_file"):
            assert value.startswith(f"{tmp_path}/front/"), (name, value)


def test_stop_ends_a_launched_process_and_its_children_by_pid(tmp_path: Path):
    layout = Layout(tmp_path)
    d = front.front_dir(layout)
    d.mkdir()
    front.launch(d, "prometheus", ["/bin/sh", "-c", "sleep 60 & exec sleep 61"])
    (pid, ticks) = front._read_registry(d)["prometheus"]
    assert front._until(lambda: len(front._group(pid, ticks)) == 2, 5.0), front._group(pid, ticks)
    assert not front.running(layout)  # nginx was never started
    front.stop(layout)
    assert front._group(pid, ticks) == [] and not front._live(pid, ticks)
    assert not (d / "pids.json").exists()
    front.stop(layout)  # nothing recorded: nothing to do
