"""Every HTTP source reached the way production serves it (burnin.config.access), against real
TLS servers on 127.0.0.1: a private CA, a client certificate, a bearer token, basic auth, a
proxy. What the observer cannot do is its own failure (SOURCE_ERROR with the fix), never a
verdict on the bot; what the endpoint does (refuse, 5xx) still is."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from burnin.bands import Band
from burnin.config import SETTINGS_BY_KEY, load_target
from burnin.config import access as access_module
from burnin.config.access import HttpAccess, access_of
from burnin.criteria.health import (
    judge_health_latency,
    judge_health_up,
    measure_health_latency,
)
from burnin.errors import ConfigError, SourceError
from burnin.probes.failures import explain, explain_status
from burnin.probes.health import HealthProbe
from burnin.probes.http import http_get, new_session
from burnin.probes.prometheus import PrometheusProbe
from tests.unit.tls import Pki, basic, bearer, make_pki, proxy, serve

TOKEN = "tok-SECRET-MARKER-4711"
PASSWORD = "pw-SECRET-MARKER-0815"
READY = b"Prometheus Server is Ready.\n"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "token").write_text(TOKEN + "\n")
    (tmp_path / "password").write_text(PASSWORD + "\n")
    (tmp_path / "wrong").write_text("not-it\n")
    return {
        "token": tmp_path / "token",
        "password": tmp_path / "password",
        "wrong": tmp_path / "wrong",
    }


def health(url: str, access: HttpAccess) -> HealthProbe:
    return HealthProbe(f"{url}/api/health", 5.0, {}, access)


# ---------------------------------------------------------------- TLS trust


def test_a_private_ca_is_trusted_when_named(pki):
    with serve(pki) as (url, _):
        reading = health(url, HttpAccess("health", ca_file=pki.ca)).read()
    assert reading.ok and reading.payload is not None and reading.payload.status == "healthy"
    assert not reading.observer


def test_an_untrusted_certificate_is_the_observers_failure_with_the_fix(pki):
    with serve(pki) as (url, _):
        reading = health(url, HttpAccess("health")).read()
    assert reading.observer and reading.payload is None
    assert "not trusted" in reading.problem
    assert "set health_ca_file (or ca_file for every source)" in reading.problem
    verdict = judge_health_up(reading, "")
    assert verdict.band is Band.SOURCE_ERROR  # never CRITICAL: the bot is not down
    assert verdict.cause.startswith(f"health at {url}/api/health: TLS certificate")
    with serve(pki) as (url, _):
        latency = judge_health_latency(
            measure_health_latency(health(url, HttpAccess("health")), 2), _tiers()
        )
    assert latency.band is Band.SOURCE_ERROR


def _verify_failure(code: int, message: str) -> Exception:
    import ssl

    failure = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    failure.verify_code, failure.verify_message = code, message
    wrapper = ConnectionError("HTTPSConnectionPool(host='bot.example', port=443): Max retries")
    wrapper.__cause__ = failure
    return wrapper


def test_a_certificate_for_another_name_says_to_use_its_name_not_a_ca_file():
    """A CA file cannot mend a URL naming the server by a name its certificate lacks (an IP
    address, an internal alias): the line says so, still the observer's failure."""
    failure = _verify_failure(62, "Hostname mismatch, certificate is not valid for 'bot.example'.")
    said = explain(failure, HttpAccess("health"), "https://bot.example/api/health", 5.0)
    assert said.observer
    assert said.cause.startswith("TLS certificate of bot.example is not valid for the name")
    assert "health_url" in said.cause and "subjectAltName" in said.cause
    assert "ca_file" not in said.cause


def test_an_expired_certificate_says_the_server_needs_a_new_one():
    failure = _verify_failure(10, "certificate has expired")
    said = explain(failure, HttpAccess("prometheus"), "https://prom:9090", 5.0)
    assert said.observer and "prom:9090 has expired" in said.cause
    assert "renewed certificate" in said.cause


def test_the_wrong_ca_is_not_trusted_either(pki):
    with serve(pki) as (url, _):
        reading = health(url, HttpAccess("health", ca_file=pki.other_ca)).read()
    assert reading.observer and "not trusted" in reading.problem


def test_prometheus_with_an_untrusted_certificate_is_one_line_with_the_fix(pki):
    with serve(pki, body=READY) as (url, _):
        probe = PrometheusProbe(url, 5.0, access=HttpAccess("prometheus"))
        with pytest.raises(SourceError) as caught:
            probe.ready()
    cause = caught.value.cause
    assert "not trusted" in cause and "prometheus_ca_file (or ca_file" in cause
    assert "HTTPSConnectionPool" not in cause and "Max retries" not in cause and "\n" not in cause
    with serve(pki, body=READY) as (url, _):
        PrometheusProbe(url, 5.0, access=HttpAccess("prometheus", ca_file=pki.ca)).ready()


# ---------------------------------------------------------------- mutual TLS


def test_a_client_certificate_is_presented_when_configured(pki):
    access = HttpAccess(
        "health", ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.client_key
    )
    with serve(pki, client_cert=True) as (url, _):
        assert health(url, access).read().ok


def test_a_server_refusing_the_missing_client_certificate_is_the_observers_failure(pki):
    with serve(pki, client_cert=True) as (url, _):
        reading = health(url, HttpAccess("health", ca_file=pki.ca)).read()
    assert reading.observer, reading.problem
    assert "client certificate" in reading.problem and "health_cert_file" in reading.problem


def test_a_proxy_asking_for_a_client_certificate_in_http_400_is_the_observers_too():
    refused = explain_status(
        400,
        "<html>400 No required SSL certificate was sent</html>",
        HttpAccess("health"),
        "https://h/x",
    )
    assert refused is not None and refused.observer and "health_cert_file" in refused.cause


# ---------------------------------------------------------------- credentials


def test_a_bearer_token_is_sent_from_its_file(pki, secrets):
    with serve(pki, check=bearer(TOKEN)) as (url, _):
        good = HttpAccess("health", ca_file=pki.ca, bearer_token_file=secrets["token"])
        assert health(url, good).read().ok
        wrong = HttpAccess("health", ca_file=pki.ca, bearer_token_file=secrets["wrong"])
        reading = health(url, wrong).read()
    assert reading.observer and reading.http_status == 401
    assert "refused the credentials (HTTP 401)" in reading.problem
    assert "health_bearer_token_file" in reading.problem
    assert TOKEN not in reading.problem and "not-it" not in reading.problem


def test_basic_auth_from_username_and_password_file_for_prometheus(pki, secrets):
    with serve(pki, check=basic("burnin", PASSWORD), body=READY) as (url, _):
        good = HttpAccess(
            "prometheus", ca_file=pki.ca, username="burnin", password_file=secrets["password"]
        )
        PrometheusProbe(url, 5.0, access=good).ready()
        wrong = HttpAccess(
            "prometheus", ca_file=pki.ca, username="burnin", password_file=secrets["wrong"]
        )
        with pytest.raises(SourceError) as caught:
            PrometheusProbe(url, 5.0, access=wrong).ready()
    assert "refused the credentials (HTTP 401)" in caught.value.cause
    assert PASSWORD not in str(caught.value)


def test_credentials_in_the_url_still_work_for_the_health_endpoint():
    with serve(check=basic("ops", "pw")) as (url, _):
        with_user = url.replace("http://", "http://ops:pw@")
        reading = HealthProbe(f"{with_user}/api/health", 5.0, {}).read()
    assert reading.ok and "pw" not in reading.url


def test_alertmanager_checks_use_the_same_access(pki, secrets):
    access = HttpAccess("alertmanager", ca_file=pki.ca, bearer_token_file=secrets["token"])
    with serve(pki, check=bearer(TOKEN)) as (url, _):
        answer = http_get(new_session(access, url), f"{url}/-/ready", 5.0, access=access)
        assert answer.ok
        nothing = HttpAccess("alertmanager", ca_file=pki.ca)
        refused = http_get(new_session(nothing, url), f"{url}/-/ready", 5.0, access=nothing)
    assert refused.observer and "alertmanager_bearer_token_file" in refused.problem


# ---------------------------------------------------------------- what stays the bot's


def test_the_endpoint_refusing_connections_is_still_a_verdict_on_the_bot():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    reading = HealthProbe(f"http://127.0.0.1:{port}/api/health", 2.0, {}).read()
    assert not reading.observer and "not reachable" in reading.problem
    assert judge_health_up(reading, "").band is Band.CRITICAL


def test_a_5xx_is_still_a_verdict_on_the_bot():
    with serve(check=lambda _h: 503) as (url, _):
        reading = HealthProbe(f"{url}/api/health", 2.0, {}).read()
    assert not reading.observer and reading.problem == "HTTP 503"
    assert judge_health_up(reading, "").band is Band.CRITICAL


def test_a_name_that_does_not_resolve_is_the_observers_failure():
    reading = HealthProbe("http://no-such-host.invalid:8000/api/health", 2.0, {}).read()
    assert reading.observer and "does not resolve" in reading.problem
    assert judge_health_up(reading, "").band is Band.SOURCE_ERROR


# ---------------------------------------------------------------- proxies


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    with proxy() as (address, seen):
        monkeypatch.setattr(access_module, "ENV_PROXIES", {"http": address, "https": address})
        yield seen


def test_the_health_probe_goes_through_the_environments_proxy(proxied, pki):
    with serve() as (url, asked):
        assert HealthProbe(f"{url}/api/health", 5.0, {}).read().ok
    assert proxied == [f"GET {url}/api/health"] and asked == ["/api/health"]
    with serve(pki) as (url, _):
        assert health(url, HttpAccess("health", ca_file=pki.ca)).read().ok
    assert proxied[-1] == f"CONNECT {url.removeprefix('https://')}"


def test_no_proxy_is_honoured(monkeypatch, pki):
    with proxy() as (address, seen):
        monkeypatch.setattr(
            access_module, "ENV_PROXIES", {"http": address, "no": "127.0.0.1,localhost"}
        )
        with serve() as (url, _):
            assert HealthProbe(f"{url}/api/health", 5.0, {}).read().ok
    assert seen == []


# ---------------------------------------------------------------- settings


def _tiers():
    from burnin.bands import Better, Tiers

    return Tiers("health_latency", "ms", Better.LOWER, 100.0, 200.0, 50.0)


def write_targets(folder: Path, body: str) -> Path:
    path = folder / "targets.toml"
    path.write_text(
        'default = "prod"\n[targets.prod]\nhealth_url = "https://bot:8443/api/health"\n'
        'prometheus_url = "https://prom:9090/prometheus"\n' + body
    )
    return path


def test_every_access_setting_has_a_per_source_and_an_unprefixed_key_option_and_env():
    for key in access_module.ACCESS_KEYS:
        for name in (key, *(f"{s}_{key}" for s in access_module.HTTP_SOURCES)):
            setting = SETTINGS_BY_KEY[name]
            assert setting.option == "--" + name.replace("_", "-")
            assert setting.env == "BURNIN_" + name.upper()


def test_per_source_settings_win_over_those_for_every_source(tmp_path, pki):
    path = write_targets(tmp_path, f'ca_file = "{pki.other_ca}"\nprometheus_ca_file = "{pki.ca}"\n')
    target = load_target(path, {}, {})
    assert target.access("prometheus").ca_file == pki.ca
    assert target.access("health").ca_file == pki.other_ca


def test_relative_files_are_read_beside_the_targets_file(tmp_path, secrets):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "token").write_text("t\n")
    path = write_targets(tmp_path, 'prometheus_bearer_token_file = "secrets/token"\n')
    target = load_target(path, {}, {})
    assert target.access("prometheus").bearer_token_file == tmp_path / "secrets" / "token"


def test_options_and_env_set_access_too(tmp_path, pki):
    path = write_targets(tmp_path, "")
    target = load_target(
        path, {"health_ca_file": str(pki.ca)}, {"BURNIN_PROMETHEUS_CA_FILE": str(pki.ca)}
    )
    assert target.access("health").ca_file == pki.ca
    assert target.access("prometheus").ca_file == pki.ca
    assert target.sources["prometheus_ca_file"] == "BURNIN_PROMETHEUS_CA_FILE"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('prometheus_ca_file = "missing.pem"\n', "prometheus_ca_file: cannot read"),
        ('ca_file = "{garbage}"\n', "not a usable PEM certificate"),
        (
            'health_key_file = "{key}"\n',
            "health_key_file (or key_file for every source) is set without",
        ),
        (
            'prometheus_bearer_token_file = "{token}"\nprometheus_username = "u"\n'
            'prometheus_password_file = "{token}"\n',
            "a source takes one kind of credentials",
        ),
        ('prometheus_username = "u"\n', "is set without prometheus_password_file"),
        ('prometheus_bearer_token_file = "{empty}"\n', "is empty"),
    ],
)
def test_access_mistakes_are_one_configuration_line(tmp_path, pki, body, message):
    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    (tmp_path / "token").write_text("t\n")
    (tmp_path / "empty").write_text("\n")
    filled = body.format(
        garbage=tmp_path / "garbage.pem",
        key=pki.client_key,
        token=tmp_path / "token",
        empty=tmp_path / "empty",
    )
    with pytest.raises(ConfigError) as caught:
        load_target(write_targets(tmp_path, filled), {}, {})
    assert message in str(caught.value) and "targets.toml" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"http_proxy": "http://a:3128", "NO_PROXY": "localhost"},
        {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"},
        {"HTTP_PROXY": "http://cgi:1", "REQUEST_METHOD": "GET"},
        {"HTTP_PROXY": "http://cgi:1", "http_proxy": "http://own:2", "REQUEST_METHOD": "GET"},
        {"HTTPS_PROXY": "http://upper:1", "https_proxy": ""},
        {"all_proxy": "socks5://s:1080", "PATH": "/bin", "noproxy": "x"},
    ],
)
def test_the_environments_proxies_are_urllibs(monkeypatch, environ):
    import urllib.request

    for name in [n for n in os.environ if n.lower().endswith("_proxy") or n == "REQUEST_METHOD"]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    expected = urllib.request.getproxies_environment()
    assert access_module.environment_proxies(os.environ) == expected


def test_the_environments_bundle_is_checked_only_for_an_https_url(tmp_path, monkeypatch):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    monkeypatch.setattr(access_module, "ENV_CA_BUNDLE", str(garbage))
    access = HttpAccess("prometheus")
    assert access_module.access_problem(access, "http://prom:9090") == ""
    assert access_module.access_problem(access, "") == ""  # a source not configured
    assert "not a usable PEM certificate" in access_module.access_problem(
        access, "https://prom:9090"
    )


def test_files_shared_by_sources_are_loaded_once(tmp_path, pki, monkeypatch):
    loaded: list[str] = []
    context = access_module._context

    def counted(ca_path, client_cert):
        loaded.append(ca_path)
        return context(ca_path, client_cert)

    monkeypatch.setattr(access_module, "_context", counted)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca.read_bytes())
    for source in access_module.HTTP_SOURCES:
        assert access_module.check_access(HttpAccess(source, ca_file=ca)) == ""
    assert loaded == [str(ca)]
    ca.write_bytes(b"replaced by a file that is no certificate\n")  # a new version: read again
    assert "not a usable" in access_module.check_access(HttpAccess("health", ca_file=ca))


def test_credentials_in_the_url_and_in_settings_are_refused(tmp_path):
    (tmp_path / "token").write_text("t\n")
    path = tmp_path / "targets.toml"
    path.write_text(
        'default = "prod"\n[targets.prod]\nprometheus_url = "https://u:p@prom:9090"\n'
        f'prometheus_bearer_token_file = "{tmp_path / "token"}"\n'
    )
    with pytest.raises(ConfigError, match="URL carries credentials"):
        load_target(path, {}, {})


def test_access_holds_paths_never_secrets(secrets):
    access = access_of({"bearer_token_file": str(secrets["token"])}, Path("/"), "prometheus")
    session = access.session("https://prom:9090")
    assert TOKEN not in repr(access) and TOKEN not in repr(session.auth)
