"""Shipping use cases: the only write API of this context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from lienmach.customers import geography
from lienmach.inventory import queries as inventory_queries
from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import ConcurrencyConflict, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import queries as order_queries
from lienmach.shipping import handover, reference, repository
from lienmach.shipping.defaults import CARRIERS, default_rate_cards
from lienmach.shipping.events import (
    CarrierChosen,
    ShipmentBooked,
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentStatusChanged,
)
from lienmach.shipping.model import (
    LineAmount,
    ShipmentState,
    choose_carrier,
    cod_amount,
    quote,
    state_for_carrier_status,
    status_effect,
)
from lienmach.shipping.tables import carriers, rate_cards
from lienmach.shipping.webhooks import parse_callback

BOOK_JOB = "shipping.book"
# States that several carrier statuses map to: a callback for one is mostly a repeat.
_MOSTLY_REPEATED = frozenset({ShipmentState.BOOKED, ShipmentState.IN_TRANSIT})
# Below this many deliveries a carrier's on-time rate is noise, not a record.
MIN_DELIVERIES_FOR_ON_TIME = 10


def seed_carriers(uow: UnitOfWork) -> int:
    """Insert the default carriers and rate cards unless present; returns rows inserted."""
    carrier_rows = [
        {
            "id": c.id,
            "name": c.name,
            "active": True,
            "max_weight_grams": c.max_weight_grams,
            "cod_fee_basis_points": c.cod_fee_basis_points,
            "cod_fee_min_vnd": c.cod_fee_min_vnd,
        }
        for c in CARRIERS
    ]
    limits = ("carrier_name", "max_weight_grams", "cod_fee_basis_points", "cod_fee_min_vnd")
    card_rows = [
        {k: v for k, v in asdict(card).items() if k not in limits} for card in default_rate_cards()
    ]
    reference.forget(uow)
    inserted = insert_ignoring_duplicates(uow.connection, carriers, carrier_rows)
    return inserted + insert_ignoring_duplicates(uow.connection, rate_cards, card_rows)


def set_webhook_secret(uow: UnitOfWork, *, carrier_id: str, secret: str) -> None:
    """Store the secret a carrier signs its status callbacks with."""
    if len(secret.strip()) < 16:
        raise InvalidInput({"secret": "use at least 16 characters"})
    changed = uow.connection.execute(
        carriers.update().where(carriers.c.id == carrier_id).values(webhook_secret=secret.strip())
    ).rowcount
    if changed != 1:
        raise NotFound("carrier", carrier_id)


def create_shipment(
    uow: UnitOfWork,
    *,
    parcel_id: str,
    order_id: str,
    warehouse_id: str,
    weight_grams: int,
    reservation_ids: Sequence[str],
) -> str | None:
    """Choose the carrier for a packed parcel, record the shipment and queue its booking.

    Returns the shipment id (the existing one for a parcel already shipped), or None when the
    order was cancelled meanwhile. Seeds the default carriers when none exist yet.
    """
    order = order_queries.get_order(uow.connection, order_id)
    if order is None:
        raise NotFound("order", order_id)
    if order.state == "cancelled":
        existing = repository.by_parcel(uow.connection, parcel_id)
        return existing.id if existing is not None else None
    warehouse = inventory_queries.get_warehouse(uow.connection, warehouse_id)
    if warehouse is None:
        raise NotFound("warehouse", warehouse_id)
    reservations = inventory_queries.get_reservations(uow.connection, reservation_ids)
    quantities: dict[str, int] = {}
    for reservation in reservations:
        quantities[reservation.line_id] = (
            quantities.get(reservation.line_id, 0) + reservation.quantity
        )
    cod = cod_amount(
        payment_method=order.payment_method,
        paid=order.paid,
        total_vnd=order.total_vnd,
        lines=[LineAmount(ln.id, ln.quantity, ln.net_vnd + ln.vat_vnd) for ln in order.lines],
        parcel_quantities=quantities,
    )
    cards = reference.rate_cards(uow)
    if not cards:
        seed_carriers(uow)
        cards = reference.rate_cards(uow)
    weight = max(1, weight_grams)
    quotes = quote(
        cards,
        distance_km=geography.distance_km(warehouse.province_code, order.ship_province_code),
        weight_grams=weight,
        service_level=order.service_level,
        cod_amount_vnd=cod,
        same_province=warehouse.province_code == order.ship_province_code,
    )
    now = uow.now()
    choice = choose_carrier(
        quotes,
        promised_by=as_utc(order.promised_at) if order.promised_at else None,
        on_time_rates=reference.on_time_rates(uow, min_deliveries=MIN_DELIVERIES_FOR_ON_TIME),
        now=now,
    )
    chosen = choice.quote
    shipment_id = new_id("shp_")
    # The unique parcel makes a redelivered ParcelPacked insert nothing: no lookup first.
    inserted = repository.insert_unless_shipped(
        uow.connection,
        {
            "id": shipment_id,
            "order_id": order_id,
            "parcel_id": parcel_id,
            "warehouse_id": warehouse_id,
            "carrier_id": chosen.carrier_id,
            "service_level": chosen.service_level,
            "state": ShipmentState.BOOKING.value,
            "fee_vnd": chosen.fee_vnd,
            "cod_amount_vnd": cod,
            "weight_grams": weight,
            "promised_days": chosen.promised_days,
            "promised_at": now + timedelta(days=chosen.promised_days),
            "choice_reason": choice.reason,
            "reservation_ids": sorted(reservation_ids),
            "created_at": now,
        },
    )
    if not inserted:
        existing = repository.by_parcel(uow.connection, parcel_id)
        assert existing is not None  # its row is what the insert conflicted with
        return existing.id
    uow.publish(
        CarrierChosen(
            shipment_id=shipment_id,
            order_id=order_id,
            parcel_id=parcel_id,
            carrier_id=chosen.carrier_id,
            fee_vnd=chosen.fee_vnd,
            reason=choice.reason,
        )
    )
    province = geography.province(order.ship_province_code)
    uow.record_job(
        BOOK_JOB,
        key=f"book:{shipment_id}",
        payload={
            "shipment_id": shipment_id,
            "carrier_id": chosen.carrier_id,
            "client_order_code": shipment_id,
            "to_name": order.ship_name,
            "to_phone": order.ship_phone,
            "to_address": ", ".join(
                part for part in (order.ship_street, order.ship_ward, province.name_vi) if part
            ),
            "to_ward_name": order.ship_ward,
            "to_province_code": order.ship_province_code,
            "weight_grams": weight,
            "cod_amount_vnd": cod,
            "service_level": chosen.service_level,
        },
    )
    return shipment_id


def record_booking(uow: UnitOfWork, *, shipment_id: str, tracking_code: str) -> None:
    """The carrier accepted the parcel under ``tracking_code``: the shipment is booked."""
    code = tracking_code.strip().upper()
    if not code:
        raise InvalidInput({"tracking_code": "the carrier gave no tracking code"})
    now = uow.now()
    # booking → booked in one statement: the state in its WHERE is the transition's check.
    record = repository.mark_booked(uow.connection, shipment_id, tracking_code=code, booked_at=now)
    if record is None:
        if repository.get(uow.connection, shipment_id) is None:
            raise NotFound("shipment", shipment_id)
        return  # booked already (a retried job) or moved on
    repository.add_event(
        uow.connection,
        {
            "shipment_id": record.id,
            "carrier_id": record.carrier_id,
            "carrier_event_id": f"{code}:booked",
            "status": ShipmentState.BOOKED.value,
            "carrier_status": "ready_to_pick",
            "occurred_at": now,
            "recorded_at": now,
            "note": "booked with the carrier",
        },
    )
    uow.publish(
        ShipmentBooked(
            shipment_id=record.id,
            order_id=record.order_id,
            parcel_id=record.parcel_id,
            carrier_id=record.carrier_id,
            tracking_code=code,
            fee_vnd=record.fee_vnd,
            cod_amount_vnd=record.cod_amount_vnd,
        )
    )


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
