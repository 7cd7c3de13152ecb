"""The server-drawn SVG charts: bars and points in proportion, labels escaped."""

from __future__ import annotations

import re

import pytest

from lienmach.web.pages.charts import bar_chart, line_chart

pytestmark = pytest.mark.unit


def test_bars_are_in_proportion_and_carry_their_numbers() -> None:
    svg = str(bar_chart([("Mới đặt", 10), ("Đã giao", 5), ("Đã hủy", 0)], title="Đơn"))

    widths = [float(width) for width in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] <= 1
    assert 'data-label="Đã giao" data-value="5"' in svg
    assert "<title>Đơn</title>" in svg and 'role="img"' in svg


def test_labels_cannot_inject_markup() -> None:
    svg = str(bar_chart([("<script>x</script>", 1)], title='a"b'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="a&quot;b"' in svg


def test_a_line_goes_up_where_the_values_do() -> None:
    svg = str(line_chart([("1/11", 2), ("2/11", 8), ("3/11", 4)], title="Đơn mỗi ngày"))

    heights = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert heights[1] < heights[2] < heights[0]  # SVG's y grows downwards
    assert ">1/11<" in svg and ">3/11<" in svg


def test_empty_charts_still_draw() -> None:
    assert "<svg" in str(line_chart([], title="x"))
    assert "<svg" in str(bar_chart([], title="x"))
