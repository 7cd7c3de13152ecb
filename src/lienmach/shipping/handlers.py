"""Subscriptions of this context: which published facts move it, and how."""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.fulfilment.events import ParcelPacked
from lienmach.inventory import services as inventory_services
from lienmach.kernel.bus import Handler, handles_batches
from lienmach.kernel.errors import NotFound
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications import services as notifications
from lienmach.orders import queries as order_queries
from lienmach.shipping import booking, carrier_updates, handover, reference, repository
from lienmach.shipping.events import ShipmentBooked, ShipmentFailed
from lienmach.shipping.model import ShipmentState
from lienmach.shipping.repository import ShipmentRecord


def lock_stock_moved_by(uow: UnitOfWork, events: Sequence[Event]) -> None:
    """Before a delivery batch runs: take every stock row its handlers will change as parcels
    leave (booked) or come back (failed), in one go and in order, so that two batches — or a
    batch and a group of placed orders — never wait on each other's rows crosswise."""
    inventory_services.lock_stock_reserved_for(
        uow,
        order_ids=[
            event.order_id for event in events if isinstance(event, ShipmentBooked | ShipmentFailed)
        ],
    )


@handles_batches
def on_parcel_packed_choose_carrier_and_book(uow: UnitOfWork, events: list[ParcelPacked]) -> None:
    """Parcels are closed: choose their carriers, record the shipments, queue the bookings."""
    booking.create_shipments(
        uow,
        [
            booking.PackedParcel(
                parcel_id=event.parcel_id,
                order_id=event.order_id,
                warehouse_id=event.warehouse_id,
                weight_grams=event.weight_grams,
                reservation_ids=tuple(event.reservation_ids),
            )
            for event in events
        ],
    )


@handles_batches
def on_shipment_booked_issue_stock_and_tell_customer(
    uow: UnitOfWork, events: list[ShipmentBooked]
) -> None:
    """The carrier has them: stock issued, orders shipped, tracking numbers by e-mail and SMS."""
    # Claiming the hand-over (issued_at) is the first statement: no read of the rows before.
    claimed = repository.mark_issued(
        uow.connection, (event.shipment_id for event in events), issued_at=uow.now()
    )
    in_event_order = dict.fromkeys(event.shipment_id for event in events)
    handover.issue_stock(uow, [claimed[id_] for id_ in in_event_order if id_ in claimed])
    # Issued already (a redelivery), failed, or unknown: find out which.
    others = repository.get_many_locked(
        uow.connection, (event.shipment_id for event in events if event.shipment_id not in claimed)
    )
    for event in events:
        record = claimed.get(event.shipment_id)
        if record is None:
            record = others.get(event.shipment_id)
            if record is None:
                raise NotFound("shipment", event.shipment_id)
            if record.state in (ShipmentState.FAILED, ShipmentState.RETURNED):
                continue  # the failure path has accounted for the units
        _tell_customer(uow, event, record)


def _tell_customer(uow: UnitOfWork, event: ShipmentBooked, record: ShipmentRecord) -> None:
    """The tracking number by e-mail and SMS (each once per shipment: their keys)."""
    order = order_queries.order_in(uow, record.order_id)
    if order is None:
        raise NotFound("order", record.order_id)
    names = reference.carrier_names(uow)
    params = {
        "order_number": order.number,
        "tracking_code": event.tracking_code,
        "carrier_name": names.get(record.carrier_id, record.carrier_id.upper()),
        "tracking_url": f"/track/{event.tracking_code}",
        "promised_date": record.promised_at.isoformat(),
    }
    language = order.language or "vi"
    if order.ship_email:
        notifications.send_email(
            uow,
            key=f"tracking-email:{record.id}",
            to=order.ship_email,
            template="tracking_email",
            params=params,
            order_id=record.order_id,
            purpose="tracking",
            language=language,
        )
    if order.ship_phone:
        notifications.send_sms(
            uow,
            key=f"tracking-sms:{record.id}",
            to=order.ship_phone,
            template="tracking_sms",
            params=params,
            order_id=record.order_id,
            purpose="tracking",
            language=language,
        )


def on_shipment_failed_return_to_warehouse(uow: UnitOfWork, event: ShipmentFailed) -> None:
    """Delivery failed: the units go back into stock and the order records them returned."""
    carrier_updates.bring_back_failed(uow, shipment_id=event.shipment_id)


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    ParcelPacked: [on_parcel_packed_choose_carrier_and_book],
    ShipmentBooked: [on_shipment_booked_issue_stock_and_tell_customer],
    ShipmentFailed: [on_shipment_failed_return_to_warehouse],
}
