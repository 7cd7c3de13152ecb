"""Carrier polling: asking the carrier about parcels whose status callbacks may have been lost.

A periodic task (registered in bootstrap) finds open shipments with no news for a while and
queues one poll job per shipment per quiet period; the job asks the carrier for the parcel's
status log (external I/O, outside any transaction) and :func:`apply_status_report` applies
each entry through the callback path, under the callback's own carrier event id, so a status
already received by callback or by an earlier poll changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from lienmach.kernel.runtime import PeriodicTask
from lienmach.kernel.tables import jobs
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import repository
from lienmach.shipping.carrier_updates import record_carrier_update
from lienmach.shipping.model import CARRIER_STATUSES, SHIPPED_STATES
from lienmach.shipping.queries import shipments_to_poll

TASK_NAME = "shipping.carrier_poll"
POLL_JOB = "shipping.poll_status"
# The booking already recorded the parcel as accepted, under its own id.
_ALREADY_KNOWN = frozenset({"ready_to_pick"})


def periodic_tasks(*, quiet_for: timedelta, every: timedelta) -> list[PeriodicTask]:
    """The sweep that polls shipments without carrier news for ``quiet_for``."""

    def find(connection: Connection, now: datetime, limit: int) -> Sequence[str]:
        return shipments_to_poll(connection, quiet_since=now - quiet_for, limit=limit)

    def act(uow: UnitOfWork, shipment_id: str) -> bool:
        return request_poll(uow, shipment_id=shipment_id, quiet_for=quiet_for)

    return [PeriodicTask(name=TASK_NAME, every=every, find=find, act=act)]


def request_poll(uow: UnitOfWork, *, shipment_id: str, quiet_for: timedelta) -> bool:
    """Queue a poll of the shipment's carrier, at most once per ``quiet_for`` period; False
    when the shipment is closed or this period's poll is queued already."""
    record = repository.get(uow.connection, shipment_id)
    if record is None or record.state not in SHIPPED_STATES or not record.tracking_code:
        return False
    period = int(uow.now().timestamp() // max(quiet_for.total_seconds(), 1))
    key = f"carrier-poll:{shipment_id}:{period}"
    if uow.connection.execute(select(jobs.c.id).where(jobs.c.key == key)).first() is not None:
        return False
    uow.record_job(
        POLL_JOB,
        key=key,
        payload={
            "shipment_id": record.id,
            "carrier_id": record.carrier_id,
            "tracking_code": record.tracking_code,
        },
    )
    return True


def apply_status_report(
    uow: UnitOfWork, *, carrier_id: str, order_code: str, log: Sequence[Mapping[str, Any]]
) -> dict[str, int]:
    """Apply a carrier's status log, oldest first, as if each entry were a callback.

    Returns how many entries were 'applied', 'duplicate', 'ignored' (behind the shipment's
    state) or 'unknown' (a status this system does not know, or no time: left for people to
    look at in the job's result rather than failing the poll).
    """
    outcomes: Counter[str] = Counter()
    for entry in log:
        status = str(entry.get("status") or "").strip()
        moment = str(entry.get("updated_date") or "").strip()
        if status.lower() in _ALREADY_KNOWN:
            outcomes["duplicate"] += 1
            continue
        try:
            occurred_at = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            outcomes["unknown"] += 1
            continue
        if status.lower() not in CARRIER_STATUSES:
            outcomes["unknown"] += 1
            continue
        outcome = record_carrier_update(
            uow,
            carrier_id=carrier_id,
            tracking_code=order_code,
            carrier_status=status,
            # The id a callback for this status carries: whichever arrives second is a repeat.
            carrier_event_id=f"{order_code}:{status}:{moment}",
            occurred_at=occurred_at,
        )
        outcomes[outcome] += 1
    return dict(outcomes)
