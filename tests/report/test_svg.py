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
