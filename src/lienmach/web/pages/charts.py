"""Small charts drawn on the server as inline SVG: no JavaScript, readable without colour.

Each chart prints its numbers next to the marks and carries a <title> and aria-label, so it
says the same to a screen reader as to the eye.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

_FONT = 'font-family="inherit" font-size="11"'


def _scale(values: Sequence[int]) -> int:
    return max([*values, 1])


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 480,
    bar_height: int = 20,
    label_width: int = 150,
) -> Markup:
    """Horizontal bars, one per (label, value), each with its value written at its end."""
    gap = 6
    height = max(len(bars), 1) * (bar_height + gap) + gap
    room = width - label_width - 60
    top = _scale([value for _label, value in bars])
    parts = [
        f'<svg class="chart bar-chart" role="img" aria-label="{escape(title)}"'
        f' viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(bars):
        y = gap + index * (bar_height + gap)
        length = round(room * value / top) if value > 0 else 0
        middle = y + bar_height / 2 + 4
        parts.append(
            f'<g class="bar" data-label="{escape(label)}" data-value="{value}">'
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" {_FONT}>'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar_height}"'
            f' rx="3"></rect>'
            f'<text x="{label_width + length + 6}" y="{middle}" {_FONT}>{value}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 480,
    height: int = 160,
) -> Markup:
    """A line through (label, value) points left to right; first and last labels on the axis."""
    left, right, top_pad, bottom = 36, 12, 14, 22
    inner_width = width - left - right
    inner_height = height - top_pad - bottom
    top = _scale([value for _label, value in points])
    step = inner_width / max(len(points) - 1, 1)
    coordinates = [
        (left + index * step, top_pad + inner_height - inner_height * value / top)
        for index, (_label, value) in enumerate(points)
    ]
    parts = [
        f'<svg class="chart line-chart" role="img" aria-label="{escape(title)}"'
        f' viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{top_pad + inner_height}"'
        f' x2="{width - right}" y2="{top_pad + inner_height}"></line>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" {_FONT}>{top}</text>',
        f'<text x="{left - 6}" y="{top_pad + inner_height}" text-anchor="end" {_FONT}>0</text>',
    ]
    if coordinates:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none"></polyline>')
    for (x, y), (label, value) in zip(coordinates, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" data-label="{escape(label)}"'
            f' data-value="{value}"><title>{escape(label)}: {value}</title></circle>'
        )
    if points:
        base = top_pad + inner_height + 16
        parts.append(f'<text x="{left}" y="{base}" {_FONT}>{escape(points[0][0])}</text>')
        parts.append(
            f'<text x="{width - right}" y="{base}" text-anchor="end" {_FONT}>'
            f"{escape(points[-1][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def target_line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    target: float | None = None,
    show: Callable[[float], str] = str,
    width: int = 480,
    height: int = 160,
) -> Markup:
    """A line through (label, value) points with an optional dashed horizontal target line.

    A day with nothing measured (None) breaks the line rather than drawing a false zero; ``show``
    writes a value in the KPI's unit for the axis and the points' titles.
    """
    left, right, top_pad, bottom = 84, 12, 14, 22
    inner_width = width - left - right
    inner_height = height - top_pad - bottom
    measured = [value for _label, value in points if value is not None]
    top = max([*measured, *([target] if target is not None else []), 0.0])
    low = min([*measured, *([target] if target is not None else []), 0.0])
    span = (top - low) or 1.0
    step = inner_width / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return top_pad + inner_height - inner_height * (value - low) / span

    parts = [
        f'<svg class="chart line-chart target-chart" role="img" aria-label="{escape(title)}"'
        f' viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{y_of(low):.1f}" x2="{width - right}"'
        f' y2="{y_of(low):.1f}"></line>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" {_FONT}>'
        f"{escape(show(top))}</text>",
        f'<text x="{left - 6}" y="{top_pad + inner_height}" text-anchor="end" {_FONT}>'
        f"{escape(show(low))}</text>",
    ]
    if target is not None:
        parts.append(
            f'<line class="target" data-target="{target}" x1="{left}" y1="{y_of(target):.1f}"'
            f' x2="{width - right}" y2="{y_of(target):.1f}" stroke-dasharray="5 4">'
            f"<title>{escape(show(target))}</title></line>"
        )
    runs: list[list[str]] = [[]]
    for index, (label, value) in enumerate(points):
        if value is None:
            runs.append([])
            continue
        x, y = left + index * step, y_of(value)
        runs[-1].append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" data-label="{escape(label)}"'
            f' data-value="{value}"><title>{escape(label)}: {escape(show(value))}</title></circle>'
        )
    parts.extend(
        f'<polyline points="{" ".join(run)}" fill="none"></polyline>' for run in runs if run
    )
    if points:
        base = top_pad + inner_height + 16
        parts.append(f'<text x="{left}" y="{base}" {_FONT}>{escape(points[0][0])}</text>')
        parts.append(
            f'<text x="{width - right}" y="{base}" text-anchor="end" {_FONT}>'
            f"{escape(points[-1][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
