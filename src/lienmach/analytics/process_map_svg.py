"""The process map drawn as SVG: activities as boxes in layers from top to bottom, transitions as
arrows labelled with their count and median wait; no external layout program.

Where things go is decided in process_map_layout; this module only writes them out, escaping
every name. The drawing takes the width of its container, up to its own width, so the page never
scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from lienmach.analytics.process_map_layout import (
    BOX_HEIGHT,
    BOX_WIDTH,
    PlacedBox,
    RoutedEdge,
    layout,
)
from lienmach.analytics.process_map_queries import EdgeView, ProcessMap

LABEL_CHARACTERS = 28  # longer names are shortened in the box; the full name is its tooltip

_STYLE = (
    "<style>.process-map .node{fill:#eef2ff;stroke:#3b4a8c}"
    ".process-map .edge path{stroke:#5b6599}.process-map .edge.skip path{stroke:#7a83b3}"
    ".process-map .edge.back path,.process-map .edge.loop path{stroke:#b5523b}"
    ".process-map .arrow-head{fill:#5b6599}.process-map .back-head{fill:#b5523b}"
    ".process-map text{font:11px sans-serif}.process-map .label{font-size:12px;font-weight:600}"
    ".process-map .count{fill:#555}.process-map .edge-label{fill:#333;paint-order:stroke;"
    "stroke:#fff;stroke-width:3px;stroke-linejoin:round}</style>"
)


def wait_text(seconds: int) -> str:
    """A short, language-neutral duration: 40 s, 25 m, 3.5 h, 2.1 d."""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} m"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} d"


def process_map_svg(
    found: ProcessMap,
    *,
    label: Callable[[str], str] = str,
    wait: Callable[[int], str] = wait_text,
    min_transitions: int = 1,
) -> str:
    """The map as a standalone ``<svg>`` element; ``label`` names activities (e.g. translated)."""
    placed = layout(found, lambda edge: _caption(edge, wait), min_transitions)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{placed.left} 0 {placed.width}'
        f' {placed.height}" width="100%" style="max-width:{placed.width}px"'
        ' class="process-map" role="img">',
        f"<defs>{_STYLE}{_marker('pm-arrow', 'arrow-head')}{_marker('pm-back', 'back-head')}"
        "</defs>",
    ]
    busiest = max((edge.transitions for edge in found.edges), default=1)
    parts.extend(_arrow(routed, busiest, wait) for routed in placed.edges)
    parts.extend(_label(routed, wait) for routed in placed.edges)  # over every line
    parts.extend(_box(box, label) for box in placed.boxes)
    parts.append("</svg>")
    return "\n".join(parts)


def _caption(edge: EdgeView, wait: Callable[[int], str]) -> str:
    return f"{edge.transitions} · {wait(edge.median_wait_seconds)}"


def _marker(name: str, style: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse"'
        ' markerWidth="9" markerHeight="9" orient="auto-start-reverse">'
        f'<path d="M 0 0 L 10 5 L 0 10 z" class="{style}"/></marker>'
    )


def _arrow(routed: RoutedEdge, busiest: int, wait: Callable[[int], str]) -> str:
    stroke = 1 + round(5 * routed.edge.transitions / busiest)
    head = "pm-back" if routed.kind in ("back", "loop") else "pm-arrow"
    return (
        f'<g class="edge {routed.kind}"><title>{_title(routed.edge, wait)}</title>'
        f'<path d="{routed.path}" fill="none" stroke-width="{stroke}"'
        f' marker-end="url(#{head})"/></g>'
    )


def _label(routed: RoutedEdge, wait: Callable[[int], str]) -> str:
    return (
        f'<text x="{routed.label_x}" y="{routed.label_y}" text-anchor="{routed.anchor}"'
        f' class="edge-label">{escape(_caption(routed.edge, wait))}'
        f"<title>{_title(routed.edge, wait)}</title></text>"
    )


def _title(edge: EdgeView, wait: Callable[[int], str]) -> str:
    caption = _caption(edge, wait)
    return escape(f"{edge.source} → {edge.target}: {caption}, p90 {wait(edge.p90_wait_seconds)}")


def _box(box: PlacedBox, label: Callable[[str], str]) -> str:
    activity = box.activity
    full = label(activity.activity)
    shown = full if len(full) <= LABEL_CHARACTERS else full[: LABEL_CHARACTERS - 1] + "…"
    rework = f" ↻{activity.repeating}" if activity.repeating else ""
    middle = box.x + BOX_WIDTH // 2
    return (
        f'<g class="activity" data-activity="{escape(activity.activity)}">'
        f"<title>{escape(full)}</title>"
        f'<rect class="node" x="{box.x}" y="{box.y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}"'
        ' rx="6"/>'
        f'<text class="label" x="{middle}" y="{box.y + 18}" text-anchor="middle">'
        f"{escape(shown)}</text>"
        f'<text class="count" x="{middle}" y="{box.y + 35}" text-anchor="middle">'
        f"{activity.events}{rework}</text></g>"
    )
