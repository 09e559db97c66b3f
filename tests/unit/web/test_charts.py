"""The SVG chart functions: well-formed, accessible, escaped, and carrying the numbers they draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from clearway.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    return root


def _values(root: ET.Element, tag: str) -> list[float]:
    return [float(e.get("data-value", "nan")) for e in root.iter(f"{SVG}{tag}") if e.get("data-value")]


def test_bar_chart_escapes_labels_and_carries_values() -> None:
    svg = charts.bar_chart(
        [charts.Bar("<script>", 3), charts.Bar('a "b" & c', 1.5)], label="Counts <by> kind"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = _parse(svg)
    assert root.get("aria-label") == "Counts <by> kind"
    assert _values(root, "rect") == [3, 1.5]


def test_empty_and_zero_charts_still_render() -> None:
    assert _values(_parse(charts.bar_chart([], label="nothing")), "rect") == []
    assert _values(_parse(charts.bar_chart([charts.Bar("a", 0)], label="zero")), "rect") == [0]
    assert _values(_parse(charts.line_chart([], label="no points")), "circle") == []
    assert _values(_parse(charts.horizontal_bar_chart([], label="no rows")), "rect") == []


def test_histogram_bins_with_overflow_and_negative_bin() -> None:
    bins = charts.histogram_bins([0, 0.5, 1.2, 47.9, 48, 100], bin_width=1, limit=48)
    assert len(bins) == 49
    assert (bins[0].label, bins[0].value, bins[1].value, bins[47].value) == ("0", 2, 1, 1)
    assert (bins[-1].label, bins[-1].value) == ("≥ 48", 2)
    with_negative = charts.histogram_bins([-0.5, 3], bin_width=1, limit=4)
    assert [(b.label, b.value) for b in with_negative] == [
        ("< 0", 1),
        ("0", 0),
        ("1", 0),
        ("2", 0),
        ("3", 1),
        ("≥ 4", 0),
    ]
    assert sum(_values(_parse(charts.histogram([1, 2, 99], label="h")), "rect")) == 3


def test_stacked_bars_and_line_points() -> None:
    svg = charts.stacked_bar_chart(
        ["2026-11-27"],
        [charts.Series("green", [5], "#0a0"), charts.Series("red", [2], "#a00")],
        label="lanes",
    )
    root = _parse(svg)
    assert [
        (e.get("data-series"), e.get("data-value")) for e in root.iter(f"{SVG}rect") if e.get("data-series")
    ] == [
        ("green", "5"),
        ("red", "2"),
    ]
    with pytest.raises(ValueError, match="2 values for 1 categories"):
        charts.stacked_bar_chart(["d"], [charts.Series("s", [1, 2], "#000")], label="bad")
    line = _parse(charts.line_chart([(2, 0.5), (0, 0.25), (1, 1 / 3)], label="curve", y_max=1))
    assert _values(line, "circle") == [0.25, 0.333333, 0.5]
    assert line.find(f"{SVG}polyline") is not None
