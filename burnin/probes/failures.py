"""Why a request to a source failed, in one line with the setting that fixes it ("<what
happened>: set ...|check ..."), and whether the failure is the observer's own (trust,
credentials, a name that does not resolve, a proxy) or the source's (refused, timed out, 5xx)."""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from burnin.config.access import HttpAccess
from burnin.lazy import lazy_module

if TYPE_CHECKING:
    import requests
else:  # imported by the first request (burnin.lazy)
    requests = lazy_module("requests")


@dataclass(frozen=True)
class Failure:
    """Why a request to a source failed, in one line with its fix. `observer`: the observer's
    own configuration or trust failed (never a verdict on what it observes)."""

    cause: str
    observer: bool


CLIENT_CERT_ALERTS = (
    "certificate required",
    "bad certificate",
    "unknown ca",
    "certificate unknown",
)


# OpenSSL's verify codes (X509_V_ERR_*) for the two failures a CA file does not mend.
HOSTNAME_MISMATCH = 62
CERT_HAS_EXPIRED = 10


def chain_of(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception behind it, nearest first: causes, contexts, urllib3's `reason`
    (MaxRetryError, NewConnectionError keep the original there) and exceptions passed as
    arguments."""
    found: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending:
        item = pending.pop(0)
        if any(item is seen for seen in found):
            continue
        found.append(item)
        inner = [item.__cause__, item.__context__, getattr(item, "reason", None)]
        inner += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
        pending += [e for e in inner if isinstance(e, BaseException)]
    return found


def explain(exc: BaseException, access: HttpAccess, url: str, timeout_s: float) -> Failure:
    """One line (with the fix) for an exception of requests or http.client reaching `url`."""
    chain = chain_of(exc)
    host = urlsplit(url).hostname or url
    port = urlsplit(url).port
    where = f"{host}:{port}" if port else host
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            detail = item.verify_message or str(item)
            if item.verify_code == HOSTNAME_MISMATCH or "hostname mismatch" in detail.lower():
                return Failure(
                    f"TLS certificate of {where} is not valid for the name {host} ({detail}): "
                    f"name in {access.url_setting} a host the certificate holds (its "
                    "subjectAltName), not another name or address of the same server",
                    True,
                )
            if item.verify_code == CERT_HAS_EXPIRED:
                return Failure(
                    f"TLS certificate of {where} has expired ({detail}): the server needs a "
                    f"renewed certificate ({access.fix('ca_file')} cannot help)",
                    True,
                )
            return Failure(
                f"TLS certificate of {where} not trusted ({detail}): set "
                f"{access.fix('ca_file')} to the CA that signed it",
                True,
            )
    for item in chain:
        text = str(item).lower()
        # A server wanting a client certificate we did not send alerts, or (TLS 1.3, after the
        # handshake) just closes the connection.
        unsent = access.client_cert is None and isinstance(item, ssl.SSLEOFError)
        if unsent or (
            isinstance(item, ssl.SSLError) and any(a in text for a in CLIENT_CERT_ALERTS)
        ):
            return Failure(
                f"{where} refused the client certificate ({_short(item)}): set "
                f"{access.fix('cert_file')} and {access.fix('key_file')}",
                True,
            )
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return Failure(
                f"TLS handshake with {where} failed ({_short(item)}): check the URL's scheme "
                f"(https:// for TLS) and {access.fix('ca_file')}",
                True,
            )
    if any(isinstance(i, requests.exceptions.ProxyError) for i in chain) or any(
        "tunnel connection failed" in str(i).lower() and not _upstream_down(i) for i in chain
    ):
        return Failure(
            f"the proxy did not reach {where} ({_short(exc)}): check HTTPS_PROXY/HTTP_PROXY and "
            "NO_PROXY",
            True,
        )
    for item in chain:
        if isinstance(item, socket.gaierror) or "name resolution" in str(item).lower():
            return Failure(
                f"name {host} does not resolve: check {access.url_setting} (the host name) or "
                "this machine's DNS",
                True,
            )
    for item in chain:
        if isinstance(item, ConnectionRefusedError) or "connection refused" in str(item).lower():
            return Failure(
                f"connection refused at {where} (nothing listens there): check "
                f"{access.url_setting} (host and port), or start {access.source}",
                False,
            )
    for item in chain:
        if isinstance(item, TimeoutError | socket.timeout | requests.exceptions.Timeout):
            return Failure(
                f"no answer from {where} within {timeout_s:g} s: check {access.url_setting} "
                "and the network path to it (or raise --source-timeout)",
                False,
            )
    for item in chain:
        if isinstance(item, ConnectionResetError | BrokenPipeError):
            return Failure(
                f"{where} dropped the connection ({_short(item)}): check {access.url_setting}",
                False,
            )
    return Failure(
        f"{where} not reachable ({_short(chain[-1])}): check {access.url_setting}", False
    )


# Every line above reads "<what happened>: <set ...|check ...>".
FIX = re.compile(r"^(?P<cause>.+?): (?P<fix>(?:set|check) .+)$", re.DOTALL)


def split_fix(line: str) -> tuple[str, str] | None:
    """(cause, fix) of a line written by `explain` or `explain_status`; None for any other."""
    found = FIX.match(line.strip())
    return (found["cause"], found["fix"]) if found else None


def _upstream_down(exc: BaseException) -> bool:
    """A proxy that answered CONNECT with 502/503/504 reached for the source and found it down:
    the source's failure, not the observer's."""
    return any(f" {code}" in str(exc) for code in (502, 503, 504))


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def explain_status(status: int, body: str, access: HttpAccess, url: str) -> Failure | None:
    """An HTTP status that is the observer's refusal (credentials, a client certificate a proxy
    wanted), in one line with its fix; None for any other status."""
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]
    if status == 401:
        return Failure(
            f"{host} refused the credentials (HTTP 401): set {access.fix('bearer_token_file')}, "
            f"or {access.fix('username')} with {access.fix('password_file')}",
            True,
        )
    if status == 403:
        return Failure(
            f"{host} forbids these credentials (HTTP 403): check {access.fix('bearer_token_file')}"
            f" / {access.fix('username')}",
            True,
        )
    if status == 407:
        return Failure(
            "the proxy wants credentials (HTTP 407): set them in HTTPS_PROXY/HTTP_PROXY "
            "(http://user:password@proxy:port)",
            True,
        )
    if status == 400 and "ssl certificate" in body.lower():
        return Failure(
            f"{host} wants a client certificate (HTTP 400: {body.strip()[:80]!r}): set "
            f"{access.fix('cert_file')} and {access.fix('key_file')}",
            True,
        )
    return None
