"""The health endpoint: it answers with a JSON object, each health field the configuration
names is in it, its status is one of the healthy words, and the version and channel the run
expects are the ones it reports."""

from __future__ import annotations

import json
from collections.abc import Mapping

from burnin.config import Target
from burnin.doctor.checks import Check, not_checked, table_line
from burnin.doctor.explain import unanswered
from burnin.doctor.names import closest
from burnin.probes.health import MAX_BODY_BYTES, timed_get
from burnin.redact import redact_url


def planned_health(target: Target) -> list[str]:
    planned = [f"health field {name}" for name in target.health_fields]
    planned.append("health status word")
    planned += [f"health {key}" for key in ("version", "channel") if target[key]]
    return planned


def check_health(target: Target) -> list[Check]:
    url = target.settings.health_url
    where = f"health {redact_url(url)}"
    answer = timed_get(url, target.settings.timeout_s, MAX_BODY_BYTES, target.access("health"))
    if answer.problem or answer.status != 200:
        problem = answer.problem or f"HTTP {answer.status}"
        return unanswered(where, problem, "health", planned_health(target))
    try:
        document = json.loads(answer.body.decode("utf-8", errors="replace"))
    except ValueError as exc:
        document = exc
    if not isinstance(document, dict):
        problem = (
            f"not JSON: {document}"
            if isinstance(document, ValueError)
            else f"not a JSON object: {type(document).__name__}"
        )
        return [
            Check(False, where, problem, "check health_url (the bot's /api/health)"),
            *not_checked(planned_health(target), "health: the answer is no JSON object"),
        ]
    checks = [Check(True, where, f"HTTP 200 in {answer.total_ms:.0f} ms, a JSON object")]
    taken = set(target.health_fields.values())
    for contract_name, key in target.health_fields.items():
        if key == "":
            checks.append(Check(True, f"health field {contract_name}", "declared absent"))
        elif key in document:
            checks.append(Check(True, f"health field {contract_name}", f"{key!r} present"))
        else:
            near = closest(key, [k for k in document if k not in taken])
            checks.append(
                Check(
                    False,
                    f"health field {contract_name}",
                    f"{key!r} missing; the JSON has {', '.join(sorted(document))}; closest: "
                    f"{', '.join(near) or 'none'}",
                    table_line(target, "health_fields", contract_name, near[0] if near else ""),
                )
            )
    status_key = target.health_fields.get("status", "status")
    status = document.get(status_key)
    words = target.settings.healthy_status
    if isinstance(status, str) and status in words:
        checks.append(Check(True, "health status word", f"{status!r} is a healthy word"))
    elif isinstance(status, str) and status in target.settings.degraded_status:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, one of the degraded words: the bot says it is degraded "
                "right now (the words are right; the bot is not healthy)",
            )
        )
    else:
        checks.append(
            Check(
                False,
                "health status word",
                f"status is {status!r}, not one of {', '.join(repr(w) for w in words)} (is the "
                "bot healthy right now, or does it say so in other words?)",
                f'healthy_status = ["{status}"]' if isinstance(status, str) else "",
            )
        )
    for key in ("version", "channel"):
        if target[key]:
            checks.append(_expected_value(target, document, key))
    return checks


def _expected_value(target: Target, document: Mapping[str, object], key: str) -> Check:
    """The version (channel) the run expects against the one the bot reports now."""
    what = f"health {key}"
    expected = target[key]
    field_name = target.health_fields[key]
    if field_name == "":
        return Check(
            False,
            what,
            f"{key} {expected!r} is expected, but the health JSON carries none "
            f'(health_fields.{key} = "")',
            f'{key} = ""',
        )
    if field_name not in document:
        return Check(False, what, f"{field_name!r} missing (see health field {key})")
    reported = document[field_name]
    if reported == expected:
        return Check(True, what, f"{reported!r}, as expected")
    return Check(
        False,
        what,
        f"the bot reports {reported!r}, the run expects {expected!r}",
        f"{key} = {json.dumps(reported)}  (if that is the right one)"
        if isinstance(reported, str)
        else "",
    )
