"""Booking: choosing the carrier for a packed parcel, recording the shipment and queueing its
booking job, then recording the carrier's acceptance (the tracking code)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from lienmach.customers import geography
from lienmach.inventory import queries as inventory_queries
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import queries as order_queries
from lienmach.shipping import reference, repository
from lienmach.shipping.carrier_setup import seed_carriers
from lienmach.shipping.events import CarrierChosen, ShipmentBooked
from lienmach.shipping.model import LineAmount, ShipmentState, choose_carrier, cod_amount, quote

BOOK_JOB = "shipping.book"
# Below this many deliveries a carrier's on-time rate is noise, not a record.
MIN_DELIVERIES_FOR_ON_TIME = 10


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
    order = order_queries.order_in(uow, order_id)
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
