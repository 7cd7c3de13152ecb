"""The process map drawn as SVG: activities as boxes in layers from left to right, transitions
as arrows labelled with their count and median wait; no external layout program.

Layers: edges that close a cycle (found by a depth-first walk from the starting activities) are
set aside, then each activity goes one layer right of its furthest predecessor. The set-aside
edges are drawn as arcs under the boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from lienmach.analytics.process_map_queries import ActivityView, EdgeView, ProcessMap

BOX_WIDTH = 180
BOX_HEIGHT = 46
LAYER_GAP = 90
ROW_GAP = 34
MARGIN = 24
TOP = 110  # room for the arcs of transitions that skip layers


def wait_text(seconds: int) -> str:
    """A short, language-neutral duration: 40 s, 25 m, 3.5 h, 2.1 d."""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} m"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} d"


def _back_edges(
    activities: list[str], edges: list[EdgeView], starts: list[str]
) -> set[tuple[str, str]]:
    targets: dict[str, list[str]] = {activity: [] for activity in activities}
    for edge in edges:
        targets.setdefault(edge.source, []).append(edge.target)
    state: dict[str, int] = {}  # 1: on the walk's path, 2: finished
    back: set[tuple[str, str]] = set()
    for root in [*starts, *activities]:
        if root in state:
            continue
        stack = [(root, iter(targets.get(root, [])))]
        state[root] = 1
        while stack:
            node, remaining = stack[-1]
            following = next(remaining, None)
            if following is None:
                state[node] = 2
                stack.pop()
            elif state.get(following) == 1:
                back.add((node, following))
            elif following not in state:
                state[following] = 1
                stack.append((following, iter(targets.get(following, []))))
    return back


def layers(found: ProcessMap) -> dict[str, int]:
    """Each activity's layer (0 = leftmost)."""
    by_traffic = sorted(found.activities, key=lambda a: (-a.starting, -a.events, a.activity))
    names = [activity.activity for activity in by_traffic]
    starts = [activity.activity for activity in by_traffic if activity.starting]
    edges = sorted(found.edges, key=lambda e: (-e.transitions, e.source, e.target))
    back = _back_edges(names, edges, starts)
    forward = [e for e in edges if (e.source, e.target) not in back and e.source != e.target]
    layer = dict.fromkeys(names, 0)
    for _ in range(len(names)):  # longest path on a DAG settles within |activities| rounds
        moved = False
        for edge in forward:
            if layer[edge.target] < layer[edge.source] + 1:
                layer[edge.target] = layer[edge.source] + 1
                moved = True
        if not moved:
            break
    return layer


def process_map_svg(
    found: ProcessMap,
    *,
    label: Callable[[str], str] = str,
    wait: Callable[[int], str] = wait_text,
    min_transitions: int = 1,
) -> str:
    """The map as a standalone ``<svg>`` element; ``label`` names activities (e.g. translated)."""
    layer_of = layers(found)
    columns: dict[int, list[ActivityView]] = {}
    for activity in sorted(found.activities, key=lambda a: (-a.events, a.activity)):
        columns.setdefault(layer_of[activity.activity], []).append(activity)
    position: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        for row, activity in enumerate(members):
            x = MARGIN + column * (BOX_WIDTH + LAYER_GAP)
            y = TOP + row * (BOX_HEIGHT + ROW_GAP)
            position[activity.activity] = (x, y)
    rows = max((len(members) for members in columns.values()), default=0)
    width = MARGIN * 2 + max(len(columns), 1) * (BOX_WIDTH + LAYER_GAP) - LAYER_GAP
    height = TOP + MARGIN + rows * (BOX_HEIGHT + ROW_GAP) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" class="process-map" role="img">',
        "<defs><style>.process-map .node{fill:#eef2ff;stroke:#3b4a8c}"
        ".process-map .edge path{stroke:#5b6599}.process-map .edge.back path{stroke:#b5523b}"
        ".process-map .arrow-head{fill:#5b6599}.process-map text{font:11px sans-serif}"
        ".process-map .count{fill:#555}</style>"
        '<marker id="pm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse"'
        ' markerWidth="9" markerHeight="9" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"/></marker></defs>',
    ]
    busiest = max((edge.transitions for edge in found.edges), default=1)
    for edge in found.edges:
        if edge.transitions < min_transitions:
            continue
        parts.append(_arrow(edge, position, layer_of, busiest, wait))
    for activity in found.activities:
        parts.append(_box(activity, position[activity.activity], label))
    parts.append("</svg>")
    return "\n".join(parts)


def _arrow(
    edge: EdgeView,
    position: dict[str, tuple[int, int]],
    layer_of: dict[str, int],
    busiest: int,
    wait: Callable[[int], str],
) -> str:
    (sx, sy), (tx, ty) = position[edge.source], position[edge.target]
    stroke = 1 + round(5 * edge.transitions / busiest)
    span = layer_of[edge.target] - layer_of[edge.source]
    if span > 1 and sy == ty:  # over the boxes between, as an arc above them
        x1, y1 = sx + BOX_WIDTH // 2 + 10, sy
        x2, y2 = tx + BOX_WIDTH // 2 - 10, ty
        height = max(8, min(TOP - 10, 25 * span))
        d = f"M {x1} {y1} C {x1} {y1 - height}, {x2} {y2 - height}, {x2} {y2}"
        label_x, label_y = (x1 + x2) // 2, y1 - height * 3 // 4 - 4
        kind = "skip"
    elif span > 0:
        x1, y1 = sx + BOX_WIDTH, sy + BOX_HEIGHT // 2
        x2, y2 = tx, ty + BOX_HEIGHT // 2
        bend = (x2 - x1) // 2
        d = f"M {x1} {y1} C {x1 + bend} {y1}, {x2 - bend} {y2}, {x2} {y2}"
        label_x, label_y = (x1 + x2) // 2, (y1 + y2) // 2 - 6
        kind = "forward"
    else:  # back, self or same-layer: an arc under the boxes
        x1, y1 = sx + BOX_WIDTH // 2 + 10, sy + BOX_HEIGHT
        x2, y2 = tx + BOX_WIDTH // 2 - 10, ty + BOX_HEIGHT
        depth = max(y1, y2) + 30 + abs(x1 - x2) // 8
        d = f"M {x1} {y1} C {x1} {depth}, {x2} {depth}, {x2} {y2}"
        label_x, label_y = (x1 + x2) // 2, depth - 4
        kind = "back"
    text = f"{edge.transitions} · {wait(edge.median_wait_seconds)}"
    title = escape(f"{edge.source} → {edge.target}: {text}, p90 {wait(edge.p90_wait_seconds)}")
    return (
        f'<g class="edge {kind}"><title>{title}</title>'
        f'<path d="{d}" fill="none" stroke-width="{stroke}" marker-end="url(#pm-arrow)"/>'
        f'<text x="{label_x}" y="{label_y}" text-anchor="middle" class="edge-label">'
        f"{escape(text)}</text></g>"
    )


def _box(activity: ActivityView, at: tuple[int, int], label: Callable[[str], str]) -> str:
    x, y = at
    name = escape(label(activity.activity))
    rework = f" ↻{activity.repeating}" if activity.repeating else ""
    return (
        f'<g class="activity"><rect class="node" x="{x}" y="{y}" width="{BOX_WIDTH}"'
        f' height="{BOX_HEIGHT}" rx="6"/>'
        f'<text class="label" x="{x + BOX_WIDTH // 2}" y="{y + 19}" text-anchor="middle">'
        f"{name}</text>"
        f'<text class="count" x="{x + BOX_WIDTH // 2}" y="{y + 36}" text-anchor="middle">'
        f"{activity.events}{rework}</text></g>"
    )
