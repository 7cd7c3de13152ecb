"""Keeps the process map tables up to date from the event log, one order at a time.

When events touch orders, the orders' whole traces are read again from the log (a few rows each,
by index) and compared with the traces projected last time; the difference of their
contributions is added to the counts. So a second delivery of the same event, or several events
of one order handled in one batch, change nothing twice, and an event that arrives late is put
in its place in time. The orders a batch touches are projected together: their traces read,
counts added and traces stored in one statement each.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select

from lienmach.analytics.process_map import Contribution, Step, add_change, contribution_of
from lienmach.analytics.process_map_journey import JOURNEY_ACTIVITIES, ORDER
from lienmach.analytics.process_map_tables import (
    process_map_activities,
    process_map_edges,
    process_map_traces,
    process_map_variants,
    process_map_waits,
)
from lienmach.kernel import bulk, feed
from lienmach.kernel.clock import as_utc
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork

Write = Callable[[Callable[[Connection], Any]], None]  # runs a write: UnitOfWork.write
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CHUNK = 1_000

_ORDER_EVENTS = (
    select(event_objects.c.object_id, event_log.c.id, event_log.c.type, event_log.c.occurred_at)
    .join(event_log, event_log.c.id == event_objects.c.event_id)
    .where(event_objects.c.object_type == ORDER, event_log.c.type.in_(sorted(JOURNEY_ACTIVITIES)))
    .distinct()
)


def microseconds(moment: datetime) -> int:
    return (as_utc(moment) - _EPOCH) // _MICROSECOND


def _step(row: Any) -> Step:
    return Step(event_id=row.id, activity=row.type, at_microseconds=microseconds(row.occurred_at))


def _in_time_order(steps: list[Step]) -> list[Step]:
    return sorted(steps, key=lambda step: (step.at_microseconds, step.event_id))


# Built once: building a statement costs several times more than executing it.
_TOUCHED_ORDERS_EVENTS = prepared(
    _ORDER_EVENTS.where(event_objects.c.object_id.in_(bindparam("order_ids", expanding=True)))
)
_STORED_TRACES = prepared(
    select(process_map_traces.c.order_id, process_map_traces.c.steps)
    .where(process_map_traces.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(process_map_traces.c.order_id)
    .with_for_update()
)
_SAVE_TRACES = bulk.inserting(
    process_map_traces,
    ("order_id", "steps"),
    lambda insert: insert.on_conflict_do_update(
        index_elements=["order_id"], set_={"steps": insert.excluded.steps}
    ),
)
# Created and locked in one statement; a row another worker created meanwhile is returned as
# it is.
_CREATE_AND_LOCK_TRACES = bulk.inserting(
    process_map_traces,
    ("order_id", "steps"),
    lambda insert: insert.on_conflict_do_update(
        index_elements=["order_id"], set_={"steps": process_map_traces.c.steps}
    ).returning(process_map_traces.c.order_id, process_map_traces.c.steps),
)


def all_order_traces(
    connection: Connection, up_to: feed.Position | None = None
) -> Iterator[tuple[str, list[Step]]]:
    """Every order's trace from the log (``up_to``: from its events up to that position of
    the projections' feed), streamed one order at a time."""
    statement = _ORDER_EVENTS.order_by(event_objects.c.object_id)
    if up_to is not None:
        statement = statement.where(feed.up_to(up_to))
    current: str | None = None
    steps: list[Step] = []
    for row in connection.execute(statement.execution_options(yield_per=_CHUNK)):
        if row.object_id != current:
            if current is not None:
                yield current, _in_time_order(steps)
            current, steps = row.object_id, []
        steps.append(_step(row))
    if current is not None:
        yield current, _in_time_order(steps)


def _stored_steps(value: Any) -> list[Step]:
    return [Step(e, a, int(t)) for e, a, t in value or []]


def _as_json(steps: list[Step]) -> list[list[Any]]:
    return [[step.event_id, step.activity, step.at_microseconds] for step in steps]


def project_order(connection: Connection, order_id: str) -> bool:
    """Bring one order's part of the map up to date with the log; True if anything changed."""
    return project_orders(connection, [order_id]) > 0


def project_orders(connection: Connection, order_ids: Collection[str]) -> int:
    """Bring the orders' part of the map up to date with the log; returns how many changed."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return 0
    stored = _locked_traces(connection, wanted)
    logged: dict[str, list[Step]] = {order_id: [] for order_id in wanted}
    for row in _TOUCHED_ORDERS_EVENTS.run(connection, {"order_ids": wanted}):
        logged[row.object_id].append(_step(row))
    traces = {o: _in_time_order(logged[o]) for o in wanted}
    return _apply(_at_once(connection), stored, traces)


def project_steps(
    connection: Connection,
    new_steps: Mapping[str, Sequence[Step]],
    kept: dict[Any, Any] | None = None,
    write: Write | None = None,
) -> int:
    """Bring the orders' part of the map up to date with steps just delivered, merged into
    their stored traces without reading the log again; returns how many orders changed.

    A step already in its trace (a redelivery) changes nothing; a late one takes its place in
    time. Equal to :func:`project_orders` as long as every journey event reaches the map's
    subscriber, which the bus sees to. Traces in ``kept`` (``UnitOfWork.kept``) are taken from
    there, unread, and the new ones go there. ``write`` runs the writes (``UnitOfWork.write``;
    by default at once).
    """
    wanted = sorted(new_steps)
    if not wanted:
        return 0
    stored = feed.kept_or_read(kept, _TRACE, wanted, lambda ids: _locked_traces(connection, ids))
    traces = {o: _merged(stored[o], new_steps[o]) for o in wanted}
    changed = _apply(write or _at_once(connection), stored, traces)
    feed.keep(kept, _TRACE, traces)
    return changed


_TRACE = "process_map.trace"  # a trace's key in ``UnitOfWork.kept``


def _at_once(connection: Connection) -> Write:
    """Writes run as they come, on ``connection``."""
    return lambda action: action(connection)


def _merged(trace: list[Step], new: Sequence[Step]) -> list[Step]:
    known = {step.event_id for step in trace}
    added = {step.event_id: step for step in new if step.event_id not in known}
    return _in_time_order([*trace, *added.values()]) if added else trace


def _apply(write: Write, stored: Mapping[str, list[Step]], traces: Mapping[str, list[Step]]) -> int:
    """Add the difference between the stored traces and ``traces`` to the counts, and store
    ``traces``; returns how many changed."""
    change = Contribution()
    updates: list[dict[str, Any]] = []
    for order_id, after in traces.items():
        before = stored[order_id]
        if after == before:
            continue
        add_change(change, before, after)
        updates.append({"order_id": order_id, "steps": _as_json(after)})
    if updates:
        counts = change.nonzero()
        write(lambda connection: add_counts(connection, counts))
        write(lambda connection: _SAVE_TRACES.run(connection, updates))
    return len(updates)


def _locked_traces(connection: Connection, order_ids: list[str]) -> dict[str, list[Step]]:
    """The orders' traces as last projected, their rows locked until commit (concurrent workers
    project one order one after the other); an order without a row is given an empty one."""
    rows = _STORED_TRACES.run(connection, {"order_ids": order_ids})
    found = {row.order_id: _stored_steps(row.steps) for row in rows}
    missing = [order_id for order_id in order_ids if order_id not in found]
    if missing and connection.dialect.name == "sqlite":
        # As for the facts (analytics.repository): saving the trace inserts its row.
        found.update((order_id, []) for order_id in missing)
    elif missing:
        empty = [{"order_id": order_id, "steps": []} for order_id in missing]
        created = _CREATE_AND_LOCK_TRACES.run(connection, empty)
        found.update({row.order_id: _stored_steps(row.steps) for row in created})
    return found


def rebuild(connection: Connection, up_to: feed.Position | None = None) -> int:
    """Throw the map away and project every order again from the log (``up_to``: as in
    :func:`all_order_traces`); returns the orders."""
    for table in (
        process_map_traces,
        process_map_edges,
        process_map_waits,
        process_map_activities,
        process_map_variants,
    ):
        connection.execute(delete(table))
    total = Contribution()
    traces: list[dict[str, Any]] = []
    for order_id, steps in all_order_traces(connection, up_to):
        total.add(contribution_of(steps))
        traces.append({"order_id": order_id, "steps": _as_json(steps)})
    # Written after the read is finished: the log is streamed over this same connection.
    for start in range(0, len(traces), _CHUNK):
        connection.execute(process_map_traces.insert(), traces[start : start + _CHUNK])
    add_counts(connection, total.nonzero())
    return len(traces)


def add_counts(connection: Connection, change: Contribution) -> None:
    """Add a (possibly negative) contribution to the count tables."""
    edges = set(change.transitions) | set(change.loop_backs) | set(change.wait_seconds)
    _add(
        connection,
        process_map_edges,
        [
            {
                "source": source,
                "target": target,
                "transitions": change.transitions[(source, target)],
                "loop_backs": change.loop_backs[(source, target)],
                "wait_seconds": change.wait_seconds[(source, target)],
            }
            for source, target in sorted(edges)
        ],
    )
    _add(
        connection,
        process_map_waits,
        [
            {"source": source, "target": target, "bucket": bucket, "transitions": count}
            for (source, target, bucket), count in sorted(change.waits.items())
        ],
    )
    activities = (
        set(change.events)
        | set(change.starting)
        | set(change.ending)
        | set(change.repeating)
        | set(change.repeats)
    )
    _add(
        connection,
        process_map_activities,
        [
            {
                "activity": activity,
                "events": change.events[activity],
                "starting": change.starting[activity],
                "ending": change.ending[activity],
                "repeating": change.repeating[activity],
                "repeats": change.repeats[activity],
            }
            for activity in sorted(activities)
        ],
    )
    _add(
        connection,
        process_map_variants,
        [
            {
                "variant": key,
                "activities": "\n".join(change.variant_activities[key]),
                "orders": count,
            }
            for key, count in sorted(change.variants.items())
        ],
    )


def _add(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    # Sorted rows: concurrent projectors touch the count rows in one order, so never deadlock.
    if rows:
        _upsert_adding(table).run(connection, rows)


@functools.cache
def _upsert_adding(table: Table) -> bulk.ManyRows:
    keys = [column.name for column in table.primary_key.columns]

    def adding(insert: Any) -> Any:
        counts = {
            column.name: column + insert.excluded[column.name]
            for column in table.columns
            if column.name not in keys and column.name != "activities"
        }
        return insert.on_conflict_do_update(index_elements=keys, set_=counts)

    return bulk.inserting(table, [column.name for column in table.columns], adding)


def rebuild_process_map(uow: UnitOfWork) -> int:
    """Recount the process map from the whole event log (after installing it on a database that
    already has history); returns the number of orders."""
    return rebuild(uow.connection)
