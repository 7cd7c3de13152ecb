"""Carrier updates: the statuses a carrier reports (signed callbacks, polls) moving a shipment
towards delivery or failure, and bringing a failed parcel's units back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import ConcurrencyConflict, InvalidInput, NotFound
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import handover, repository
from lienmach.shipping.events import (
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentStatusChanged,
)
from lienmach.shipping.model import ShipmentState, state_for_carrier_status, status_effect
from lienmach.shipping.webhooks import parse_callback

# States that several carrier statuses map to: a callback for one is mostly a repeat.
_MOSTLY_REPEATED = frozenset({ShipmentState.BOOKED, ShipmentState.IN_TRANSIT})


def record_carrier_update(
    uow: UnitOfWork,
    *,
    carrier_id: str,
    tracking_code: str,
    carrier_status: str,
    carrier_event_id: str,
    occurred_at: datetime,
    note: str = "",
) -> str:
    """Apply a carrier status; returns 'applied', 'duplicate' or 'ignored' (out of order).

    A repeated ``carrier_event_id`` does nothing; a status behind the current one is ignored.
    Delivery tells the order (downward) and publishes ShipmentDelivered; failure publishes
    ShipmentFailed, whose handler brings the units back.
    """
    target = state_for_carrier_status(carrier_status)
    if not carrier_event_id.strip():
        raise InvalidInput({"carrier_event_id": "needed to recognise a repeated callback"})
    code = tracking_code.strip().upper()
    occurred = as_utc(occurred_at)
    changes: dict[str, Any] = {}
    if target == ShipmentState.DELIVERED:
        changes["delivered_at"] = occurred
    elif target == ShipmentState.FAILED:
        changes.update(failed_at=occurred, failure_reason=note or carrier_status)
    event_row = {
        "carrier_id": carrier_id,
        "carrier_event_id": carrier_event_id,
        "status": target.value,
        "carrier_status": carrier_status,
        "occurred_at": occurred,
        "recorded_at": uow.now(),
        "note": note,
    }
    # Fast path: a status that moves the shipment forward is one UPDATE whose WHERE holds the
    # transition check. States that several carrier statuses share (picking, storing,
    # transporting, delivering) are mostly repeats, so for those the row is looked at first.
    record = None
    if target not in _MOSTLY_REPEATED:
        record = repository.advance_by_tracking(uow.connection, carrier_id, code, target, **changes)
    if record is not None:
        effect = "move"
        if not repository.add_event(uow.connection, {**event_row, "shipment_id": record.id}):
            # A recorded event id means the shipment reached its status already, so it cannot
            # move there again; undo rather than move without history.
            raise ConcurrencyConflict(f"carrier event {carrier_event_id} was recorded meanwhile")
    else:
        record = repository.by_tracking(uow.connection, carrier_id, code, for_update=True)
        if record is None:
            raise NotFound("shipment", f"{carrier_id}:{tracking_code}")
        effect = status_effect(record.state, target)
        if effect == "ignore":
            # A repeat is told apart from an out-of-order status only here: otherwise the
            # unique (carrier, carrier event) of add_event below recognises it without a
            # lookup first.
            seen = repository.event_seen(uow.connection, carrier_id, carrier_event_id)
            return "duplicate" if seen else "ignored"
        if not repository.add_event(uow.connection, {**event_row, "shipment_id": record.id}):
            return "duplicate"
        if effect == "move":
            record = repository.change(uow.connection, record, state=target.value, **changes)
    uow.publish(
        ShipmentStatusChanged(
            shipment_id=record.id,
            order_id=record.order_id,
            status=target.value,
            carrier_status=carrier_status,
        )
    )
    if effect == "move" and target == ShipmentState.DELIVERED:
        handover.deliver(uow, record)
        uow.publish(
            ShipmentDelivered(
                shipment_id=record.id,
                order_id=record.order_id,
                cod_amount_vnd=record.cod_amount_vnd,
            )
        )
    elif effect == "move" and target == ShipmentState.FAILED:
        uow.publish(
            ShipmentFailed(
                shipment_id=record.id, order_id=record.order_id, reason=note or carrier_status
            )
        )
    return "applied"


def parse_and_record_callback(
    uow: UnitOfWork, *, carrier_id: str, headers: Mapping[str, str], body: bytes, secret: str
) -> str:
    """Check a carrier's signed status callback and apply it (see record_carrier_update).

    Raises InvalidSignature ("signature does not match", "timestamp too old") before anything
    is written.
    """
    update = parse_callback(secret, headers=headers, body=body, now=uow.now())
    return record_carrier_update(
        uow,
        carrier_id=carrier_id,
        tracking_code=update.tracking_code,
        carrier_status=update.carrier_status,
        carrier_event_id=update.carrier_event_id,
        occurred_at=update.occurred_at,
        note=update.note,
    )


def bring_back_failed(uow: UnitOfWork, *, shipment_id: str) -> None:
    """A failed shipment's units return to stock and the order records them returned."""
    record = repository.get(uow.connection, shipment_id, for_update=True)
    if record is None:
        raise NotFound("shipment", shipment_id)
    handover.bring_back(uow, record)
