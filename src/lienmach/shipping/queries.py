"""Shipping read side: quotes for checkout, shipments with their history, on-time rates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, case, func, select

from lienmach.customers import geography
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import event_log
from lienmach.shipping import repository
from lienmach.shipping.events import ShipmentBooked
from lienmach.shipping.model import quote
from lienmach.shipping.repository import ShipmentRecord
from lienmach.shipping.tables import carriers, shipment_events, shipments


@dataclass(frozen=True)
class QuoteView:
    carrier_id: str
    carrier_name: str
    service_level: str
    fee_vnd: int
    promised_days: int
    shipping_fee_vnd: int
    cod_fee_vnd: int


@dataclass(frozen=True)
class StatusView:
    status: str
    carrier_status: str
    occurred_at: datetime
    note: str


@dataclass(frozen=True)
class ShipmentView:
    id: str
    order_id: str
    parcel_id: str
    warehouse_id: str
    carrier_id: str
    carrier_name: str
    service_level: str
    state: str
    tracking_code: str | None
    fee_vnd: int
    cod_amount_vnd: int
    weight_grams: int
    promised_at: datetime
    choice_reason: str
    reservation_ids: tuple[str, ...]
    created_at: datetime
    booked_at: datetime | None
    delivered_at: datetime | None
    history: tuple[StatusView, ...]


def _known_province(code: str, field: str) -> str:
    try:
        return geography.province(code).code
    except NotFound as error:
        raise InvalidInput({field: f"unknown province code {code!r}"}) from error


def quote_shipping(
    connection: Connection,
    *,
    origin_province_code: str,
    destination_province_code: str,
    weight_grams: int,
    service_level: str,
    cod_amount_vnd: int = 0,
) -> list[QuoteView]:
    """Every carrier option for a parcel, cheapest first (the checkout shows these)."""
    origin = _known_province(origin_province_code, "origin_province_code")
    destination = _known_province(destination_province_code, "destination_province_code")
    quotes = quote(
        repository.load_rate_cards(connection),
        distance_km=float(geography.distance_km(origin, destination)),
        weight_grams=weight_grams,
        service_level=service_level,
        cod_amount_vnd=cod_amount_vnd,
        same_province=origin == destination,
    )
    return [
        QuoteView(
            carrier_id=q.carrier_id,
            carrier_name=q.carrier_name,
            service_level=q.service_level,
            fee_vnd=q.fee_vnd,
            promised_days=q.promised_days,
            shipping_fee_vnd=q.shipping_fee_vnd,
            cod_fee_vnd=q.cod_fee_vnd,
        )
        for q in quotes
    ]


def _histories(
    connection: Connection, shipment_ids: Sequence[str]
) -> dict[str, tuple[StatusView, ...]]:
    if not shipment_ids:
        return {}
    rows = connection.execute(
        select(
            shipment_events.c.shipment_id,
            shipment_events.c.status,
            shipment_events.c.carrier_status,
            shipment_events.c.occurred_at,
            shipment_events.c.note,
        )
        .where(shipment_events.c.shipment_id.in_(sorted(set(shipment_ids))))
        .order_by(shipment_events.c.occurred_at, shipment_events.c.id)
    )
    histories: dict[str, list[StatusView]] = {}
    for row in rows:
        histories.setdefault(row.shipment_id, []).append(
            StatusView(row.status, row.carrier_status, as_utc(row.occurred_at), row.note)
        )
    return {shipment_id: tuple(history) for shipment_id, history in histories.items()}


def _views(connection: Connection, records: Sequence[ShipmentRecord]) -> list[ShipmentView]:
    """Views of several shipments in three statements, however many there are."""
    if not records:
        return []
    names = repository.carrier_names(connection)
    histories = _histories(connection, [record.id for record in records])
    return [
        ShipmentView(
            id=record.id,
            order_id=record.order_id,
            parcel_id=record.parcel_id,
            warehouse_id=record.warehouse_id,
            carrier_id=record.carrier_id,
            carrier_name=names.get(record.carrier_id, record.carrier_id),
            service_level=record.service_level,
            state=record.state.value,
            tracking_code=record.tracking_code,
            fee_vnd=record.fee_vnd,
            cod_amount_vnd=record.cod_amount_vnd,
            weight_grams=record.weight_grams,
            promised_at=record.promised_at,
            choice_reason=record.choice_reason,
            reservation_ids=record.reservation_ids,
            created_at=record.created_at,
            booked_at=record.booked_at,
            delivered_at=record.delivered_at,
            history=histories.get(record.id, ()),
        )
        for record in records
    ]


def get_shipment(connection: Connection, shipment_id: str) -> ShipmentView | None:
    record = repository.get(connection, shipment_id)
    return _views(connection, [record])[0] if record else None


def shipment_reservation_ids(connection: Connection, shipment_id: str) -> tuple[str, ...] | None:
    """The reservations travelling in a shipment (None: no such shipment); one column read."""
    row = _RESERVATION_IDS.run(connection, {"shipment_id": shipment_id}).first()
    return None if row is None else tuple(row.reservation_ids or ())


_RESERVATION_IDS = prepared(
    select(shipments.c.reservation_ids).where(shipments.c.id == bindparam("shipment_id"))
)


def shipments_for_order(connection: Connection, order_id: str) -> list[ShipmentView]:
    rows = connection.execute(
        select(shipments).where(shipments.c.order_id == order_id).order_by(shipments.c.created_at)
    )
    return _views(connection, [repository.to_record(row._mapping) for row in rows])


def list_shipments(
    connection: Connection, *, state: str | None = None, limit: int = 50, offset: int = 0
) -> list[ShipmentView]:
    """A page of shipments, newest first, optionally in one state (the back office's list)."""
    query = select(shipments)
    if state is not None:
        query = query.where(shipments.c.state == state)
    rows = connection.execute(
        query.order_by(shipments.c.created_at.desc(), shipments.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _views(connection, [repository.to_record(row._mapping) for row in rows])


def find_by_tracking_code(connection: Connection, tracking_code: str) -> ShipmentView | None:
    """The shipment behind a tracking number (the public tracking page)."""
    row = connection.execute(
        select(shipments).where(shipments.c.tracking_code == tracking_code.strip().upper())
    ).first()
    return _views(connection, [repository.to_record(row._mapping)])[0] if row else None


def on_time_rates(connection: Connection, *, min_deliveries: int = 1) -> dict[str, float]:
    """Share of each carrier's delivered shipments that arrived by their promised moment."""
    return {
        row.carrier_id: int(row.on_time) / int(row.delivered)
        for row in _ON_TIME_RATES.run(connection)
        if int(row.delivered) >= min_deliveries
    }


_ON_TIME_RATES = prepared(
    select(
        shipments.c.carrier_id,
        func.count().label("delivered"),
        func.sum(case((shipments.c.delivered_at <= shipments.c.promised_at, 1), else_=0)).label(
            "on_time"
        ),
    )
    .where(shipments.c.delivered_at.is_not(None))
    .group_by(shipments.c.carrier_id)
)


@dataclass(frozen=True)
class CarrierView:
    id: str
    name: str
    active: bool
    max_weight_grams: int
    has_webhook_secret: bool


def list_carriers(connection: Connection) -> list[CarrierView]:
    rows = connection.execute(select(carriers).order_by(carriers.c.id))
    return [
        CarrierView(
            row.id, row.name, bool(row.active), row.max_weight_grams, bool(row.webhook_secret)
        )
        for row in rows
    ]


def webhook_secret(connection: Connection, carrier_id: str) -> str | None:
    """The secret a carrier signs its callbacks with, when one was set for it."""
    row = connection.execute(
        select(carriers.c.webhook_secret).where(carriers.c.id == carrier_id)
    ).first()
    return row.webhook_secret if row else None


OPEN_STATES = ("booked", "picked_up", "in_transit")


def open_shipments(
    connection: Connection, *, limit: int = 200, handed_over: bool = False
) -> list[ShipmentView]:
    """Shipments with the carrier and not yet delivered or returned, oldest first; with
    ``handed_over``, only those whose units have left the warehouse's stock."""
    query = select(shipments).where(shipments.c.state.in_(OPEN_STATES))
    if handed_over:
        query = query.where(shipments.c.issued_at.is_not(None))
    rows = connection.execute(query.order_by(shipments.c.created_at, shipments.c.id).limit(limit))
    return _views(connection, [repository.to_record(row._mapping) for row in rows])


def count_booked_between(connection: Connection, *, since: datetime, until: datetime) -> int:
    """Shipments booked with a carrier in [since, until), read from the event log's index."""
    return int(
        connection.execute(
            select(func.count()).where(
                event_log.c.type == ShipmentBooked.type_name(),
                event_log.c.occurred_at >= since,
                event_log.c.occurred_at < until,
            )
        ).scalar_one()
    )


def shipments_to_poll(
    connection: Connection, *, quiet_since: datetime, limit: int = 100
) -> list[str]:
    """Ids of open shipments with a tracking code whose last status was recorded before
    ``quiet_since`` (their callbacks may have been lost), longest quiet first."""
    last_heard = (
        select(func.max(shipment_events.c.recorded_at))
        .where(shipment_events.c.shipment_id == shipments.c.id)
        .scalar_subquery()
    )
    quiet = func.coalesce(last_heard, shipments.c.booked_at, shipments.c.created_at)
    rows = connection.execute(
        select(shipments.c.id)
        .where(
            shipments.c.state.in_(OPEN_STATES),
            shipments.c.tracking_code.is_not(None),
            quiet <= quiet_since,
        )
        .order_by(quiet, shipments.c.id)
        .limit(limit)
    )
    return list(rows.scalars())


def reservation_ids_of_shipments(
    connection: Connection, shipment_ids: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """:func:`shipment_reservation_ids` of many shipments in one statement; shipments not
    found are left out."""
    wanted = sorted(set(shipment_ids))
    if not wanted:
        return {}
    rows = _RESERVATION_IDS_OF_MANY.run(connection, {"shipment_ids": wanted})
    return {row.id: tuple(row.reservation_ids or ()) for row in rows}


_RESERVATION_IDS_OF_MANY = prepared(
    select(shipments.c.id, shipments.c.reservation_ids).where(
        shipments.c.id.in_(bindparam("shipment_ids", expanding=True))
    )
)
