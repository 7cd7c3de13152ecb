"""The layers of the process map: edges that close a cycle (found by a depth-first walk from
the starting activities) are set aside, then each activity goes one layer after its furthest
predecessor, so every remaining edge leads to a later layer."""

from __future__ import annotations

from lienmach.analytics.process_map_queries import EdgeView, ProcessMap


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
    """Each activity's layer (0 = top)."""
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
