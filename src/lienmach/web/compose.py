"""Answers composed from several contexts, each read in one connection."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from lienmach.aftersales.queries import tickets_for_order
from lienmach.billing.queries import invoice_for_order
from lienmach.customers.geography import province
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.inventory.queries import reservations_for_order
from lienmach.kernel.errors import NotFound
from lienmach.orders.queries import get_order, order_timeline
from lienmach.shipping.queries import find_by_tracking_code, shipments_for_order
from lienmach.web import schemas


def order_detail(connection: Connection, order_id: str, now: datetime) -> schemas.OrderDetailOut:
    """The order with everything that happened to it, as the back office shows it."""
    order = get_order(connection, order_id)
    if order is None:
        raise NotFound("order", order_id)
    values: dict[str, Any] = {name: getattr(order, name) for name in schemas.OrderOut.model_fields}
    return schemas.OrderDetailOut.model_validate(
        {
            **values,
            "lines": order.lines,
            "reservations": reservations_for_order(connection, order_id),
            "invoice": invoice_for_order(connection, order_id),
            "shipments": shipments_for_order(connection, order_id),
            "pick_tasks": tasks_for_order(connection, order_id),
            "tickets": tickets_for_order(connection, order_id, now),
            "timeline": [asdict(entry) for entry in order_timeline(connection, order_id)],
        }
    )


def tracking(connection: Connection, tracking_code: str) -> schemas.TrackingOut:
    """What anyone holding the tracking number may see: no names, phones or streets."""
    shipment = find_by_tracking_code(connection, tracking_code)
    if shipment is None:
        raise NotFound("tracking code", tracking_code)
    order = get_order(connection, shipment.order_id)
    destination = province(order.ship_province_code) if order else None
    return schemas.TrackingOut(
        tracking_code=shipment.tracking_code or tracking_code,
        carrier_name=shipment.carrier_name,
        service_level=shipment.service_level,
        state=shipment.state,
        expected_at=shipment.promised_at,
        delivered_at=shipment.delivered_at,
        destination_province=destination.name_vi if destination else None,
        history=[
            schemas.TrackingStatusOut(
                status=item.status, occurred_at=item.occurred_at, note=item.note
            )
            for item in shipment.history
        ],
    )
