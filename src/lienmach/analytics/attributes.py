"""The attributes each event gives the objects it touches (order channel, province, state;
shipment carrier, state; ticket state...), recorded over time for the object-centric log."""

from __future__ import annotations

from typing import Any

# Attributes each event gives its objects: (object type, id field, attribute, value field or
# a fixed value written as "=value").
_ATTRIBUTES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "OrderPlaced": (
        ("order", "order_id", "channel", "channel"),
        ("order", "order_id", "province", "province_code"),
        ("order", "order_id", "payment_method", "payment_method"),
        ("order", "order_id", "state", "=placed"),
    ),
    "OrderReserved": (("order", "order_id", "state", "=reserved"),),
    "OrderBackordered": (("order", "order_id", "state", "=backordered"),),
    "OrderPaid": (("order", "order_id", "paid", "=yes"),),
    "OrderFulfilmentStarted": (("order", "order_id", "state", "=fulfilling"),),
    "OrderShipped": (("order", "order_id", "state", "=shipped"),),
    "OrderDelivered": (("order", "order_id", "state", "=delivered"),),
    "OrderReturned": (("order", "order_id", "state", "=returned"),),
    "OrderCancelled": (("order", "order_id", "state", "=cancelled"),),
    "PickTaskQueued": (
        ("pick_task", "pick_task_id", "state", "=queued"),
        ("pick_task", "pick_task_id", "warehouse", "warehouse_id"),
    ),
    "PickTaskPicked": (("pick_task", "pick_task_id", "state", "=picked"),),
    "PickTaskCancelled": (("pick_task", "pick_task_id", "state", "=cancelled"),),
    "ParcelPacked": (("parcel", "parcel_id", "weight_grams", "weight_grams"),),
    "ShipmentBooked": (
        ("shipment", "shipment_id", "carrier", "carrier_id"),
        ("shipment", "shipment_id", "state", "=booked"),
    ),
    "ShipmentStatusChanged": (("shipment", "shipment_id", "state", "status"),),
    "ShipmentDelivered": (("shipment", "shipment_id", "state", "=delivered"),),
    "ShipmentFailed": (("shipment", "shipment_id", "state", "=failed"),),
    "ShipmentReturned": (("shipment", "shipment_id", "state", "=returned"),),
    "InvoiceIssued": (("invoice", "invoice_id", "state", "=issued"),),
    "TicketOpened": (
        ("ticket", "ticket_id", "state", "=open"),
        ("ticket", "ticket_id", "stage", "stage"),
    ),
    "TicketResolved": (("ticket", "ticket_id", "state", "=resolved"),),
    "TicketReopened": (("ticket", "ticket_id", "state", "=open"),),
    "SurveyAnswered": (("survey", "survey_id", "score", "score"),),
}
ATTRIBUTE_EVENTS = frozenset(_ATTRIBUTES)


def attributes_of(kind: str, payload: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(object type, object id, attribute, value) an event sets."""
    found = []
    for object_type, id_field, name, source in _ATTRIBUTES.get(kind, ()):
        object_id = payload.get(id_field)
        value = source[1:] if source.startswith("=") else payload.get(source)
        if object_id and value is not None and value != "":
            found.append((object_type, str(object_id), name, str(value)[:200]))
    return found
