"""The front: production's HTTP plumbing in front of the sandbox's servers (`up --front`).

Off by default. With it, `up` also starts, on 127.0.0.1, as plain processes outside the host:
- a second Prometheus over a copy of the sandbox Prometheus' backfilled TSDB (same
  prometheus.yml: it scrapes the bot and evaluates the same rules) served over TLS with basic
  auth under the route prefix /prometheus (:19443);
- nginx with an HTTPS server to the bot (:19444), the same requiring a client certificate
  signed by the private CA (:19445, mTLS), and a bearer-token server (:19446) proxying
  /prom/ to the sandbox Prometheus and /alertmanager/ to its Alertmanager (401 without the
  token).

Everything lives under <state dir>/front and is made afresh by each `up --front`: a private CA,
a server certificate for localhost and 127.0.0.1 signed by it, a client certificate signed by
it, an unrelated CA (with a client certificate of its own) for negative tests, and the secrets.
Each secret file holds one line ending in a newline, as `echo secret > file` writes it.
`down` stops the processes by PID (start time checked); nothing is written outside the state
directory.

SandboxInfo.front (empty without --front), every value a str:
  ca_file                  the private CA's certificate (PEM): trust it to reach every server
  wrong_ca_file            an unrelated CA: trusting only it must fail TLS verification
  client_cert_file         client certificate signed by the private CA (PEM), for mTLS
  client_key_file          its key (PEM, unencrypted)
  wrong_client_cert_file   client certificate signed by the unrelated CA: mTLS refuses it
  wrong_client_key_file    its key
  prometheus_tls_url       https://127.0.0.1:19443/prometheus (TLS, basic auth, route prefix)
  prometheus_username      the basic-auth user name
  password_file            its password
  wrong_password_file      another password (401)
  prometheus_bearer_url    http://127.0.0.1:19446/prom (bearer token; the sandbox Prometheus)
  alertmanager_bearer_url  http://127.0.0.1:19446/alertmanager (bearer token; Alertmanager)
  token_file               the bearer token
  wrong_token_file         another token (401)
  health_tls_url           https://localhost:19444/api/health (TLS; the bot's health JSON)
  health_mtls_url          https://localhost:19445/api/health (TLS + client certificate)
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

from burnin.sandbox.paths import (
    ALERTMANAGER_PORT,
    BOT_PORT,
    FRONT_BEARER_PORT,
    FRONT_HEALTH_MTLS_PORT,
    FRONT_HEALTH_TLS_PORT,
    FRONT_PROMETHEUS_PORT,
    HOST,
    PROMETHEUS_PORT,
    Layout,
)

PORTS = {
    "front prometheus": FRONT_PROMETHEUS_PORT,
    "front health tls": FRONT_HEALTH_TLS_PORT,
    "front health mtls": FRONT_HEALTH_MTLS_PORT,
    "front bearer": FRONT_BEARER_PORT,
}
USERNAME = "burnin"
ROUTE_PREFIX = "/prometheus"
FIELDS = (
    "ca_file",
    "wrong_ca_file",
    "client_cert_file",
    "client_key_file",
    "wrong_client_cert_file",
    "wrong_client_key_file",
    "prometheus_tls_url",
    "prometheus_username",
    "password_file",
    "wrong_password_file",
    "prometheus_bearer_url",
    "alertmanager_bearer_url",
    "token_file",
    "wrong_token_file",
    "health_tls_url",
    "health_mtls_url",
)

# Certificates: EC P-256 keys (milliseconds to make), extensions strict verifiers accept
# (Python's VERIFY_X509_STRICT: key identifiers, critical basic constraints).
OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = burnin
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""
BCRYPT_ROUNDS = 10  # Prometheus checks the hash on requests: a production-like cost, not more


def front_dir(layout: Layout) -> Path:
    return layout.root / "front"


def info(layout: Layout) -> dict[str, str]:
    """The values of SandboxInfo.front (see the module docstring)."""
    d = front_dir(layout)
    return {
        "ca_file": str(d / "ca.crt"),
        "wrong_ca_file": str(d / "wrong_ca.crt"),
        "client_cert_file": str(d / "client.crt"),
        "client_key_file": str(d / "client.key"),
        "wrong_client_cert_file": str(d / "wrong_client.crt"),
        "wrong_client_key_file": str(d / "wrong_client.key"),
        "prometheus_tls_url": f"https://{HOST}:{FRONT_PROMETHEUS_PORT}{ROUTE_PREFIX}",
        "prometheus_username": USERNAME,
        "password_file": str(d / "password"),
        "wrong_password_file": str(d / "wrong_password"),
        "prometheus_bearer_url": f"http://{HOST}:{FRONT_BEARER_PORT}/prom",
        "alertmanager_bearer_url": f"http://{HOST}:{FRONT_BEARER_PORT}/alertmanager",
        "token_file": str(d / "token"),
        "wrong_token_file": str(d / "wrong_token"),
        "health_tls_url": f"https://localhost:{FRONT_HEALTH_TLS_PORT}/api/health",
        "health_mtls_url": f"https://localhost:{FRONT_HEALTH_MTLS_PORT}/api/health",
    }


def start(layout: Layout) -> dict[str, str]:
    """Make the materials, copy the TSDB and start the second Prometheus and nginx (not yet
    ready: `wait_ready`). Call it after the backfill and before the sandbox Prometheus opens
    its TSDB. Returns SandboxInfo.front."""
    _check_ports_free()
    d = front_dir(layout)
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    make_materials(d)
    password = read_secret(d / "password")
    token = read_secret(d / "token")
    # cp -a: a Prometheus never shares its TSDB directory with another.
    shutil.copytree(layout.prometheus_data, d / "prometheus-data", symlinks=True)
    (d / "web.yml").write_text(web_yml(d, _bcrypt_hash(password)))
    (d / "nginx.conf").write_text(nginx_conf(d, token))
    os.chmod(d / "nginx.conf", 0o600)  # it holds the token in clear
    (d / "nginx-tmp").mkdir()  # nginx makes the temp directories, not their parent
    launch(d, "prometheus", prometheus_argv(layout, d))
    launch(d, "nginx", ["/usr/sbin/nginx", "-e", str(d / "nginx-error.log"),
                         "-p", f"{d}/", "-c", str(d / "nginx.conf")])  # fmt: skip
    return info(layout)


def make_materials(d: Path) -> None:
    """Certificates and keys (openssl) and the secret files, in directory `d`."""
    cnf = d / "openssl.cnf"
    cnf.write_text(OPENSSL_CNF)
    _openssl_cert(cnf, d, "ca", "burnin sandbox CA", "ca", None)
    _openssl_cert(cnf, d, "wrong_ca", "burnin unrelated CA", "ca", None)
    _openssl_cert(cnf, d, "server", "localhost", "server", "ca")
    _openssl_cert(cnf, d, "client", "burnin client", "client", "ca")
    _openssl_cert(cnf, d, "wrong_client", "burnin wrong client", "client", "wrong_ca")
    for name in ("password", "wrong_password", "token", "wrong_token"):
        path = d / name
        path.write_text(secrets.token_urlsafe(24) + "\n")
        os.chmod(path, 0o600)


def read_secret(path: Path) -> str:
    return path.read_text().strip()


def _openssl_cert(
    cnf: Path, d: Path, name: str, common_name: str, extensions: str, ca: str | None
) -> None:
    argv = ["openssl", "req", "-config", str(cnf), "-x509", "-noenc",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.crt"),
            "-days", "3650", "-subj", f"/CN={common_name}", "-extensions", extensions]  # fmt: skip
    if ca is not None:
        argv += ["-CA", str(d / f"{ca}.crt"), "-CAkey", str(d / f"{ca}.key")]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl could not make {name}.crt: {done.stderr.strip()}")


def _bcrypt_hash(password: str) -> str:
    import bcrypt  # paramiko's dependency; only the front needs it

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def web_yml(d: Path, password_hash: str) -> str:
    # JSON strings are YAML double-quoted scalars: paths and the hash need no other escaping.
    return (
        "tls_server_config:\n"
        f"  cert_file: {json.dumps(str(d / 'server.crt'))}\n"
        f"  key_file: {json.dumps(str(d / 'server.key'))}\n"
        "basic_auth_users:\n"
        f"  {USERNAME}: {json.dumps(password_hash)}\n"
    )


def prometheus_argv(layout: Layout, d: Path) -> list[str]:
    return [
        "/usr/bin/prometheus",
        f"--config.file={layout.config / 'prometheus.yml'}",
        f"--storage.tsdb.path={d / 'prometheus-data'}",
        "--storage.tsdb.retention.time=3650d",
        f"--web.listen-address={HOST}:{FRONT_PROMETHEUS_PORT}",
        f"--web.config.file={d / 'web.yml'}",
        f"--web.route-prefix={ROUTE_PREFIX}",
        f"--web.external-url=https://{HOST}:{FRONT_PROMETHEUS_PORT}{ROUTE_PREFIX}",
    ]


def nginx_conf(d: Path, token: str) -> str:
    """nginx as a plain foreground process whose every file is under `d`. Workers never write
    temporary files (a state dir under /root is not theirs to enter): bodies stay in memory."""
    bearer = f'if ($http_authorization != "Bearer {token}") {{ return 401; }}'
    return f"""\
daemon off;
worker_processes 1;
pid {d / "nginx.pid"};
error_log {d / "nginx-error.log"} info;
events {{ worker_connections 64; }}
http {{
    access_log {d / "nginx-access.log"};
    client_body_temp_path {d / "nginx-tmp/body"};
    proxy_temp_path {d / "nginx-tmp/proxy"};
    fastcgi_temp_path {d / "nginx-tmp/fastcgi"};
    uwsgi_temp_path {d / "nginx-tmp/uwsgi"};
    scgi_temp_path {d / "nginx-tmp/scgi"};
    client_body_buffer_size 1m;
    client_max_body_size 1m;
    proxy_max_temp_file_size 0;
    ssl_certificate {d / "server.crt"};
    ssl_certificate_key {d / "server.key"};
    server {{
        listen {HOST}:{FRONT_HEALTH_TLS_PORT} ssl;
        server_name localhost;
        location / {{ proxy_pass http://{HOST}:{BOT_PORT}; }}
    }}
    server {{
        listen {HOST}:{FRONT_HEALTH_MTLS_PORT} ssl;
        server_name localhost;
        ssl_client_certificate {d / "ca.crt"};
        ssl_verify_client on;
        location / {{ proxy_pass http://{HOST}:{BOT_PORT}; }}
    }}
    server {{
        listen {HOST}:{FRONT_BEARER_PORT};
        location /prom/ {{
            {bearer}
            proxy_pass http://{HOST}:{PROMETHEUS_PORT}/;
        }}
        location /alertmanager/ {{
            {bearer}
            proxy_pass http://{HOST}:{ALERTMANAGER_PORT}/;
        }}
    }}
}}
"""


def _check_ports_free() -> None:
    busy = []
    for name, port in PORTS.items():
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                busy.append(f"{name} {port}")
    if busy:
        raise RuntimeError(f"ports already in use on {HOST}: {', '.join(busy)}")


# --- processes: started in their own session, recorded at once, stopped by PID ---------------


def _registry(d: Path) -> Path:
    return d / "pids.json"


def _read_registry(d: Path) -> dict[str, list[int]]:
    """name -> [pid, start ticks] of every process `start` launched."""
    try:
        return json.loads(_registry(d).read_text())
    except (OSError, ValueError):
        return {}


def launch(d: Path, name: str, argv: list[str], timeout: float = 5.0) -> None:
    """Start `argv` in a new session, nobody's child (setsid --fork: no zombie in the caller),
    its output in d/NAME.log; record its PID before anything else can fail."""
    pidfile = d / f"launch-{name}.pid"
    with open(d / f"{name}.log", "ab") as log:
        subprocess.run(
            ["setsid", "--fork", "/bin/sh", "-c", 'echo $$ > "$0"; exec "$@"', str(pidfile), *argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    deadline = time.monotonic() + timeout
    while not (pidfile.exists() and pidfile.read_text().strip()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"front: {name} did not start; see {d / f'{name}.log'}")
        time.sleep(0.01)
    pid = int(pidfile.read_text())
    ticks = _stat(pid)
    registry = _read_registry(d)
    registry[name] = [pid, ticks[2] if ticks else 0]
    tmp = _registry(d).with_suffix(".tmp")
    tmp.write_text(json.dumps(registry))
    tmp.replace(_registry(d))


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, process group, start ticks) of `pid`, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2]), int(fields[19])


def _live(pid: int, ticks: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in "ZX" and stat[2] == ticks


def _group(pgid: int, ticks: int) -> list[int]:
    """Live processes of the session `pgid` leads (nginx's workers too), started no earlier
    than its leader: never a stranger that reused a number."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and stat[0] not in "ZX" and stat[1] == pgid and stat[2] >= ticks:
                members.append(int(entry))
    return members


def running(layout: Layout) -> bool:
    """Both of the front's servers are still running."""
    registry = _read_registry(front_dir(layout))
    return set(registry) == {"prometheus", "nginx"} and all(
        _live(pid, ticks) for pid, ticks in registry.values()
    )


def stop(layout: Layout, timeout: float = 10.0) -> None:
    """Stop what `start` launched (SIGTERM, SIGKILL after `timeout`); a no-op without a front."""
    d = front_dir(layout)
    for pid, ticks in _read_registry(d).values():
        if not ticks:
            continue  # it was gone before its start time could be read
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            members = _group(pid, ticks)
            for member in members:
                try:
                    os.kill(member, sig)
                except ProcessLookupError:
                    pass
            if _until(functools.partial(_gone, pid, ticks), wait):
                break
    _registry(d).unlink(missing_ok=True)


def _gone(pid: int, ticks: int) -> bool:
    return not _group(pid, ticks)


def _until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- readiness ---------------------------------------------------------------------------------


def checks(front: dict[str, str]) -> dict[str, Callable[[], bool]]:
    """Each server answers with the right materials (the rules evaluated, like the sandbox's)."""
    ca = front["ca_file"]
    auth = (front["prometheus_username"], read_secret(Path(front["password_file"])))
    bearer = {"Authorization": f"Bearer {read_secret(Path(front['token_file']))}"}
    cert = (front["client_cert_file"], front["client_key_file"])
    prom = front["prometheus_tls_url"]
    return {
        "prometheus tls ready": lambda: _ok(f"{prom}/-/ready", verify=ca, auth=auth),
        "prometheus tls rules evaluated": lambda: _rules_ok(
            f"{prom}/api/v1/rules", verify=ca, auth=auth
        ),
        "health tls": lambda: _ok(front["health_tls_url"], verify=ca),
        "health mtls": lambda: _ok(front["health_mtls_url"], verify=ca, cert=cert),
        "prometheus bearer": lambda: _ok(
            f"{front['prometheus_bearer_url']}/-/ready", headers=bearer
        ),
        "alertmanager bearer": lambda: _ok(
            f"{front['alertmanager_bearer_url']}/-/ready", headers=bearer
        ),
    }


def wait_ready(layout: Layout, timeout: float = 30.0) -> None:
    """Poll every front server with the right materials until it answers (bounded)."""
    pending = checks(info(layout))
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        if not running(layout):
            raise RuntimeError(f"front: a server exited while starting\n{_logs(layout)}")
        for name in sorted(pending):
            if pending[name]():
                del pending[name]
        if pending:
            time.sleep(0.1)
    if pending:
        raise RuntimeError(
            f"front not ready after {timeout:.0f} s: {sorted(pending)}\n{_logs(layout)}"
        )


def _ok(url: str, **kwargs: object) -> bool:
    try:
        return requests.get(url, timeout=2, **kwargs).ok  # type: ignore[arg-type]
    except requests.RequestException:
        return False


def _rules_ok(url: str, **kwargs: object) -> bool:
    try:
        answer = requests.get(url, timeout=2, **kwargs)  # type: ignore[arg-type]
        rules = [r for g in answer.json()["data"]["groups"] for r in g["rules"]]
        return bool(rules) and all(r.get("health") == "ok" for r in rules)
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return False


def _logs(layout: Layout, lines: int = 15) -> str:
    d = front_dir(layout)
    text = ""
    for name in ("prometheus.log", "nginx.log", "nginx-error.log"):
        try:
            tail = (d / name).read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            continue
        text += f"--- {d / name} (last {len(tail)} lines)\n" + "\n".join(tail) + "\n"
    return text
