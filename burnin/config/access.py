"""How the observer reaches an HTTP source the way production serves it: TLS trust (a private
CA), a client certificate (mTLS), a bearer token or basic auth, proxies and .netrc. One object
per source, used by every HTTP probe: the health endpoint's timed GETs, Prometheus, Alertmanager
and the dashboard trust and authenticate alike.

The settings are named after Prometheus's own http_config (`ca_file`, `cert_file`, `key_file`,
`bearer_token_file`, `username` + `password_file`), each per source (`prometheus_ca_file`) and
unprefixed for every source (`ca_file`). Secrets stay in their files: the object holds paths,
reads a file when it builds a request's credentials, and never shows what it read."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import certifi

from burnin.lazy import lazy_module

if TYPE_CHECKING:
    import ssl

    import requests
    import requests.utils
else:  # imported by the first request or TLS check (burnin.lazy): a listing makes none
    requests = lazy_module("requests")
    ssl = lazy_module("ssl")

# The sources reached over HTTP, as their settings are prefixed.
HTTP_SOURCES = ("health", "prometheus", "alertmanager", "dashboard")
# Access settings, each per source and unprefixed: key -> help text.
ACCESS_KEYS: dict[str, str] = {
    "ca_file": "CA certificate(s) (PEM) to trust for TLS, instead of the default bundle",
    "cert_file": "client certificate (PEM) for mutual TLS",
    "key_file": "the client certificate's private key (PEM)",
    "bearer_token_file": "file holding a bearer token sent as `Authorization: Bearer`",
    "username": "basic auth user (its password in password_file)",
    "password_file": "file holding the basic auth password",
}
FILE_KEYS = ("ca_file", "cert_file", "key_file", "bearer_token_file", "password_file")


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """urllib.request.getproxies_environment's answer for `environ` ({"http": ..., "no":
    "localhost,..."}): `<scheme>_proxy` variables, the lowercase one winning, an empty
    lowercase one unsetting, HTTP_PROXY ignored under CGI (REQUEST_METHOD). Its rule, without
    importing urllib.request (with http.client and ssl: ~4 ms at every start)."""
    proxies = {}
    for name, value in environ.items():
        name = name.lower()
        if value and name[-6:] == "_proxy":
            proxies[name[:-6]] = value
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":
            name = name.lower()
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


# pytest imports this before any test, in its main thread: the environment is read once here,
# never by a request (requests lists os.environ per request; see burnin.probes.http).
ENV_PROXIES = environment_proxies(os.environ)  # {"http": ..., "no": "localhost,..."}
ENV_CA_BUNDLE = next(
    (
        os.environ[name]
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
        if os.environ.get(name)
    ),
    "",
)


def _proxy_bypass(host: str, proxies: dict[str, str]) -> bool:
    """urllib's own no_proxy rule on a snapshot of the environment (typeshed does not list it;
    the public proxy_bypass lists os.environ, which a gathering thread must never do)."""
    import urllib.request

    bypass: Callable[[str, dict[str, str]], bool] = vars(urllib.request)["proxy_bypass_environment"]
    return bypass(host, proxies)


def setting_key(source: str, key: str) -> str:
    """`prometheus_ca_file`; the unprefixed key for `source` ""."""
    return f"{source}_{key}" if source else key


@dataclass(frozen=True)
class HttpAccess:
    """What the observer presents to one HTTP source. Paths only: secrets are read from their
    files when a request is built. Trust: `ca_file`, else the environment's bundle
    (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE), else certifi's (what requests uses)."""

    source: str = "http"
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    bearer_token_file: Path | None = None
    username: str = ""
    password_file: Path | None = None

    @property
    def ca_path(self) -> str:
        return str(self.ca_file) if self.ca_file else ENV_CA_BUNDLE or certifi.where()

    @property
    def client_cert(self) -> tuple[str, str] | str | None:
        if self.cert_file is None:
            return None
        return (str(self.cert_file), str(self.key_file)) if self.key_file else str(self.cert_file)

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context of a fresh connection (the health probe's timed GETs)."""
        return _context(self.ca_path, self.client_cert)

    def credentials(self, url: str) -> tuple[str, str] | str | None:
        """Basic auth (user, password), a bearer token, or None: the settings first, then the
        URL's own user:password, then .netrc (as requests orders them)."""
        if self.bearer_token_file is not None:
            return read_secret(self.bearer_token_file)
        if self.username:
            password = read_secret(self.password_file) if self.password_file else ""
            return (self.username, password)
        parts = urlsplit(url)
        if parts.username is not None:
            return (unquote(parts.username), unquote(parts.password or ""))
        netrc = requests.utils.get_netrc_auth(url)
        return (netrc[0], netrc[1]) if netrc else None

    def authorization(self, url: str) -> str | None:
        """The Authorization header's value for `url`, or None."""
        found = self.credentials(url)
        if found is None:
            return None
        if isinstance(found, str):
            return f"Bearer {found}"
        return "Basic " + base64.b64encode(f"{found[0]}:{found[1]}".encode()).decode("ascii")

    def proxies(self, url: str, proxies: Mapping[str, str] | None = None) -> dict[str, str]:
        """The proxy for `url` from the environment read at import, unless no_proxy names it."""
        proxies = ENV_PROXIES if proxies is None else proxies
        host = urlsplit(url).hostname or ""
        if not proxies or _proxy_bypass(host, dict(proxies)):
            return {}
        return {k: v for k, v in proxies.items() if k != "no"}

    def session(self, url: str) -> requests.Session:
        """A requests session for `url` that never reads the environment while asking: trust,
        client certificate, credentials and proxies all set here, once."""
        made = requests.Session()
        made.trust_env = False
        made.verify = self.ca_path
        made.cert = self.client_cert
        made.proxies.update(self.proxies(url))
        made.auth = _RequestsAuth(self, url)
        return made

    @property
    def url_setting(self) -> str:
        """The setting holding the source's URL (`prometheus_url`)."""
        return f"{self.source}_url" if self.source in HTTP_SOURCES else "the URL"

    def fix(self, key: str) -> str:
        """The settings that would mend `key`: `set prometheus_ca_file (or ca_file)`."""
        return f"{setting_key(self.source, key)} (or {key} for every source)"


class _RequestsAuth:
    """The access's credentials on every request of a session, read when the request is built
    (a rotated token file is picked up); shown as the class name only. requests calls it as it
    calls an AuthBase (not subclassed: requests is imported by the first request)."""

    def __init__(self, access: HttpAccess, url: str) -> None:
        self.access = access
        self.url = url

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        header = self.access.authorization(request.url or self.url)
        if header is not None:
            request.headers["Authorization"] = header
        return request

    def __repr__(self) -> str:
        return "<credentials from files>"


def read_secret(path: Path) -> str:
    """A secret file's content, trimmed as Prometheus trims it (a trailing newline is no part of
    a password)."""
    return path.read_text(encoding="utf-8").strip()


def _context(ca_path: str, client_cert: tuple[str, str] | str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_path)
    if isinstance(client_cert, tuple):
        context.load_cert_chain(*client_cert)
    elif client_cert:
        context.load_cert_chain(client_cert)
    return context


def check_access(access: HttpAccess, tls: bool = True) -> str:
    """What is wrong with the access's files, in words ("" when nothing): each file readable,
    the CA a PEM bundle, the client certificate and key a pair, the secrets not empty. Checked
    before the first test, so a typo is one configuration line, not forty source errors. `tls`:
    the source's URL is https (the environment's CA bundle is checked only then)."""
    for key in FILE_KEYS:
        path = getattr(access, key)
        if path is None:
            continue
        try:
            text = path.read_bytes()
        except OSError as exc:
            return f"{setting_key(access.source, key)}: cannot read {path}: {exc.strerror}"
        if key in ("bearer_token_file", "password_file") and not text.strip():
            return f"{setting_key(access.source, key)}: {path} is empty"
    if access.ca_file is None and access.client_cert is None and not (tls and ENV_CA_BUNDLE):
        # Nothing of the user's: certifi's bundle, or the environment's for a URL that is not
        # https (never loaded: a bundle takes ~15 ms to load, at every start).
        return ""
    files = (access.ca_path, access.cert_file, access.key_file)
    stamps = tuple(_stamp(str(path)) for path in files if path)
    problem = _pem_problem(access.ca_path, access.client_cert, stamps)
    if problem:
        which = "cert_file/key_file" if access.client_cert else "ca_file"
        return f"{access.source} {which}: not a usable PEM certificate (or key): {problem}"
    return ""


def _stamp(path: str) -> tuple[int, int]:
    try:
        found = os.stat(path)
    except OSError:
        return (0, -1)
    return (found.st_mtime_ns, found.st_size)


@cache
def _pem_problem(
    ca_path: str, client_cert: tuple[str, str] | str | None, stamps: tuple[tuple[int, int], ...]
) -> str:
    """Why the CA bundle and client certificate make no TLS context ("" when they do): loaded
    once per files and their versions (`stamps`), not once per source sharing them (a bundle
    takes ~15 ms to load)."""
    try:
        _context(ca_path, client_cert)
    except (ssl.SSLError, OSError, ValueError) as exc:
        return str(exc)
    return ""


def access_values(values: Mapping[str, Any], source: str) -> dict[str, str]:
    """The access settings of `source`: its own (`prometheus_ca_file`) where set, else the
    unprefixed ones (`ca_file`)."""
    return {
        key: str(values.get(setting_key(source, key)) or values.get(key) or "")
        for key in ACCESS_KEYS
    }


def access_of(values: Mapping[str, Any], base_dir: Path, source: str) -> HttpAccess:
    """The access of one source from a target's settings; file paths relative to the targets
    file's folder, `~` expanded."""
    raw = access_values(values, source)

    def file(key: str) -> Path | None:
        if not raw[key]:
            return None
        path = Path(os.path.expanduser(raw[key]))
        return path if path.is_absolute() else base_dir / path

    return HttpAccess(
        source,
        ca_file=file("ca_file"),
        cert_file=file("cert_file"),
        key_file=file("key_file"),
        bearer_token_file=file("bearer_token_file"),
        username=raw["username"],
        password_file=file("password_file"),
    )


def access_problem(
    access: HttpAccess, url: str, checked: dict[tuple[HttpAccess, bool], str] | None = None
) -> str:
    """A contradiction in the access settings of a source, in words ("" when none). `checked`:
    the files of each access already checked in this load (a fleet's bots share their access:
    its CA bundle is loaded once, not once per bot, ~15 ms each)."""
    fix = access.fix
    if access.key_file and not access.cert_file:
        return f"{fix('key_file')} is set without {fix('cert_file')}"
    if access.bearer_token_file and access.username:
        return (
            f"both {fix('bearer_token_file')} and {fix('username')} are set: a source takes one "
            "kind of credentials (as Prometheus's http_config does)"
        )
    if access.username and not access.password_file:
        return f"{fix('username')} is set without {fix('password_file')}"
    if access.password_file and not access.username:
        return f"{fix('password_file')} is set without {fix('username')}"
    try:
        in_url = urlsplit(url).username is not None
    except ValueError:
        in_url = False
    if in_url and (access.username or access.bearer_token_file):
        return (
            f"the {access.source} URL carries credentials and {fix('username')} / "
            f"{fix('bearer_token_file')} is set too: keep one"
        )
    tls = url.lower().startswith("https:")
    if checked is None:
        return check_access(access, tls=tls)
    if (access, tls) not in checked:
        checked[(access, tls)] = check_access(access, tls=tls)
    return checked[(access, tls)]
