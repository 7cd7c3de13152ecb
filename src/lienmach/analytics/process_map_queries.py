"""Reading the process map: from the running counts (fast), or recomputed from the event log
(slow, for checking); both give the same :class:`ProcessMap`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from lienmach.analytics.process_map import Contribution, percentile, total_contribution
from lienmach.analytics.process_map_projector import all_order_traces
from lienmach.analytics.process_map_tables import (
    process_map_activities,
    process_map_edges,
    process_map_variants,
    process_map_waits,
)

TOP_VARIANTS = 20


@dataclass(frozen=True)
class EdgeView:
    """Orders going from ``source`` straight to ``target``, and how long they waited between."""

    source: str
    target: str
    transitions: int
    loop_backs: int  # transitions back to an activity the order had already been through
    median_wait_seconds: int
    p90_wait_seconds: int
    mean_wait_seconds: int


@dataclass(frozen=True)
class ActivityView:
    activity: str
    events: int
    starting: int  # orders whose first event this is
    ending: int  # orders whose latest event this is
    repeating: int  # orders that went through it more than once (rework)
    repeats: int  # the extra times, over all orders


@dataclass(frozen=True)
class VariantView:
    activities: tuple[str, ...]
    orders: int
    share: float  # of all orders


@dataclass(frozen=True)
class ProcessMap:
    """The directly-follows graph of the order journey."""

    orders: int
    activities: tuple[ActivityView, ...]
    edges: tuple[EdgeView, ...]
    variants: tuple[VariantView, ...]  # the most frequent first
    variant_count: int

    @property
    def rework(self) -> tuple[ActivityView, ...]:
        """Activities some orders went through more than once, the most frequent first."""
        repeated = [activity for activity in self.activities if activity.repeating]
        return tuple(sorted(repeated, key=lambda a: (-a.repeating, a.activity)))

    @property
    def loop_backs(self) -> tuple[EdgeView, ...]:
        return tuple(edge for edge in self.edges if edge.loop_backs)

    def bottlenecks(self, limit: int = 10) -> tuple[EdgeView, ...]:
        """Where orders wait longest: edges ranked by median wait, then p90, then traffic."""
        ranked = sorted(
            self.edges,
            key=lambda e: (-e.median_wait_seconds, -e.p90_wait_seconds, -e.transitions, e.source),
        )
        return tuple(ranked[:limit])


def map_of(
    contribution: Contribution, *, variant_count: int, top: int = TOP_VARIANTS
) -> ProcessMap:
    """The map a set of counts describes (``contribution`` may hold only the top variants)."""
    orders = sum(contribution.starting.values())
    histograms: dict[tuple[str, str], Counter[int]] = {}
    for (source, target, bucket), count in contribution.waits.items():
        if count:
            histograms.setdefault((source, target), Counter())[bucket] += count
    edges = []
    for (source, target), transitions in sorted(contribution.transitions.items()):
        if transitions <= 0:
            continue
        histogram = histograms.get((source, target), Counter())
        edges.append(
            EdgeView(
                source=source,
                target=target,
                transitions=transitions,
                loop_backs=contribution.loop_backs[(source, target)],
                median_wait_seconds=percentile(histogram, 0.5),
                p90_wait_seconds=percentile(histogram, 0.9),
                mean_wait_seconds=contribution.wait_seconds[(source, target)] // transitions,
            )
        )
    activities = tuple(
        ActivityView(
            activity=activity,
            events=events,
            starting=contribution.starting[activity],
            ending=contribution.ending[activity],
            repeating=contribution.repeating[activity],
            repeats=contribution.repeats[activity],
        )
        for activity, events in sorted(contribution.events.items())
        if events > 0
    )
    ranked = sorted(
        ((key, count) for key, count in contribution.variants.items() if count > 0),
        key=lambda item: (-item[1], item[0]),
    )[:top]
    variants = tuple(
        VariantView(
            activities=contribution.variant_activities[key],
            orders=count,
            share=count / orders if orders else 0.0,
        )
        for key, count in ranked
    )
    return ProcessMap(
        orders=orders,
        activities=activities,
        edges=tuple(edges),
        variants=variants,
        variant_count=variant_count,
    )


def process_map(connection: Connection, *, top_variants: int = TOP_VARIANTS) -> ProcessMap:
    """The map from the running counts: a few hundred rows, whatever the number of orders."""
    counts = Contribution()
    for row in connection.execute(select(process_map_edges)):
        edge = (row.source, row.target)
        counts.transitions[edge] = row.transitions
        counts.loop_backs[edge] = row.loop_backs
        counts.wait_seconds[edge] = row.wait_seconds
    for row in connection.execute(
        select(process_map_waits).where(process_map_waits.c.transitions > 0)
    ):
        counts.waits[(row.source, row.target, row.bucket)] = row.transitions
    for row in connection.execute(select(process_map_activities)):
        counts.events[row.activity] = row.events
        counts.starting[row.activity] = row.starting
        counts.ending[row.activity] = row.ending
        counts.repeating[row.activity] = row.repeating
        counts.repeats[row.activity] = row.repeats
    top = connection.execute(
        select(process_map_variants)
        .where(process_map_variants.c.orders > 0)
        .order_by(process_map_variants.c.orders.desc(), process_map_variants.c.variant)
        .limit(top_variants)
    )
    for row in top:
        counts.variants[row.variant] = row.orders
        counts.variant_activities[row.variant] = tuple(row.activities.split("\n"))
    variant_count = connection.execute(
        select(func.count())
        .select_from(process_map_variants)
        .where(process_map_variants.c.orders > 0)
    ).scalar_one()
    return map_of(counts, variant_count=variant_count, top=top_variants)


def recompute_process_map(
    connection: Connection, *, top_variants: int = TOP_VARIANTS
) -> ProcessMap:
    """The map computed afresh from the whole event log (to check the running counts)."""
    total = total_contribution(steps for _order_id, steps in all_order_traces(connection))
    variant_count = sum(1 for count in total.variants.values() if count > 0)
    return map_of(total, variant_count=variant_count, top=top_variants)
