"""A private CA, certificates it signs, and small HTTP(S) servers on 127.0.0.1 that check
what production's front doors check (a client certificate, a bearer token, basic auth): the
access settings' unit tests run against real TLS, not mocks."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HEALTH = (
    b'{"status": "healthy", "connected": true, "channel": "#c", "uptime_seconds": 30, '
    b'"version": "v1", "user_count": 4, "requests_handled": 0, "error_count": 0}'
)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@dataclass(frozen=True)
class Pki:
    ca: Path  # the private CA's certificate
    other_ca: Path  # a CA that signed nothing here
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_pki(folder: Path) -> Pki:
    """A CA, a server certificate for localhost/127.0.0.1 and a client certificate it signs, and
    an unrelated CA: EC keys, made in milliseconds."""
    now = dt.datetime.now(dt.UTC)

    def issue(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
        ca: bool = False,
        san: bool = False,
    ) -> x509.Certificate:
        issuer_name, issuer_key = issuer or (_name(subject), key)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
            )
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
        return builder.sign(issuer_key, hashes.SHA256())

    files = {}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = issue("burnin test CA", ca_key, None, ca=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_cert = issue("another CA", other_key, None, ca=True)
    for name, cert in (("ca.crt", ca_cert), ("other-ca.crt", other_cert)):
        files[name] = folder / name
        files[name].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    for who, san in (("server", True), ("client", False)):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue(f"burnin {who}", key, (ca_cert.subject, ca_key), san=san)
        (folder / f"{who}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, folder / f"{who}.key")
    return Pki(
        files["ca.crt"],
        files["other-ca.crt"],
        folder / "server.crt",
        folder / "server.key",
        folder / "client.crt",
        folder / "client.key",
    )


Check = Callable[[BaseHTTPRequestHandler], int]  # the status to answer: 200 lets it through


def allow_all(_handler: BaseHTTPRequestHandler) -> int:
    return 200


def bearer(token: str) -> Check:
    return lambda h: 200 if h.headers.get("Authorization") == f"Bearer {token}" else 401


def basic(user: str, password: str) -> Check:
    wanted = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return lambda h: 200 if h.headers.get("Authorization") == wanted else 401


def _handler(check: Check, body: bytes, seen: list[str]) -> type[BaseHTTPRequestHandler]:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen.append(self.path)
            status = check(self)
            payload = body if status == 200 else b"Unauthorized\n"
            if self.path.startswith("/-/ready"):
                payload = b"Prometheus Server is Ready.\n" if status == 200 else payload
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    return Answer


@contextmanager
def serve(
    pki: Pki | None = None,
    check: Check = allow_all,
    body: bytes = HEALTH,
    client_cert: bool = False,
) -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1: https:// with the PKI's server certificate (requiring a client
    certificate the CA signed when `client_cert`), else http://. Yields its base URL and the
    paths it was asked."""
    seen: list[str] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(check, body, seen))
    scheme = "http"
    if pki is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.server_cert, pki.server_key)
        if client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(pki.ca)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy: absolute-URI GETs for http://, CONNECT tunnels for https://."""

    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(f"GET {self.path}")
        from urllib.parse import urlsplit

        target = urlsplit(self.path)
        with socket.create_connection((target.hostname, target.port or 80), timeout=5) as up:
            path = target.path + (f"?{target.query}" if target.query else "")
            headers = "".join(
                f"{k}: {v}\r\n"
                for k, v in self.headers.items()
                if k.lower() != "proxy-authorization"
            )
            up.sendall(f"GET {path} HTTP/1.1\r\n{headers}\r\n".encode())
            data = b""
            while chunk := up.recv(65536):
                data += chunk
        self.wfile.write(data)
        self.close_connection = True

    def do_CONNECT(self) -> None:  # noqa: N802
        self.seen.append(f"CONNECT {self.path}")
        host, port = self.path.rsplit(":", 1)
        up = socket.create_connection((host, int(port)), timeout=5)
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, up]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 5)
                if not ready:
                    break
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (up if sock is self.connection else self.connection).sendall(data)
        finally:
            up.close()
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def proxy() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Proxy", (_Proxy,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
