"""The SVG line charts of a smoke run: well-formed, escaped, round gridlines."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from burnin.report import svg

NS = "{http://www.w3.org/2000/svg}"


def test_a_chart_is_well_formed_svg_with_its_points_levels_and_escaped_labels():
    chart = svg.Chart(
        "latency <p99> & more",
        "ms",
        [svg.Line([1, 2, 3], [4.0, 5.0, 6.0], point_colours=["green", "orange", "red"])],
        [(100.0, "acceptable", "orange")],
        [(1, "first"), (3, "last")],
        [("OK", "green")],
    )
    root = ET.fromstring(svg.render(chart))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "latency <p99> & more" in texts and "acceptable" in texts
    circles = [c for c in root.iter(f"{NS}circle")]
    assert [c.get("fill") for c in circles[:3]] == ["#2ca02c", "#ff7f0e", "#d62728"]
    assert len(list(root.iter(f"{NS}polyline"))) == 1


@pytest.mark.parametrize(
    ("highest", "top", "step"), [(8, 8, 2), (10.5, 15, 5), (210, 250, 50), (99, 100, 20)]
)
def test_the_axis_is_round(highest, top, step):
    assert svg._axis(highest) == (top, step)


def test_an_empty_or_flat_chart_still_renders():
    ET.fromstring(svg.render(svg.Chart("empty", "ms", [])))
    ET.fromstring(svg.render(svg.Chart("flat", "ms", [svg.Line([5], [0.0])])))


def test_a_range_away_from_zero_gets_round_gridlines_inside_it():
    assert svg._round_ticks(88.2, 95.1) == [(90.0, "90"), (92.0, "92"), (94.0, "94")]
    assert svg._round_ticks(-0.1, 1.2)[0] == (0.0, "0")


def test_time_ticks_fall_on_round_local_times():
    from zoneinfo import ZoneInfo

    start = 1796000000.0  # 2026-11-30 00:53:20 UTC
    ticks = svg.time_ticks(start, start + 86400, ZoneInfo("UTC"))
    assert [label for _, label in ticks] == [
        "11-30 06:00", "11-30 12:00", "11-30 18:00", "12-01 00:00",
    ]  # fmt: skip
    berlin = svg.time_ticks(start, start + 3600, ZoneInfo("Europe/Berlin"))  # 01:53 local
    assert berlin[0][1] == "11-30 02:00" and all(x % 600 == 0 for x, _ in berlin)


def test_a_dense_series_is_a_min_max_band_and_a_median_per_pixel_column_keeping_its_extremes():
    xs = [float(i) for i in range(5760)]  # a day of 15-second samples
    ys = [100.0 if i == 3000 else 1.0 + (i % 7) for i in range(5760)]  # noise and one spike
    root = ET.fromstring(svg.render(svg.Chart("day", "MB", [svg.Line(xs, ys, markers=False)])))
    (band,) = root.iter(f"{NS}polygon")
    (median,) = root.iter(f"{NS}polyline")
    columns = svg.WIDTH - svg.LEFT - svg.RIGHT
    edge = band.get("points", "").split()
    assert len(edge) <= 2 * (columns + 1)  # each column's highest, then its lowest
    # the spike is in the band (100 of an axis to 150 is a third of the plot below its top),
    # the median of its column is not: the noise is a band, not a solid block of lines
    assert min(float(p.split(",")[1]) for p in edge) < 100
    assert min(float(p.split(",")[1]) for p in median.get("points", "").split()) > 180


def test_a_hole_in_a_dense_series_is_not_drawn_over():
    xs = [float(i) for i in range(5760) if not 2000 <= i < 3000]
    chart = svg.Chart("day", "", [svg.Line(xs, [1.0] * len(xs), markers=False)])
    root = ET.fromstring(svg.render(chart))
    assert len(list(root.iter(f"{NS}polygon"))) == 2 and len(list(root.iter(f"{NS}polyline"))) == 2


def test_a_mark_is_a_labelled_vertical_line():
    chart = svg.Chart(
        "c", "", [svg.Line([0.0, 10.0], [1.0, 1.0])], marks=[svg.Mark(5.0, "restart")]
    )
    root = ET.fromstring(svg.render(chart))
    assert "restart" in [t.text for t in root.iter(f"{NS}text")]
