"""Prometheus's matrix answers decoded straight from the bytes: the same Series as JSON decoding
gives, whatever the labels hold; anything laid out otherwise is decoded as JSON, and what is not
a matrix at all is a ValueError (the probe's "answer is not Prometheus JSON")."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burnin.series import Points, Series, _lean_matrix, decode_matrix


def as_json(result: list[dict], **extra: object) -> bytes:
    """Prometheus's layout: compact, keys in its order."""
    answer = {"status": "success", "data": {"resultType": "matrix", "result": result}, **extra}
    return json.dumps(answer, separators=(",", ":")).encode()


def by_json(body: bytes) -> list[Series]:
    result = json.loads(body)["data"]["result"]
    return [Series(item["metric"], Points.of(item["values"])) for item in result]


def same(a: list[Series], b: list[Series]) -> bool:
    def key(points: Points) -> list[tuple[float, str]]:
        return [(t, "nan" if math.isnan(v) else repr(v)) for t, v in points]

    return len(a) == len(b) and all(
        x.labels == y.labels and key(x.points) == key(y.points) for x, y in zip(a, b, strict=True)
    )


ANSWER = [
    {"metric": {"__name__": "bot_connected", "instance": "bot-1"},
     "values": [[1796000000, "1"], [1796000015.5, "0"], [1796000030, "NaN"]]},
    # Label values that look like the layout itself: escaped, they cannot end a series.
    {"metric": {"note": '"values":[[1,"2"]]}', "odd": "a,\"b\"]]}{\\"},
     "values": [[1796000000, "+Inf"], [1796000015, "-Inf"], [1796000030, "1e-9"]]},
    {"metric": {}, "values": [[1796000000, "3.25"]]},
]  # fmt: skip


def test_prometheus_s_layout_is_read_series_by_series_as_json_reads_it():
    body = as_json(ANSWER)
    assert same(_lean_matrix(body), by_json(body))
    assert same(decode_matrix(body), by_json(body))
    assert decode_matrix(as_json([])) == []


def test_warnings_after_the_result_are_left_as_json_leaves_them():
    body = as_json(ANSWER[:1], warnings=["PromQL info: metric might not be a counter"])
    assert same(decode_matrix(body), by_json(body))


@pytest.mark.parametrize(
    "body",
    [
        # another server's layout (VictoriaMetrics puts isPartial first)
        b'{"status":"success","isPartial":false,"data":{"resultType":"matrix","result":['
        b'{"metric":{"a":"b"},"values":[[1,"2"]]}]}}',
        # a native histogram series: no "values" of its own
        as_json(
            [
                {"metric": {"a": "h"}, "histograms": [[1, {"count": "2", "sum": "3"}]]},
                {"metric": {"a": "b"}, "values": [[1, "2"]]},
            ]
        ),  # fmt: skip
        # whitespace between tokens
        b'{"status": "success", "data": {"resultType": "matrix", "result": ['
        b'{"metric": {"a": "b"}, "values": [[1, "2"], [2, "3"]]}]}}',
    ],
)
def test_an_answer_laid_out_otherwise_is_decoded_as_json(body):
    with pytest.raises(ValueError):
        _lean_matrix(body)
    decoded = json.loads(body)["data"]["result"]
    wanted = [Series(i["metric"], Points.of(i.get("values", []))) for i in decoded]
    assert same(decode_matrix(body), wanted)


@pytest.mark.parametrize(
    "body", [b"<html>502 Bad Gateway</html>", b'{"status":"success","data":{}}', b"[1,2]", b""]
)
def test_what_is_not_a_matrix_answer_is_a_value_error(body):
    with pytest.raises(ValueError):
        decode_matrix(body)


labels = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4)
values = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=2e9, allow_nan=False),
        st.floats(allow_nan=True, allow_infinity=True),
    ),
    min_size=1,
    max_size=20,
)


@given(st.lists(st.tuples(labels, values), max_size=5))
def test_any_labels_and_values_decode_as_json_decodes_them(series):
    def text(v: float) -> str:
        return (
            "NaN"
            if math.isnan(v)
            else "+Inf"
            if v == math.inf
            else "-Inf"
            if v == -math.inf
            else repr(v)
        )

    body = as_json([{"metric": m, "values": [[t, text(v)] for t, v in pts]} for m, pts in series])
    assert same(_lean_matrix(body), by_json(body))


def test_an_interner_keeps_equal_arrays_once_and_only_byte_equal_ones():
    """A bot's families share their scrape times, a healthy fleet's 0/1 series their values:
    kept once. Equal means the same bytes: 0.0 and -0.0 stay apart."""
    from array import array

    from burnin.series import Interner

    intern = Interner()
    times = array("d", [1.0, 16.0, 31.0])
    assert intern(times) is times
    assert intern(array("d", [1.0, 16.0, 31.0])) is times
    zero = intern(array("d", [0.0, 0.0]))
    assert intern(array("d", [-0.0, 0.0])) is not zero
    assert intern(array("d", [1.0, 16.0])) is not times


def test_answers_decoded_with_one_interner_share_their_equal_arrays():
    from burnin.series import Interner, decode_matrix

    def answer(name, values):
        pairs = ",".join(f'[{t},"{v}"]' for t, v in zip((1.5, 16.5, 31.5), values, strict=True))
        return (
            '{"status":"success","data":{"resultType":"matrix","result":['
            f'{{"metric":{{"__name__":"{name}"}},"values":[{pairs}]}}]}}}}'
        ).encode()

    intern = Interner()
    connected = decode_matrix(answer("bot_connected", (1, 1, 1)), intern)[0].points
    errors = decode_matrix(answer("bot_errors_total", (3, 4, 4)), intern)[0].points
    assert list(errors) == [(1.5, 3.0), (16.5, 4.0), (31.5, 4.0)]
    assert errors.times is connected.times
    assert errors.values is not connected.values
