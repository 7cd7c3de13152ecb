"""Reading and writing shipping rows; services and handlers go through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, select, update

from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import ConcurrencyConflict
from lienmach.shipping.model import RateCard, ShipmentState
from lienmach.shipping.tables import carriers, rate_cards, shipment_events, shipments


@dataclass(frozen=True)
class ShipmentRecord:
    id: str
    order_id: str
    parcel_id: str
    warehouse_id: str
    carrier_id: str
    service_level: str
    state: ShipmentState
    tracking_code: str | None
    fee_vnd: int
    cod_amount_vnd: int
    weight_grams: int
    promised_days: int
    promised_at: datetime
    choice_reason: str
    reservation_ids: tuple[str, ...]
    created_at: datetime
    booked_at: datetime | None
    issued_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    returned_at: datetime | None
    failure_reason: str | None
    version: int


_DATES: tuple[str, ...] = ("promised_at", "created_at", "booked_at", "issued_at")
_DATES += ("delivered_at", "failed_at", "returned_at")


def to_record(mapping: Mapping[Any, Any]) -> ShipmentRecord:
    values = {field.name: mapping[field.name] for field in fields(ShipmentRecord)}
    values["state"] = ShipmentState(values["state"])
    values["reservation_ids"] = tuple(values["reservation_ids"] or ())
    for name in _DATES:
        if values[name] is not None:
            values[name] = as_utc(values[name])
    return ShipmentRecord(**values)


def _load(
    connection: Connection, where: ColumnElement[bool], for_update: bool
) -> ShipmentRecord | None:
    query = select(shipments).where(where)
    if for_update:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return to_record(row._mapping) if row else None


def get(
    connection: Connection, shipment_id: str, *, for_update: bool = False
) -> ShipmentRecord | None:
    return _load(connection, shipments.c.id == shipment_id, for_update)


def by_parcel(connection: Connection, parcel_id: str) -> ShipmentRecord | None:
    return _load(connection, shipments.c.parcel_id == parcel_id, False)


def by_tracking(
    connection: Connection, carrier_id: str, tracking_code: str, *, for_update: bool = False
) -> ShipmentRecord | None:
    where = (shipments.c.carrier_id == carrier_id) & (shipments.c.tracking_code == tracking_code)
    return _load(connection, where, for_update)


def insert(connection: Connection, row: Mapping[str, Any]) -> None:
    connection.execute(shipments.insert().values(**row, version=1))


def change(connection: Connection, record: ShipmentRecord, **values: Any) -> ShipmentRecord:
    """Update the row if nobody changed it since ``record`` was read; returns the new record."""
    row = connection.execute(
        update(shipments)
        .where(shipments.c.id == record.id, shipments.c.version == record.version)
        .values(**values, version=record.version + 1)
        .returning(*shipments.c)
    ).first()
    if row is None:
        raise ConcurrencyConflict(f"shipment {record.id} was changed meanwhile; retry")
    return to_record(row._mapping)


def event_seen(connection: Connection, carrier_id: str, carrier_event_id: str) -> bool:
    row = connection.execute(
        select(shipment_events.c.id).where(
            shipment_events.c.carrier_id == carrier_id,
            shipment_events.c.carrier_event_id == carrier_event_id,
        )
    ).first()
    return row is not None


def add_event(connection: Connection, row: Mapping[str, Any]) -> bool:
    """Append a status row; False when this carrier event was already recorded."""
    return insert_ignoring_duplicates(connection, shipment_events, row) == 1


def load_rate_cards(connection: Connection) -> list[RateCard]:
    """Rate cards of active carriers, joined with the carrier's limits."""
    rows = connection.execute(
        select(
            rate_cards,
            carriers.c.name.label("carrier_name"),
            carriers.c.max_weight_grams,
            carriers.c.cod_fee_basis_points,
            carriers.c.cod_fee_min_vnd,
        )
        .join(carriers, carriers.c.id == rate_cards.c.carrier_id)
        .where(carriers.c.active.is_(True))
        .order_by(rate_cards.c.carrier_id, rate_cards.c.service_level, rate_cards.c.distance_band)
    )
    names = {field.name for field in fields(RateCard)}
    return [RateCard(**{k: v for k, v in row._mapping.items() if k in names}) for row in rows]


def carrier_names(connection: Connection) -> dict[str, str]:
    return {row.id: row.name for row in connection.execute(select(carriers.c.id, carriers.c.name))}
