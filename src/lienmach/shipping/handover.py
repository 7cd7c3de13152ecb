"""What happens downstream when a parcel leaves, arrives or comes back (used by the handlers
and carrier_updates).

Each step is recorded on the shipment (``issued_at``, state), so it happens once whichever
path reaches it first: the booking handler, a delivery callback or a failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from lienmach.inventory import queries as inventory_queries
from lienmach.inventory import services as inventory_services
from lienmach.inventory.queries import ReservationView
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import services as order_services
from lienmach.shipping import repository
from lienmach.shipping.events import ShipmentReturned
from lienmach.shipping.model import ShipmentState
from lienmach.shipping.repository import ShipmentRecord


def line_quantities(
    uow: UnitOfWork, record: ShipmentRecord, reservations: Sequence[ReservationView] | None = None
) -> dict[str, int]:
    """Units per order line travelling in this shipment (from its reservations, read unless
    given)."""
    if reservations is None:
        reservations = inventory_queries.get_reservations(uow.connection, record.reservation_ids)
    quantities: dict[str, int] = defaultdict(int)
    for reservation in reservations:
        quantities[reservation.line_id] += reservation.quantity
    return dict(quantities)


def issue_stock(uow: UnitOfWork, records: Sequence[ShipmentRecord]) -> None:
    """Issue the parcels' reserved stock and tell their orders they shipped, for any number of
    shipments in a fixed number of statements. The caller records ``issued_at`` in the same
    transaction (see :func:`hand_over`, ``repository.mark_issued``), which makes it once."""
    if not records:
        return
    reservation_ids = [id_ for record in records for id_ in record.reservation_ids]
    # Read once: issuing changes only their state, not the lines and units counted below.
    reservations = inventory_queries.get_reservations(uow.connection, reservation_ids)
    inventory_services.issue_reserved_stock(
        uow, reservation_ids=reservation_ids, reservations=reservations
    )
    by_id = {reservation.id: reservation for reservation in reservations}
    order_services.record_shipped_many(
        uow,
        [
            order_services.Shipment(
                order_id=record.order_id,
                shipment_id=record.id,
                quantities=line_quantities(
                    uow,
                    record,
                    [by_id[id_] for id_ in dict.fromkeys(record.reservation_ids) if id_ in by_id],
                ),
            )
            for record in records
        ],
    )


def hand_over(uow: UnitOfWork, record: ShipmentRecord) -> ShipmentRecord:
    """Issue the parcel's reserved stock and tell the order it shipped, once."""
    if record.issued_at is not None:
        return record
    issue_stock(uow, [record])
    return repository.change(uow.connection, record, issued_at=uow.now())


def deliver(uow: UnitOfWork, record: ShipmentRecord) -> ShipmentRecord:
    """The order learns its units arrived (after having learnt they shipped)."""
    record = hand_over(uow, record)
    order_services.record_delivered(
        uow,
        order_id=record.order_id,
        shipment_id=record.id,
        quantities=line_quantities(uow, record),
        cod_collected_vnd=record.cod_amount_vnd,
    )
    return record


def bring_back(uow: UnitOfWork, record: ShipmentRecord) -> ShipmentRecord:
    """A failed parcel is back: units into stock, order told, shipment returned."""
    if record.state != ShipmentState.FAILED:
        return record
    record = hand_over(uow, record)
    reason = f"shipment {record.id} failed: {record.failure_reason or 'not delivered'}"
    reservations = inventory_queries.get_reservations(uow.connection, record.reservation_ids)
    for reservation in sorted(reservations, key=lambda r: (r.product_id, r.id)):
        inventory_services.return_stock(
            uow,
            order_id=record.order_id,
            warehouse_id=reservation.warehouse_id,
            product_id=reservation.product_id,
            quantity=reservation.quantity,
            reason=reason,
        )
    order_services.record_returned(
        uow,
        order_id=record.order_id,
        shipment_id=record.id,
        quantities=line_quantities(uow, record, reservations),
    )
    record = repository.change(
        uow.connection, record, state=ShipmentState.RETURNED.value, returned_at=uow.now()
    )
    uow.publish(
        ShipmentReturned(
            shipment_id=record.id,
            order_id=record.order_id,
            parcel_id=record.parcel_id,
            warehouse_id=record.warehouse_id,
        )
    )
    return record
