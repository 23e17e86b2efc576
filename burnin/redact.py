"""Secrets never reach a message: URLs are shown with their password and secret-looking query
values replaced, wherever the suite prints them (evidence, causes, source errors, reports)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"
# Query parameters whose values are secrets (matched case-insensitively, anywhere in the name).
SECRET_PARAM = re.compile(r"token|secret|pass|key|auth|sig|credential", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL with its password and secret-looking query values replaced."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED  # unparseable: show nothing rather than a secret
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{host}" if ":" in userinfo else f"{REDACTED}@{host}"
    query = urlencode(
        [
            (k, REDACTED if SECRET_PARAM.search(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
