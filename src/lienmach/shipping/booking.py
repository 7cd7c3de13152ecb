"""Booking: choosing the carrier for a packed parcel, recording the shipment and queueing its
booking job, then recording the carrier's acceptance (the tracking code)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from lienmach.customers import geography
from lienmach.inventory import queries as inventory_queries
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import queries as order_queries
from lienmach.orders.queries import OrderView
from lienmach.shipping import reference, repository
from lienmach.shipping.carrier_setup import seed_carriers
from lienmach.shipping.events import CarrierChosen, ShipmentBooked
from lienmach.shipping.model import LineAmount, ShipmentState, choose_carrier, cod_amount, quote

BOOK_JOB = "shipping.book"
# Below this many deliveries a carrier's on-time rate is noise, not a record.
MIN_DELIVERIES_FOR_ON_TIME = 10


@dataclass(frozen=True)
class PackedParcel:
    """A closed parcel waiting for its carrier: what ParcelPacked tells."""

    parcel_id: str
    order_id: str
    warehouse_id: str
    weight_grams: int
    reservation_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Booking:
    """A parcel's chosen carrier: its shipment row and what is told once it is inserted."""

    parcel: PackedParcel
    order: OrderView
    row: dict[str, Any]
    reason: str


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
    parcel = PackedParcel(parcel_id, order_id, warehouse_id, weight_grams, tuple(reservation_ids))
    (shipment_id,) = create_shipments(uow, [parcel])
    return shipment_id


def create_shipments(uow: UnitOfWork, parcels: Sequence[PackedParcel]) -> list[str | None]:
    """:func:`create_shipment` for many parcels, with the reads they share done once and the
    shipments inserted in one statement. Returns each parcel's shipment id (or None)."""
    orders: dict[str, OrderView] = {}
    for parcel in parcels:
        order = order_queries.order_in(uow, parcel.order_id)
        if order is None:
            raise NotFound("order", parcel.order_id)
        orders[parcel.order_id] = order
    # The first of a parcel's events (a redelivery may share the batch) books it.
    wanted: dict[str, PackedParcel] = {}
    for parcel in parcels:
        if orders[parcel.order_id].state != "cancelled":
            wanted.setdefault(parcel.parcel_id, parcel)
    bookings = _choose_carriers(uow, list(wanted.values()), orders) if wanted else []
    inserted = repository.insert_unless_shipped(uow.connection, [b.row for b in bookings])
    shipment_of = {b.parcel.parcel_id: b.row["id"] for b in bookings if b.row["id"] in inserted}
    for booking in bookings:
        if booking.row["id"] in inserted:
            _announce(uow, booking)
    # Parcels shipped already (a redelivery) or whose order was cancelled meanwhile.
    shipment_of.update(
        repository.ids_by_parcel(
            uow.connection, {p.parcel_id for p in parcels if p.parcel_id not in shipment_of}
        )
    )
    return [shipment_of.get(parcel.parcel_id) for parcel in parcels]


def _choose_carriers(
    uow: UnitOfWork, parcels: Sequence[PackedParcel], orders: Mapping[str, OrderView]
) -> list[_Booking]:
    """Each parcel's carrier, quoted from one reading of warehouses, reservations, rate cards
    and on-time rates."""
    warehouses = {w.id: w for w in inventory_queries.list_warehouses(uow.connection)}
    for parcel in parcels:
        if parcel.warehouse_id not in warehouses:
            raise NotFound("warehouse", parcel.warehouse_id)
    reservations = inventory_queries.get_reservations(
        uow.connection, [id_ for parcel in parcels for id_ in parcel.reservation_ids]
    )
    reservation_of = {reservation.id: reservation for reservation in reservations}
    cards = reference.rate_cards(uow)
    if not cards:
        seed_carriers(uow)
        cards = reference.rate_cards(uow)
    on_time = reference.on_time_rates(uow, min_deliveries=MIN_DELIVERIES_FOR_ON_TIME)
    now = uow.now()
    bookings: list[_Booking] = []
    for parcel in parcels:
        order = orders[parcel.order_id]
        warehouse = warehouses[parcel.warehouse_id]
        quantities: dict[str, int] = {}
        for id_ in dict.fromkeys(parcel.reservation_ids):
            if (reservation := reservation_of.get(id_)) is not None:
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
        weight = max(1, parcel.weight_grams)
        quotes = quote(
            cards,
            distance_km=geography.distance_km(warehouse.province_code, order.ship_province_code),
            weight_grams=weight,
            service_level=order.service_level,
            cod_amount_vnd=cod,
            same_province=warehouse.province_code == order.ship_province_code,
        )
        choice = choose_carrier(
            quotes,
            promised_by=as_utc(order.promised_at) if order.promised_at else None,
            on_time_rates=on_time,
            now=now,
        )
        chosen = choice.quote
        row = {
            "id": new_id("shp_"),
            "order_id": parcel.order_id,
            "parcel_id": parcel.parcel_id,
            "warehouse_id": parcel.warehouse_id,
            "carrier_id": chosen.carrier_id,
            "service_level": chosen.service_level,
            "state": ShipmentState.BOOKING.value,
            "fee_vnd": chosen.fee_vnd,
            "cod_amount_vnd": cod,
            "weight_grams": weight,
            "promised_days": chosen.promised_days,
            "promised_at": now + timedelta(days=chosen.promised_days),
            "choice_reason": choice.reason,
            "reservation_ids": sorted(parcel.reservation_ids),
            "created_at": now,
        }
        bookings.append(_Booking(parcel, order, row, choice.reason))
    return bookings


def _announce(uow: UnitOfWork, booking: _Booking) -> None:
    """A shipment was recorded: its carrier choice published, its booking job queued."""
    row, order = booking.row, booking.order
    uow.publish(
        CarrierChosen(
            shipment_id=row["id"],
            order_id=row["order_id"],
            parcel_id=row["parcel_id"],
            carrier_id=row["carrier_id"],
            fee_vnd=row["fee_vnd"],
            reason=booking.reason,
        )
    )
    province = geography.province(order.ship_province_code)
    uow.record_job(
        BOOK_JOB,
        key=f"book:{row['id']}",
        payload={
            "shipment_id": row["id"],
            "carrier_id": row["carrier_id"],
            "client_order_code": row["id"],
            "to_name": order.ship_name,
            "to_phone": order.ship_phone,
            "to_address": ", ".join(
                part for part in (order.ship_street, order.ship_ward, province.name_vi) if part
            ),
            "to_ward_name": order.ship_ward,
            "to_province_code": order.ship_province_code,
            "weight_grams": row["weight_grams"],
            "cod_amount_vnd": row["cod_amount_vnd"],
            "service_level": row["service_level"],
        },
    )


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
