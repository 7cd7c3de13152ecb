"""Reading and writing shipping rows; services and handlers go through here."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import insert_ignoring_duplicates, inserted_keys
from lienmach.kernel.errors import ConcurrencyConflict
from lienmach.kernel.prepared import Prepared, prepared
from lienmach.shipping.model import TRANSITIONS, RateCard, ShipmentState
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


# Built once with bind parameters: building a statement costs more than running it.
_BY_ID_QUERY = select(shipments).where(shipments.c.id == bindparam("shipment_id"))
_BY_ID, _BY_ID_LOCKED = prepared(_BY_ID_QUERY), prepared(_BY_ID_QUERY.with_for_update())
# Rows locked in id order, so that two transactions locking several never wait crosswise.
_BY_IDS_LOCKED = prepared(
    select(shipments)
    .where(shipments.c.id.in_(bindparam("shipment_ids", expanding=True)))
    .order_by(shipments.c.id)
    .with_for_update()
)
_BY_PARCEL = prepared(select(shipments).where(shipments.c.parcel_id == bindparam("parcel_id")))
_IDS_BY_PARCEL = prepared(
    select(shipments.c.parcel_id, shipments.c.id).where(
        shipments.c.parcel_id.in_(bindparam("parcel_ids", expanding=True))
    )
)
_BY_TRACKING_QUERY = select(shipments).where(
    shipments.c.carrier_id == bindparam("carrier_id"),
    shipments.c.tracking_code == bindparam("tracking_code"),
)
_BY_TRACKING = prepared(_BY_TRACKING_QUERY)
_BY_TRACKING_LOCKED = prepared(_BY_TRACKING_QUERY.with_for_update())
_EVENT_SEEN = prepared(
    select(shipment_events.c.id).where(
        shipment_events.c.carrier_id == bindparam("carrier_id"),
        shipment_events.c.carrier_event_id == bindparam("carrier_event_id"),
    )
)
# The columns in RateCard's field order: rows become rate cards positionally.
_RATE_CARD_COLUMNS = {
    **{column.name: column for column in rate_cards.c},
    "carrier_name": carriers.c.name,
    "max_weight_grams": carriers.c.max_weight_grams,
    "cod_fee_basis_points": carriers.c.cod_fee_basis_points,
    "cod_fee_min_vnd": carriers.c.cod_fee_min_vnd,
}
_RATE_CARDS = prepared(
    select(*(_RATE_CARD_COLUMNS[field.name] for field in fields(RateCard)))
    .join_from(rate_cards, carriers, carriers.c.id == rate_cards.c.carrier_id)
    .where(carriers.c.active.is_(True))
    .order_by(rate_cards.c.carrier_id, rate_cards.c.service_level, rate_cards.c.distance_band)
)
_CARRIER_NAMES = prepared(select(carriers.c.id, carriers.c.name))


def _first(
    connection: Connection, query: Prepared, parameters: dict[str, Any]
) -> ShipmentRecord | None:
    row = query.run(connection, parameters).first()
    return to_record(row._mapping) if row else None


def get(
    connection: Connection, shipment_id: str, *, for_update: bool = False
) -> ShipmentRecord | None:
    query = _BY_ID_LOCKED if for_update else _BY_ID
    return _first(connection, query, {"shipment_id": shipment_id})


def get_many_locked(
    connection: Connection, shipment_ids: Iterable[str]
) -> dict[str, ShipmentRecord]:
    """The shipments found among ``shipment_ids``, by id, locked (in id order) until commit."""
    wanted = sorted(set(shipment_ids))
    if not wanted:
        return {}
    rows = _BY_IDS_LOCKED.run(connection, {"shipment_ids": wanted})
    return {row.id: to_record(row._mapping) for row in rows}


def by_parcel(connection: Connection, parcel_id: str) -> ShipmentRecord | None:
    return _first(connection, _BY_PARCEL, {"parcel_id": parcel_id})


def ids_by_parcel(connection: Connection, parcel_ids: Iterable[str]) -> dict[str, str]:
    """The shipment id of each of these parcels that has one, by parcel id."""
    wanted = sorted(set(parcel_ids))
    if not wanted:
        return {}
    rows = _IDS_BY_PARCEL.run(connection, {"parcel_ids": wanted})
    return {row.parcel_id: row.id for row in rows}


def by_tracking(
    connection: Connection, carrier_id: str, tracking_code: str, *, for_update: bool = False
) -> ShipmentRecord | None:
    query = _BY_TRACKING_LOCKED if for_update else _BY_TRACKING
    parameters = {"carrier_id": carrier_id, "tracking_code": tracking_code}
    return _first(connection, query, parameters)


def insert_unless_shipped(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Insert, in one statement, the shipments whose parcel has none yet; returns the ids of
    those inserted (a parcel's unique constraint turns the others into nothing)."""
    # In parcel order: two transactions inserting the same parcels wait on them in one order.
    ordered = sorted(({**row, "version": 1} for row in rows), key=lambda row: row["parcel_id"])
    return inserted_keys(connection, shipments, ordered)


@functools.cache
def _change_statement(names: tuple[str, ...]) -> Prepared:
    """The version-checked update setting these columns (built once per set of names)."""
    return prepared(
        update(shipments)
        .where(
            shipments.c.id == bindparam("b_id"),
            shipments.c.version == bindparam("b_version"),
        )
        .values(version=shipments.c.version + 1, **{name: bindparam(f"v_{name}") for name in names})
        .returning(*shipments.c)
    )


def change(connection: Connection, record: ShipmentRecord, **values: Any) -> ShipmentRecord:
    """Update the row if nobody changed it since ``record`` was read; returns the new record."""
    parameters = {f"v_{name}": value for name, value in values.items()}
    parameters.update(b_id=record.id, b_version=record.version)
    row = _change_statement(tuple(sorted(values))).run(connection, parameters).first()
    if row is None:
        raise ConcurrencyConflict(f"shipment {record.id} was changed meanwhile; retry")
    return to_record(row._mapping)


_MARK_BOOKED = prepared(
    update(shipments)
    .where(
        shipments.c.id == bindparam("b_id"),
        shipments.c.state == ShipmentState.BOOKING.value,
    )
    .values(
        state=ShipmentState.BOOKED.value,
        tracking_code=bindparam("b_tracking_code"),
        booked_at=bindparam("b_booked_at"),
        version=shipments.c.version + 1,
    )
    .returning(*shipments.c)
)
# Stock leaves once, and never for a parcel whose failure path has accounted for the units.
# The rows are locked first in id order (the subquery; SQLite has no row locks and drops FOR
# UPDATE), so two transactions claiming overlapping sets never wait on each other crosswise.
# An alias: a subquery naming the updated table itself would be correlated with it.
_CLAIMED = shipments.alias("claimed")
_MARK_ISSUED = prepared(
    update(shipments)
    .where(
        shipments.c.id.in_(
            select(_CLAIMED.c.id)
            .where(_CLAIMED.c.id.in_(bindparam("b_ids", expanding=True)))
            .order_by(_CLAIMED.c.id)
            .with_for_update(key_share=True)
        ),
        shipments.c.issued_at.is_(None),
        shipments.c.state.not_in([ShipmentState.FAILED.value, ShipmentState.RETURNED.value]),
    )
    .values(issued_at=bindparam("b_issued_at"), version=shipments.c.version + 1)
    .returning(*shipments.c)
)


def mark_booked(
    connection: Connection, shipment_id: str, *, tracking_code: str, booked_at: datetime
) -> ShipmentRecord | None:
    """booking → booked in one statement; None when the shipment is not (or no longer) booking."""
    parameters = {"b_id": shipment_id, "b_tracking_code": tracking_code, "b_booked_at": booked_at}
    row = _MARK_BOOKED.run(connection, parameters).first()
    return to_record(row._mapping) if row else None


def mark_issued(
    connection: Connection, shipment_ids: Iterable[str], *, issued_at: datetime
) -> dict[str, ShipmentRecord]:
    """Record, in one statement, that the parcels' stock was issued, unless it was already or
    the shipment failed or came back; returns the shipments it marked, by id (not the others,
    nor ids of no shipment)."""
    wanted = sorted(set(shipment_ids))
    if not wanted:
        return {}
    rows = _MARK_ISSUED.run(connection, {"b_ids": wanted, "b_issued_at": issued_at})
    return {row.id: to_record(row._mapping) for row in rows}


@functools.cache
def _advance_statement(target: ShipmentState, names: tuple[str, ...]) -> Prepared:
    sources = [state.value for state, nexts in TRANSITIONS.items() if target in nexts]
    return prepared(
        update(shipments)
        .where(
            shipments.c.carrier_id == bindparam("b_carrier_id"),
            shipments.c.tracking_code == bindparam("b_tracking_code"),
            shipments.c.state.in_(sources),
        )
        .values(
            state=target.value,
            version=shipments.c.version + 1,
            **{name: bindparam(f"v_{name}") for name in names},
        )
        .returning(*shipments.c)
    )


def advance_by_tracking(
    connection: Connection,
    carrier_id: str,
    tracking_code: str,
    target: ShipmentState,
    **values: Any,
) -> ShipmentRecord | None:
    """Move the shipment forward to ``target`` if its state allows that, in one statement;
    None when there is no such shipment or ``target`` is not a move from where it is."""
    parameters = {f"v_{name}": value for name, value in values.items()}
    parameters.update(b_carrier_id=carrier_id, b_tracking_code=tracking_code)
    statement = _advance_statement(target, tuple(sorted(values)))
    row = statement.run(connection, parameters).first()
    return to_record(row._mapping) if row else None


def event_seen(connection: Connection, carrier_id: str, carrier_event_id: str) -> bool:
    parameters = {"carrier_id": carrier_id, "carrier_event_id": carrier_event_id}
    return _EVENT_SEEN.run(connection, parameters).first() is not None


def add_event(connection: Connection, row: Mapping[str, Any]) -> bool:
    """Append a status row; False when this carrier event was already recorded."""
    return insert_ignoring_duplicates(connection, shipment_events, row) == 1


def load_rate_cards(connection: Connection) -> list[RateCard]:
    """Rate cards of active carriers, joined with the carrier's limits."""
    return [RateCard(*row) for row in _RATE_CARDS.run(connection)]


def carrier_names(connection: Connection) -> dict[str, str]:
    return {row.id: row.name for row in _CARRIER_NAMES.run(connection)}
