"""Where the process map's boxes and arrows go: layers from top to bottom, no layout program.

Each layer (see process_map_layers) is a row of boxes side by side, centred, ordered by where
their predecessors stand (so arrows cross little) and wrapped when it holds more than
``MAX_PER_ROW``, which bounds the drawing's width.

An arrow between neighbouring rows goes down through the gap between them. An arrow that skips
rows runs down a lane beside the boxes it passes, on the side nearer its ends; an arrow back up
(a cycle, rework) runs up a lane on the left. Lanes turn only in the gaps between rows, so no
arrow crosses a box.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lienmach.analytics.process_map_layers import layers
from lienmach.analytics.process_map_queries import ActivityView, EdgeView, ProcessMap

BOX_WIDTH = 180
BOX_HEIGHT = 44
COLUMN_GAP = 36
ROW_GAP = 64
MAX_PER_ROW = 4
MARGIN = 16
TOP = 34  # room above the first row for a loop's label
LANE_GAP = 22  # between the widest box a lane passes and the lane
LANE_STEP = 12  # between neighbouring lanes, while they fit in SIDE_ROOM
SIDE_ROOM = 96
TURN = 9  # how far from a box a lane arrow turns, in the gap
TURN_STEP = 5  # between the turns of arrows sharing a gap
CHAR_WIDTH = 6.5  # a generous average at 11 px, to keep labels inside the drawing


@dataclass(frozen=True)
class PlacedBox:
    activity: ActivityView
    x: int  # left
    y: int  # top
    row: int


@dataclass(frozen=True)
class RoutedEdge:
    """An edge as drawn: ``kind`` is forward, skip (over rows), back (up) or loop (to itself)."""

    edge: EdgeView
    kind: str
    path: str  # SVG path data
    label_x: int
    label_y: int
    anchor: str  # text-anchor of the label


@dataclass(frozen=True)
class Layout:
    boxes: tuple[PlacedBox, ...]
    edges: tuple[RoutedEdge, ...]
    left: int  # the viewBox: x of its left side, its width and height
    width: int
    height: int


def _rows(found: ProcessMap) -> list[list[ActivityView]]:
    """The rows from the top; a layer's boxes sit in the order of their predecessors' places."""
    layer_of = layers(found)
    by_layer: dict[int, list[ActivityView]] = {}
    for activity in found.activities:
        by_layer.setdefault(layer_of[activity.activity], []).append(activity)
    centre: dict[str, float] = {}
    rows: list[list[ActivityView]] = []
    for layer in sorted(by_layer):
        members = sorted(
            by_layer[layer],
            key=lambda a: (_mean_source_x(a, found.edges, centre), -a.events, a.activity),
        )
        for start in range(0, len(members), MAX_PER_ROW):
            row = members[start : start + MAX_PER_ROW]
            for index, activity in enumerate(row):
                centre[activity.activity] = _row_left(len(row)) + index * _pitch() + BOX_WIDTH / 2
            rows.append(row)
    return rows


def _mean_source_x(
    activity: ActivityView, edges: Iterable[EdgeView], centre: dict[str, float]
) -> float:
    """Where the arrows into ``activity`` come from, weighted by traffic (0 = the middle)."""
    came = [e for e in edges if e.target == activity.activity and e.source in centre]
    weight = sum(e.transitions for e in came)
    return sum(centre[e.source] * e.transitions for e in came) / weight if weight else 0.0


def _pitch() -> int:
    return BOX_WIDTH + COLUMN_GAP


def _row_left(size: int) -> int:
    return -(size * _pitch() - COLUMN_GAP) // 2


def _row_top(row: int) -> int:
    return TOP + row * (BOX_HEIGHT + ROW_GAP)


def layout(
    found: ProcessMap, caption: Callable[[EdgeView], str], min_transitions: int = 1
) -> Layout:
    """Boxes and routed arrows for the map; ``caption`` is the text an arrow is labelled with."""
    rows = _rows(found)
    boxes = {
        activity.activity: PlacedBox(activity, _row_left(len(row)) + i * _pitch(), _row_top(r), r)
        for r, row in enumerate(rows)
        for i, activity in enumerate(row)
    }
    half = [(len(row) * _pitch() - COLUMN_GAP) // 2 for row in rows]
    shown = [e for e in found.edges if e.transitions >= min_transitions]
    router = _Router(boxes, half, shown)
    lanes_last = sorted(shown, key=lambda edge: router.kind(edge) in ("skip", "back"))
    routed = tuple(router.route(edge, caption(edge)) for edge in lanes_last)
    left = min([-max(half, default=0), *router.lefts]) - MARGIN
    right = max([max(half, default=0), *router.rights]) + MARGIN
    height = max(_row_top(len(rows)) - ROW_GAP + MARGIN, TOP)
    return Layout(tuple(boxes.values()), routed, left, right - left, height)


class _Router:
    """Lanes beside the rows, then ports spread along each box's top and bottom."""

    def __init__(self, boxes: dict[str, PlacedBox], half: list[int], edges: list[EdgeView]) -> None:
        self.boxes = boxes
        self.lefts: list[int] = []  # the furthest points drawn, labels included
        self.rights: list[int] = []
        self.turns: Counter[tuple[int, str]] = Counter()
        self.labels: list[tuple[int, int, int]] = []  # each label's left, middle height, width
        self.lane: dict[tuple[str, str], int] = {}
        for left in (False, True):
            mine = [
                e for e in edges if self.kind(e) in ("skip", "back") and self._on_left(e) == left
            ]
            mine.sort(key=lambda e: len(self._gaps_spanned(e)))  # short lanes nearest the boxes
            step = min(LANE_STEP, SIDE_ROOM // max(len(mine), 1))
            taken: list[tuple[set[int], int]] = []  # the gaps a lane runs through, its distance
            for edge in mine:
                gaps = set(self._gaps_spanned(edge))
                near = max((half[row] for row in self._rows_beside(edge)), default=0) + LANE_GAP
                x = max([near, *(x + step for used, x in taken if used & gaps)])
                taken.append((gaps, x))
                self.lane[(edge.source, edge.target)] = -x if left else x
        self.ports: dict[tuple[str, str, str], int] = {}
        ends: dict[tuple[str, str], list[tuple[int, tuple[str, str, str]]]] = {}
        for edge in edges:
            for name, side, toward in self._ends(edge):
                ends.setdefault((name, side), []).append((toward, (edge.source, edge.target, side)))
        for (name, _side), attached in ends.items():
            spacing = min(26, (BOX_WIDTH - 40) // max(len(attached) - 1, 1))
            for index, (_toward, key) in enumerate(sorted(attached)):
                offset = round((index - (len(attached) - 1) / 2) * spacing)
                self.ports[key] = self.boxes[name].x + BOX_WIDTH // 2 + offset

    def kind(self, edge: EdgeView) -> str:
        """forward (to the next row), skip (down over rows), back (up) or loop (to itself)."""
        rise = self.boxes[edge.target].row - self.boxes[edge.source].row
        if edge.source == edge.target:
            return "loop"
        return "forward" if rise == 1 else "skip" if rise > 1 else "back"

    def _on_left(self, edge: EdgeView) -> bool:
        """Arrows back up run on the left; one down over rows on the side nearer its ends."""
        ends = self._centre(edge.source) + self._centre(edge.target)
        return self.kind(edge) == "back" or ends < 0

    def _gaps_spanned(self, edge: EdgeView) -> range:
        """The gaps between rows (gap g is under row g) a lane arrow turns in and runs through."""
        source, target = self.boxes[edge.source].row, self.boxes[edge.target].row
        return range(source, target) if source < target else range(target, source)

    def _rows_beside(self, edge: EdgeView) -> range:
        """The rows a lane passes: those between, and for an arrow back up its own two too."""
        source, target = self.boxes[edge.source].row, self.boxes[edge.target].row
        if source <= target:
            return range(source + 1, target)
        return range(target, source + 1)

    def _centre(self, name: str) -> int:
        return self.boxes[name].x + BOX_WIDTH // 2

    def _ends(self, edge: EdgeView) -> Iterable[tuple[str, str, int]]:
        """(box, side, x of what the port faces) for each end the edge attaches to."""
        kind = self.kind(edge)
        if kind == "forward":
            yield edge.source, "bottom", self._centre(edge.target)
            yield edge.target, "top", self._centre(edge.source)
        elif kind == "skip":
            yield edge.source, "bottom", self.lane[(edge.source, edge.target)]
            yield edge.target, "top", self.lane[(edge.source, edge.target)]
        elif kind == "back":
            yield edge.source, "top", self.lane[(edge.source, edge.target)]
            yield edge.target, "bottom", self.lane[(edge.source, edge.target)]

    def _turn(self, gap: int, zone: str) -> int:
        """How far into the gap an arrow turns, so arrows sharing a gap do not overlap."""
        taken = self.turns[(gap, zone)]
        self.turns[(gap, zone)] += 1
        return TURN + (taken % 4) * TURN_STEP

    def route(self, edge: EdgeView, text: str) -> RoutedEdge:
        """The edge's path and where its label ``text`` goes."""
        kind, key = self.kind(edge), (edge.source, edge.target)
        source, target = self.boxes[edge.source], self.boxes[edge.target]
        reach = round(len(text) * CHAR_WIDTH) + 6
        if kind == "loop":
            x, y = source.x + BOX_WIDTH, source.y
            path = f"M {x} {y + 12} C {x + 26} {y + 4}, {x + 26} {y + BOX_HEIGHT - 4}, {x} {y + 32}"
            self.rights.append(x + 26)
            return self._labelled(edge, kind, path, x + 5, [y - 10], -1, reach)
        down = kind != "back"
        x1, y1 = self.ports[(*key, "bottom" if down else "top")], source.y
        x2, y2 = self.ports[(*key, "top" if down else "bottom")], target.y
        if down:
            y1 += BOX_HEIGHT
        else:
            y2 += BOX_HEIGHT
        if kind == "forward":
            bend = ROW_GAP // 2
            path = f"M {x1} {y1} C {x1} {y1 + bend}, {x2} {y2 - bend}, {x2} {y2}"
            heights = [y1 + bend, y1 + bend - 10, y1 + bend + 10]
            return self._labelled(edge, kind, path, (x1 + x2) // 2, heights, x2 - x1, reach)
        lane = self.lane[key]
        if down:
            out = y1 + self._turn(source.row, "upper")
            into = y2 - self._turn(target.row - 1, "lower")
        else:
            out = y1 - self._turn(source.row - 1, "lower")
            into = y2 + self._turn(target.row, "upper")
        corners = [(x1, y1), (x1, out), (lane, out), (lane, into), (x2, into), (x2, y2)]
        middle, room = (out + into) // 2, abs(into - out) // 2 - 12
        heights = [middle + sign * shift for shift in range(0, room, 14) for sign in (1, -1)]
        return self._labelled(edge, kind, _rounded(corners), lane, heights or [middle], lane, reach)

    def _labelled(
        self,
        edge: EdgeView,
        kind: str,
        path: str,
        x: int,
        heights: list[int],
        side: int,
        reach: int,
    ) -> RoutedEdge:
        """The label beside ``x`` (left of it when ``side`` < 0, else right of it), at the first
        of ``heights`` where it overlaps no label placed before."""
        x = x - 5 if side < 0 else x + 5
        x0 = x - reach if side < 0 else x
        free = (y for y in heights if not any(_overlap((x0, y, reach), o) for o in self.labels))
        y = next(free, heights[0])
        self.labels.append((x0, y, reach))
        self.lefts.append(x0)
        self.rights.append(x0 + reach)
        return RoutedEdge(edge, kind, path, x, y + 4, "end" if side < 0 else "start")


def _overlap(one: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    """Whether two labels, each (left, middle height, width), overlap."""
    (x, y, width), (ox, oy, other_width) = one, other
    return x < ox + other_width and ox < x + width and abs(y - oy) < 13


def _rounded(points: list[tuple[int, int]], radius: int = 8) -> str:
    """Path data through axis-aligned points, each corner rounded."""
    parts = [f"M {points[0][0]} {points[0][1]}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:], strict=False):
        r = min(radius, (abs(bx - ax) + abs(by - ay)) // 2, (abs(cx - bx) + abs(cy - by)) // 2)
        into = (bx - _sign(bx - ax) * r, by - _sign(by - ay) * r)
        out = (bx + _sign(cx - bx) * r, by + _sign(cy - by) * r)
        parts.append(f"L {into[0]} {into[1]} Q {bx} {by} {out[0]} {out[1]}")
    parts.append(f"L {points[-1][0]} {points[-1][1]}")
    return " ".join(parts)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)
