"""Keeps the process map tables up to date from the event log, one order at a time.

When an event touches an order, the order's whole trace is read again from the log (a few rows,
by index) and compared with the trace projected last time; the difference of their
contributions is added to the counts. So a second delivery of the same event, or several events
of one order handled in one batch, change nothing twice, and an event that arrives late is put
in its place in time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from lienmach.analytics.process_map import Contribution, Step, contribution_of
from lienmach.analytics.process_map_journey import JOURNEY_ACTIVITIES, ORDER
from lienmach.analytics.process_map_tables import (
    process_map_activities,
    process_map_edges,
    process_map_traces,
    process_map_variants,
    process_map_waits,
)
from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork

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
_ONE_ORDER_EVENTS = _ORDER_EVENTS.where(event_objects.c.object_id == bindparam("order_id"))
_STORED_TRACE = (
    select(process_map_traces.c.steps)
    .where(process_map_traces.c.order_id == bindparam("order_id"))
    .with_for_update()
)
_UPDATE_TRACE = (
    process_map_traces.update()
    .where(process_map_traces.c.order_id == bindparam("b_order_id"))
    .values(steps=bindparam("b_steps"))
)


def order_trace(connection: Connection, order_id: str) -> list[Step]:
    """The order's events from the log, in time order."""
    rows = connection.execute(_ONE_ORDER_EVENTS, {"order_id": order_id})
    return _in_time_order([_step(row) for row in rows])


def all_order_traces(connection: Connection) -> Iterator[tuple[str, list[Step]]]:
    """Every order's trace from the log, streamed one order at a time."""
    statement = _ORDER_EVENTS.order_by(event_objects.c.object_id)
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
    return [Step(event_id=e, activity=a, at_microseconds=int(t)) for e, a, t in value or []]


def _as_json(steps: list[Step]) -> list[list[Any]]:
    return [[step.event_id, step.activity, step.at_microseconds] for step in steps]


def project_order(connection: Connection, order_id: str) -> bool:
    """Bring one order's part of the map up to date with the log; True if anything changed."""
    # Locking the order's row makes concurrent workers project one order one after the other.
    stored = connection.execute(_STORED_TRACE, {"order_id": order_id}).first()
    if stored is None:
        row = {"order_id": order_id, "steps": []}
        insert_ignoring_duplicates(connection, process_map_traces, row)
        stored = connection.execute(_STORED_TRACE, {"order_id": order_id}).one()
    before = _stored_steps(stored.steps)
    after = order_trace(connection, order_id)
    if after == before:
        return False
    change = contribution_of(after)
    change.add(contribution_of(before), sign=-1)
    add_counts(connection, change.nonzero())
    connection.execute(_UPDATE_TRACE, {"b_order_id": order_id, "b_steps": _as_json(after)})
    return True


def rebuild(connection: Connection) -> int:
    """Throw the map away and project every order again from the log; returns the orders."""
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
    for order_id, steps in all_order_traces(connection):
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
        connection.execute(_upsert_adding(table, connection.dialect.name), rows)


@functools.cache
def _upsert_adding(table: Table, dialect: str) -> Any:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    counts = {
        column.name: column + insert.excluded[column.name]
        for column in table.columns
        if column.name not in keys and column.name != "activities"
    }
    return insert.on_conflict_do_update(index_elements=keys, set_=counts)


def rebuild_process_map(uow: UnitOfWork) -> int:
    """Recount the process map from the whole event log (after installing it on a database that
    already has history); returns the number of orders."""
    return rebuild(uow.connection)
