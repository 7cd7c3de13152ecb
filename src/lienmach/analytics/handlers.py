"""Analytics reacts to every measured event of the contexts below it, and finds dead work.

One handler for all: it folds the event into its object's facts and the per-day sums in the
same transaction as the delivery's tracking row, so each event counts exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, literal_column, select

from lienmach.aftersales import events as aftersales_events
from lienmach.analytics import events as analytics_events
from lienmach.analytics.services import MEASURED_EVENTS, fold_event
from lienmach.analytics.tables import seen_failures
from lienmach.billing import events as billing_events
from lienmach.fulfilment import events as fulfilment_events
from lienmach.kernel.bus import Logged, reads_logged
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.messages import Event, event_types
from lienmach.kernel.runtime import PeriodicTask
from lienmach.kernel.tables import event_deliveries, event_objects, jobs
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import events as orders_events
from lienmach.shipping import events as shipping_events


@reads_logged
def on_event_update_kpis(uow: UnitOfWork, logged: list[Logged]) -> None:
    """Fold the delivered events into the KPI facts and sums."""
    for event in logged:
        fold_event(
            uow,
            kind=event.type,
            payload=dict(event.payload),
            event_id=event.event_id,
            occurred_at=event.occurred_at,
        )


_MEASURED_TYPES = {
    name: kind
    for name, kind in event_types(
        orders_events,
        fulfilment_events,
        shipping_events,
        billing_events,
        aftersales_events,
        analytics_events,
    ).items()
    if name in MEASURED_EVENTS
}

SUBSCRIPTIONS: dict[type[Event], list[Any]] = {
    kind: [on_event_update_kpis] for _name, kind in sorted(_MEASURED_TYPES.items())
}


def find_dead_work(connection: Connection, now: datetime, limit: int) -> list[str]:
    """Dead deliveries ("delivery|event id|subscriber") and dead jobs ("job|id") not yet
    counted as automation errors."""
    deliveries = connection.execute(
        select(event_deliveries.c.event_id, event_deliveries.c.subscriber)
        .where(event_deliveries.c.state == "dead")
        .order_by(event_deliveries.c.event_id)
    ).all()
    dead_jobs = connection.execute(
        # 'dead' written out, not bound: only then may the planners use the index of dead jobs.
        select(jobs.c.id).where(jobs.c.state == literal_column("'dead'")).order_by(jobs.c.id)
    ).all()
    keys = [f"delivery|{event_id}|{subscriber}" for event_id, subscriber in deliveries]
    keys += [f"job|{job_id}" for (job_id,) in dead_jobs]
    seen = {
        key
        for (key,) in connection.execute(
            select(seen_failures.c.key).where(seen_failures.c.key.in_(keys))
        )
    }
    return [key for key in keys if key not in seen][:limit]


def act_on_dead_work(uow: UnitOfWork, key: str) -> bool:
    """Record one dead delivery or job as an AutomationFailed event, once."""
    connection = uow.connection
    if not insert_ignoring_duplicates(connection, seen_failures, {"key": key[:250]}):
        return False
    source, _, reference = key.partition("|")
    order_id: str | None = None
    if source == "delivery":
        event_id = reference.split("|", 1)[0]
        order_id = connection.execute(
            select(event_objects.c.object_id).where(
                and_(event_objects.c.event_id == event_id, event_objects.c.object_type == "order")
            )
        ).scalar()
    else:
        payload = connection.execute(select(jobs.c.payload).where(jobs.c.id == reference)).scalar()
        found = (payload or {}).get("order_id")
        order_id = str(found) if found else None
    uow.publish(
        analytics_events.AutomationFailed(source=source, reference=reference, order_id=order_id)
    )
    return True


def periodic_tasks(*, every: timedelta) -> list[PeriodicTask]:
    return [
        PeriodicTask(
            name="analytics.dead_work", every=every, find=find_dead_work, act=act_on_dead_work
        )
    ]
