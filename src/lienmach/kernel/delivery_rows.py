"""The statements over delivery rows, built once: what each lane of the bus looks for and
claims, how a delivery is marked done or failed, and how much work is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    text,
    update,
)

from lienmach.kernel import bulk, feed
from lienmach.kernel.prepared import Prepared, prepared
from lienmach.kernel.tables import event_deliveries, event_log

JOURNEY, PROJECTIONS = "journey", "projections"
ORPHANS = "orphans"  # deliveries to subscribers unknown to this code, looked for when idle
PROJECTIONS_LOCK = 7_270_001  # the advisory lock whose holder runs the projections


# Built once: building a statement costs several times more than executing it.
# 'pending' written out, not bound: only then may the planners use the partial index of
# pending deliveries (kernel.tables, ix_event_deliveries_pending).
DUE = and_(
    event_deliveries.c.state == literal_column("'pending'"),
    event_deliveries.c.available_at <= bindparam("now"),
)


def settle_pending(
    connection: Connection, subscribers: list[str], up_to: feed.Position, now: datetime
) -> None:
    """Mark done the pending deliveries to ``subscribers`` of events at or before ``up_to``:
    their effects were just rebuilt from the log, so a retry would only repeat them."""
    connection.execute(
        update(event_deliveries)
        .where(
            event_deliveries.c.state == literal_column("'pending'"),
            event_deliveries.c.subscriber.in_(subscribers),
            event_deliveries.c.event_id.in_(select(event_log.c.id).where(feed.up_to(up_to))),
        )
        .values(state="done", finished_at=now)
    )


def hold_projections(connection: Connection) -> None:
    """Wait until no worker runs projections, and keep them off until this transaction ends
    (a rebuild of what they keep). SQLite: its one writer already excludes them."""
    if connection.dialect.name == "postgresql":
        connection.execute(HOLD_PROJECTIONS_LOCK)


# One lock per schema: the projections' rows are the schema's own (tests use one per test).
TRY_PROJECTIONS_LOCK = text(
    f"SELECT pg_try_advisory_xact_lock({PROJECTIONS_LOCK}, hashtext(current_schema()))"
)
HOLD_PROJECTIONS_LOCK = text(
    f"SELECT pg_advisory_xact_lock({PROJECTIONS_LOCK}, hashtext(current_schema()))"
)


@dataclass(frozen=True)
class Lane:
    any_due: Prepared
    claim: Prepared


def lane_statements(where: ColumnElement[bool]) -> Lane:
    """The look and the claim of one lane. The claim picks (and locks) its deliveries from
    the index of pending ones first and joins the log only for those: joined before the
    limit, the log's rows of the whole backlog were read at every claim."""
    due = (
        select(
            event_deliveries.c.event_id,
            event_deliveries.c.subscriber,
            event_deliveries.c.attempts,
        )
        .where(where)
        .order_by(event_deliveries.c.event_id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
        .subquery("due")
    )
    claim = (
        select(
            due.c.event_id,
            due.c.subscriber,
            due.c.attempts,
            event_log.c.type,
            event_log.c.payload,
            event_log.c.occurred_at,
        )
        .join(event_log, event_log.c.id == due.c.event_id)
        .order_by(due.c.event_id)
    )
    return Lane(
        prepared(select(event_deliveries.c.event_id).where(where).limit(1)), prepared(claim)
    )


def lanes(journey: list[str], projected: list[str]) -> dict[str, Lane]:
    """The statements of each lane, built once per bus (no projections: one lane for all).

    Each lane names its subscribers, so its look goes straight to them in the index of pending
    deliveries instead of walking past the other lane's backlog.
    """
    if not projected:
        return {JOURNEY: lane_statements(DUE)}
    subscriber = event_deliveries.c.subscriber
    return {
        JOURNEY: lane_statements(and_(DUE, subscriber.in_(journey))),
        PROJECTIONS: lane_statements(and_(DUE, subscriber.in_(projected))),
        ORPHANS: lane_statements(and_(DUE, subscriber.not_in(journey + projected))),
    }


ONE_DELIVERY = and_(
    event_deliveries.c.event_id == bindparam("b_event_id"),
    event_deliveries.c.subscriber == bindparam("b_subscriber"),
)
#: A batch's deliveries marked done in one statement (kernel.bulk).
MARK_DONE = bulk.updating(
    event_deliveries,
    ["event_id", "subscriber"],
    ["finished_at"],
    lambda update: update.values(state="done", attempts=event_deliveries.c.attempts + 1),
)
MARK_FAILED = prepared(
    update(event_deliveries)
    .where(ONE_DELIVERY)
    .values(
        state=bindparam("b_state"),
        attempts=bindparam("b_attempts"),
        available_at=bindparam("b_available_at"),
        last_error=bindparam("b_error"),
    )
)


INSERT_FAILED = prepared(
    event_deliveries.insert().values(
        event_id=bindparam("b_event_id"),
        subscriber=bindparam("b_subscriber"),
        state=bindparam("b_state"),
        attempts=bindparam("b_attempts"),
        available_at=bindparam("b_available_at"),
        last_error=bindparam("b_error"),
    )
)


def pending_work(connection: Connection, *, feed_read: bool = True) -> int:
    """Deliveries still to run plus events the projections' feed has not read yet
    (``feed_read=False``: a bus without projections, which no one reads the feed for)."""
    pending = connection.execute(
        select(func.count()).select_from(event_deliveries).where(PENDING)
    ).scalar_one()
    return int(pending) + (feed.lag(connection) if feed_read else 0)


PENDING = event_deliveries.c.state == literal_column("'pending'")
