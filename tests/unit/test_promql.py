"""PromQL text from configuration: label values escaped, selectors parsed strictly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.promql import (
    BOT_METRICS,
    CONTRACT_METRICS,
    PROCESS_METRICS,
    Matcher,
    Metrics,
    escape_label_value,
    fleet_member,
    parse_selector,
    scope_of,
    selects,
)


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("production", "production"),
        ('say "hi"', 'say \\"hi\\"'),
        ("C:\\bot", "C:\\\\bot"),
        ("two\nlines", "two\\nlines"),
        ('\\"', '\\\\\\"'),
        ("", ""),
    ],
)
def test_escape_label_value_escapes_quotes_backslashes_and_newlines(value, escaped):
    assert escape_label_value(value) == escaped


def test_matcher_text_quotes_and_escapes_its_value():
    assert str(Matcher("job", "=~", 'rosey"bot\n')) == 'job=~"rosey\\"bot\\n"'


def test_parse_selector_reads_every_operator():
    assert parse_selector('env="production", job=~"rosey.*", a!="b", c!~"d"') == (
        Matcher("env", "=", "production"),
        Matcher("job", "=~", "rosey.*"),
        Matcher("a", "!=", "b"),
        Matcher("c", "!~", "d"),
    )


def test_parse_selector_accepts_braces_spaces_and_a_trailing_comma():
    assert parse_selector(' {env = "prod" ,} ') == (Matcher("env", "=", "prod"),)


def test_parse_selector_unescapes_values():
    assert parse_selector(r'msg="a\"b\\c\nd"') == (Matcher("msg", "=", 'a"b\\c\nd'),)


def test_parse_selector_of_empty_text_is_no_matchers():
    assert parse_selector("") == ()
    assert parse_selector("{}") == ()


@pytest.mark.parametrize(
    "text",
    [
        "env=production",
        "env='production'",
        'env="a" job="b"',
        '1env="x"',
        'env=="x"',
        'env="unterminated',
        'env="x"; drop',
        'env="x"} or vector(1) {a="b"',
        "production",
    ],
)
def test_parse_selector_rejects_garbage(text):
    with pytest.raises(ValueError, match="expected label matchers like"):
        parse_selector(text)


def test_parse_selector_round_trips_through_matcher_text():
    text = 'env="production",job=~"rosey-bot|rosey_bot",path!="C:\\\\x"'
    matchers = parse_selector(text)
    assert ",".join(str(m) for m in matchers) == text
    assert parse_selector(",".join(str(m) for m in matchers)) == matchers


labels = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,15}", fullmatch=True)
operators = st.sampled_from(["=", "!=", "=~", "!~"])


@pytest.mark.parametrize(
    ("selector", "labels", "selected"),
    [
        ('env="prod"', {"env": "prod"}, True),
        ('env="prod"', {"env": "production"}, False),
        ('env!="staging"', {"env": "prod"}, True),
        ('env!="staging"', {"env": "staging"}, False),
        ('job=~"ro.*"', {"job": "rosey"}, True),
        ('job=~"ro"', {"job": "rosey"}, False),  # anchored, as Prometheus anchors regexes
        ('job!~"stag.*|dev"', {"job": "dev"}, False),
        ('job!~"stag.*|dev"', {"job": "rosey"}, True),
        # An absent label (or an empty one: Prometheus drops it) is the value "".
        ('env="prod"', {}, False),
        ('env="prod"', {"env": ""}, False),
        ('env!="staging"', {}, True),
        ('env=~".*"', {}, True),
        ('env="prod", job=~"ro.*"', {"env": "prod", "job": "rosey"}, True),
        ('env="prod", job=~"ro.*"', {"env": "prod", "job": "other"}, False),
        ("", {"env": "anything"}, True),  # no matchers select every series
        # A regex Python cannot read selects (as scope_of counts it): never hides a series.
        ('env=~"(unclosed"', {"env": "prod"}, True),
    ],
)
def test_selects_applies_every_matcher_to_the_series_labels(selector, labels, selected):
    assert selects(parse_selector(selector), labels) is selected


label_sets = st.dictionaries(
    st.sampled_from(["env", "job", "instance"]), st.sampled_from(["", "prod", "rosey", "x"])
)


@given(
    matchers=st.lists(
        st.builds(
            Matcher,
            st.sampled_from(["env", "job", "instance"]),
            operators,
            st.sampled_from(["", "prod", "rosey", "x", "ro.*", "prod|x", ".*"]),
        ),
        max_size=4,
    ),
    series=label_sets,
)
def test_selects_is_scope_of_refusing_and_missing_nothing(matchers, series):
    """One rule: a series the selector selects is one scope_of calls the target's own."""
    scope = scope_of(tuple(matchers), series)
    assert selects(tuple(matchers), series) is (not scope.refused and not scope.missing)


@given(value=st.text())
def test_any_label_value_survives_matcher_text_and_parsing(value):
    matcher = Matcher("env", "=", value)
    assert parse_selector(str(matcher)) == (matcher,)


@given(matchers=st.lists(st.builds(Matcher, labels, operators, st.text()), max_size=5))
def test_any_list_of_matchers_survives_selector_text_and_parsing(matchers):
    text = ", ".join(str(m) for m in matchers)
    assert parse_selector(text) == tuple(matchers)


@given(value=st.text())
def test_escaped_value_never_ends_the_string_early(value):
    """No unescaped quote and no raw newline reach the query text."""
    escaped = escape_label_value(value)
    assert "\n" not in escaped
    unescaped_backslashes = 0
    for char in escaped:
        if char == '"':
            assert unescaped_backslashes % 2 == 1
        unescaped_backslashes = unescaped_backslashes + 1 if char == "\\" else 0


def test_metrics_series_without_prefix():
    metrics = Metrics(parse_selector('env="production"'))
    assert metrics.series("bot_connected") == 'bot_connected{env="production"}'


def test_metrics_series_with_prefix_and_extra_matchers():
    metrics = Metrics(parse_selector('env="prod", job="rosey-bot"'), prefix="rosey_")
    assert (
        metrics.series("bot_errors_total", (Matcher("level", "=", 'x"y'),))
        == 'rosey_bot_errors_total{env="prod",job="rosey-bot",level="x\\"y"}'
    )


def test_metrics_series_with_no_selector_has_empty_braces():
    assert Metrics(()).series("bot_connected") == "bot_connected{}"


def test_the_prefix_applies_to_the_bots_own_metrics_only():
    metrics = Metrics(parse_selector('env="prod"'), prefix="rosey_")
    assert metrics.name("bot_connected") == "rosey_bot_connected"
    # Client libraries export the standard process metrics and Prometheus its `up` unprefixed.
    assert metrics.name("process_cpu_seconds_total") == "process_cpu_seconds_total"
    assert metrics.series("up") == 'up{env="prod"}'


def test_a_mapped_name_replaces_the_contract_name_and_ignores_the_prefix():
    metrics = Metrics(
        parse_selector('env="prod"'),
        prefix="rosey_",
        names={"bot_connected": "irc_connected", "process_resident_memory_bytes": "rss_bytes"},
    )
    assert metrics.name("bot_connected") == "irc_connected"
    assert metrics.series("process_resident_memory_bytes") == 'rss_bytes{env="prod"}'
    assert metrics.name("bot_users") == "rosey_bot_users"  # unmapped: the prefix rule


def test_contract_metrics_are_the_bots_and_the_process_metrics():
    assert set(BOT_METRICS) | set(PROCESS_METRICS) == set(CONTRACT_METRICS)
    assert all(name.startswith("bot_") for name in BOT_METRICS)
    assert all(name.startswith("process_") for name in PROCESS_METRICS)
    assert "bot_connected" in CONTRACT_METRICS and "process_start_time_seconds" in CONTRACT_METRICS


@given(
    name=st.sampled_from(CONTRACT_METRICS), prefix=st.from_regex(r"[a-z]{0,8}_?", fullmatch=True)
)
def test_every_contract_name_resolves_to_a_selector_with_the_matchers(name, prefix):
    selector = Metrics(parse_selector('env="production"'), prefix=prefix).series(name)
    expected = prefix + name if name.startswith("bot_") else name
    assert selector == f'{expected}{{env="production"}}'


def test_a_bot_s_total_counts_each_series_once_whichever_jobs_scrape_it():
    metrics = Metrics(parse_selector('env="prod"'))
    assert metrics.total("increase(x[1h])") == "sum(max without (job)(increase(x[1h])))"
    pinned = Metrics(parse_selector('env="prod",job="rosey-bot"'))
    assert pinned.total("increase(x[1h])") == "sum(increase(x[1h]))"
    by_job = fleet_member('job="{instance}"', parse_selector('job="bot-1"'), ("bot-1",), "bot-1")
    fleet = Metrics(parse_selector('job="bot-1"'), member=by_job)
    assert fleet.total("increase(x[1h])") == "sum by (job)(increase(x[1h]))"
    by_instance = fleet_member(
        'instance="{instance}"', parse_selector('instance="bot-1"'), ("bot-1",), "bot-1"
    )
    fleet = Metrics(parse_selector('instance="bot-1"'), member=by_instance)
    assert fleet.total("rate(x[5m])") == "sum by (instance)(max without (job)(rate(x[5m])))"


def test_a_bot_s_window_total_takes_one_copy_at_each_moment():
    """Over a whole window the copy is taken per moment (a subquery): a job renamed inside it
    leaves two series one after the other, both counted."""
    metrics = Metrics(parse_selector('env="prod"'))
    assert metrics.total_over("increase", 'x{env="prod"}', 3600) == (
        'sum(increase((max without (job)(x{env="prod"}))[3600s:15s]))'
    )
    pinned = Metrics(parse_selector('env="prod",job="rosey-bot"'))
    assert pinned.total_over("resets", "x", 3600) == "sum(resets(x[3600s]))"
