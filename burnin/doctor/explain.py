"""Why a source did not answer, in our words, with the setting to change.

Two places explain a failure, each its own part; neither words what the other does:
- The HTTP probes (burnin.probes.failures: `explain`, `explain_status`) write one line with its
  fix for what an HTTP request meets: TLS trust and host names, client certificates, TLS
  spoken to a plain port, proxies, a name that does not resolve, 401, 403 and 407 from every
  HTTP source, and connection refused, timeouts and dropped connections of requests' sources
  (Prometheus, the Alertmanager, the dashboard). `explain` here shows that line as it is
  (`split_fix`).
- This module explains what no probe does: a clock off (Prometheus's Date header, the host's
  `date`); SSH (a changed host key, a missing known_hosts, a key not in it, a refused login,
  and the SSH connection's name, refusal, route and timeout); the health probe's network
  failures it leaves in the library's words (refused, no route, no answer within the timeout);
  statuses the probes pass on bare (404, 5xx, any other); an answer that is not JSON; and
  anything else, by its innermost text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from burnin.doctor.checks import Check, not_checked
from burnin.probes.failures import chain_of, split_fix
from burnin.redact import REDACTED

URL_SETTINGS = {
    "prometheus": "prometheus_url",
    "health": "health_url",
    "alertmanager": "alertmanager_url",
    "dashboard": "dashboard_url",
}
SERVERS = {
    "prometheus": "Prometheus",
    "health": "the bot's health server",
    "alertmanager": "the Alertmanager",
    "dashboard": "the dashboard",
    "ssh": "sshd",
}
_CREDENTIALS = re.compile(r"(://[^/\s:@]*):[^/\s@]*@")
_HTTP_STATUS = re.compile(r"HTTP (?:Status Code )?(\d{3})\b|\b(\d{3}) (?:Client|Server) Error")


def _chain_text(error: BaseException | str) -> str:
    """Every exception behind `error` (failures.chain_of), type and text."""
    if isinstance(error, str):
        return error
    return " | ".join(f"{type(exc).__name__}: {exc}" for exc in chain_of(error))


# What a probe puts before the cause: "prometheus at URL: ", "query '...' failed: ", ...
PROBE_PREFIX = re.compile(
    r"^(?:[A-Za-z]+Error: )?(?:[a-z]+ at \S+: )?(?:(?:not reachable|not ready|query .*? failed|GET \S+ failed): )?",
    re.DOTALL,
)


def explain(error: BaseException | str, source: str) -> tuple[str, str]:
    """(cause, fix) for a source that did not answer: the probe's own line when it wrote one,
    else in our words (see the module's note for which is which). `error` is the exception (its
    causes are read too) or a probe's problem text; `source` is prometheus, health,
    alertmanager, dashboard or ssh. The fix names the setting to change."""
    text = _CREDENTIALS.sub(rf"\1:{REDACTED}@", _chain_text(error))
    own = split_fix(PROBE_PREFIX.sub("", text.split(" | ")[0]))
    if own is not None:  # the probe's own line already says what happened and the fix
        return own
    url = URL_SETTINGS.get(source, "")
    where = url or "ssh_host and ssh_port"

    def has(*words: str) -> bool:
        return any(w.lower() in text.lower() for w in words)

    skew = re.search(r"clock skew: (.*? this machine's)", text)
    if skew:
        return (
            f"clock skew: {skew.group(1)}",
            "fix the time sync (NTP) of this machine or of the host",
        )
    if source == "ssh":
        if has("host key CHANGED"):
            return (
                "the host's key CHANGED since known_hosts recorded it (someone in the middle, or "
                "the host was rebuilt)",
                "verify the host's key, then replace its line in known_hosts",
            )
        missing = re.search(r"known_hosts file (.*?) not found", text)
        if missing:
            return (
                f"the known_hosts file {missing.group(1)} does not exist: the host's key cannot "
                "be verified",
                "set known_hosts to a file holding the host's key, or accept_new_host_key = true",
            )
        if has("not found in known_hosts", "host key not in"):
            return (
                "the host's key is not in known_hosts",
                "add the host's key to known_hosts (ssh-keyscan, after verifying it), or set "
                "accept_new_host_key = true",
            )
        if has("authentication refused", "Authentication failed", "AuthenticationException"):
            return (
                "the host refused the login",
                "set ssh_user and ssh_key to a login whose key is in the host's authorized_keys",
            )
    if has(
        "Name or service not known",
        "Failed to resolve",
        "nodename nor servname",
        "name resolution",
        "getaddrinfo failed",
        "No address associated",
        "gaierror",
    ):
        return "its host name does not resolve", f"check {where} (the host name)"
    if has("Connection refused", "Errno 111", "Unable to connect to port"):
        return (
            "connection refused: nothing listens at that host and port",
            f"check {where} (host and port), or start {SERVERS.get(source, source)}",
        )
    if has("No route to host", "Network is unreachable"):
        return "no route to the host", f"check {where} and the network between"
    if has("timed out", "timeout", "no answer within", "no complete answer within"):
        return (
            "no answer within timeout_s",
            f"check {where} and the firewall, or raise timeout_s (--source-timeout)",
        )
    status = _HTTP_STATUS.search(text)
    code = int(status.group(1) or status.group(2)) if status else 0
    if code == 404:
        return "HTTP 404: nothing at this path", f"check {url} (a path prefix missing?)"
    if code >= 500:
        server = SERVERS.get(source, source)
        return f"HTTP {code}: {server} answers with an error", f"see the logs of {server}"
    if code:
        return f"HTTP {code}", f"check {url}"
    if has("not Prometheus JSON", "JSONDecodeError", "not JSON"):
        return "the answer is not Prometheus' JSON (another server at this URL?)", f"check {url}"
    innermost = text.rsplit(" | ", 1)[-1]
    return innermost[:160], f"check {where}"


def source_line(what: str, error: BaseException | str, source: str) -> Check:
    cause, fix = explain(error, source)
    return Check(False, what, cause, fix)


def unanswered(
    what: str, error: BaseException | str, source: str, planned: Iterable[str]
) -> list[Check]:
    """A source that did not answer: its line with the cause and fix, and every check it would
    have answered not checked, for that cause."""
    line = source_line(what, error, source)
    return [line, *not_checked(planned, f"{source}: {line.detail}")]
