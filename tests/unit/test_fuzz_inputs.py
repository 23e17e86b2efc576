"""Bad input never raises an internal error: generated health payloads (any JSON, any bytes),
thresholds and targets documents, and PromQL label values are each accepted, or refused with
the parser's own error naming what is wrong (the file and key, for configuration).

EXAMPLES cases each; with the other Hypothesis tests of ci/test well over 10,000 in all.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from burnin.catalogue import CRITERIA
from burnin.config import HEALTH_FIELDS, SETTINGS, load_target, load_thresholds
from burnin.errors import ConfigError
from burnin.probes.health import HealthPayload, PayloadError, parse_health
from burnin.promql import Matcher, escape_label_value, parse_selector

EXAMPLES = 1600
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parents[2]
SAME_NAMES = {name: name for name in HEALTH_FIELDS}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Near the contract: the right keys, any values (most interesting for the type checks).
contract_like = st.fixed_dictionaries(
    {},
    optional={name: json_values for name in HEALTH_FIELDS},
)


@FUZZ
@given(body=st.one_of(st.binary(max_size=200), contract_like, json_values))
def test_any_health_body_is_a_payload_or_a_payload_error(body):
    if isinstance(body, bytes):
        text = body.decode("utf-8", errors="replace")
    else:
        try:
            text = json.dumps(body)
        except ValueError:  # NaN/inf are still JSON to Python's encoder; keep them
            text = str(body)
    try:
        payload = parse_health(text, SAME_NAMES)
    except PayloadError as exc:
        assert str(exc)  # says what is wrong
        return
    assert isinstance(payload, HealthPayload)
    assert payload.status is not None and isinstance(payload.connected, bool)
    assert payload.user_count >= 0 and payload.error_count >= 0


toml_scalars = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # TOML writes inf and nan so
    st.booleans().map(lambda b: "true" if b else "false"),
    st.text(alphabet=string.printable, max_size=15).map(json.dumps),
    st.lists(st.text(alphabet=string.ascii_letters + "-:", max_size=8), max_size=3).map(json.dumps),
)
threshold_keys = st.sampled_from(
    ["unit", "better", "target", "acceptable", "critical", "hours", "minutes", "marker",
     "criteria", "timezone", "peak", "off_peak", "min_percent", "quiet_s", "health_requests",
     "bogus"]
)  # fmt: skip
threshold_tables = st.sampled_from(
    ["metrics.uptime", "metrics.error_rate", "metrics.cpu", "phases.6h", "phases.24h",
     "phases.smoke", "traffic", "coverage", "sampling", "channel_events", "metrics.uptime.phase.6h",
     "nonsense"]
)  # fmt: skip


def toml_document(tables: dict[str, dict[str, str]]) -> str:
    return "\n".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in body.items())
        for name, body in tables.items()
    )


def tempfile_with(text: str, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="burnin-fuzz-"))
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@FUZZ
@given(
    changes=st.dictionaries(
        threshold_tables, st.dictionaries(threshold_keys, toml_scalars, max_size=4), max_size=4
    )
)
def test_any_thresholds_document_loads_or_is_refused_naming_the_file(changes):
    base = (ROOT / "thresholds.toml").read_text()
    path = tempfile_with(base + "\n" + toml_document(changes), "thresholds.toml")
    try:
        load_thresholds(path, CRITERIA)
    except ConfigError as exc:
        assert str(exc).startswith(("thresholds.toml: ", str(path))), str(exc)
    finally:
        path.unlink()
        path.parent.rmdir()


target_keys = st.sampled_from([s.key for s in SETTINGS] + ["extends", "bogus"])
target_tables = st.sampled_from(["", ".health_fields", ".metrics", ".expected_alerts"])
sub_keys = st.sampled_from(
    [*HEALTH_FIELDS, "bot_users", "bot_connected", "process_cpu_seconds_total", "RoseyBotDown",
     "x y"]
)  # fmt: skip


@FUZZ
@given(
    settings_table=st.dictionaries(target_keys, toml_scalars, max_size=5),
    sub=target_tables,
    sub_table=st.dictionaries(sub_keys, toml_scalars, max_size=3),
)
def test_any_target_loads_or_is_refused_naming_the_file(settings_table, sub, sub_table):
    text = toml_document({"targets.lab": settings_table})
    if sub:
        text += "\n" + toml_document({f"targets.lab{sub}": sub_table})
    path = tempfile_with(text, "targets.toml")
    try:
        load_target(path, {}, {}, "lab")
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith(("targets.toml", str(path), "--", "BURNIN_")), message
    finally:
        path.unlink()
        path.parent.rmdir()


@FUZZ
@given(value=st.text(max_size=40))
def test_any_label_value_survives_escaping_and_parsing(value):
    matcher = Matcher("env", "=", value)
    (parsed,) = parse_selector(str(matcher))
    assert parsed == matcher
    assert '"' not in escape_label_value(value).replace('\\"', "")


@FUZZ
@given(text=st.text(max_size=60))
def test_any_selector_text_parses_or_is_refused_with_the_offending_text(text):
    try:
        matchers = parse_selector(text)
    except ValueError as exc:
        assert "expected label matchers like" in str(exc)
        return
    assert all(isinstance(m, Matcher) for m in matchers)
