"""Which events are steps of the order journey on the process map.

Every event type that names an order is a step, except the details recorded once per unit, per
line or per message (a parcel of five units scanned is one packing step, not five repeats of
one), which would otherwise show as rework that is not.
"""

from __future__ import annotations

import dataclasses

from lienmach.aftersales import events as aftersales_events
from lienmach.billing import events as billing_events
from lienmach.catalog import events as catalog_events
from lienmach.customers import events as customers_events
from lienmach.fulfilment import events as fulfilment_events
from lienmach.inventory import events as inventory_events
from lienmach.kernel.messages import Event, event_types
from lienmach.notifications import events as notifications_events
from lienmach.orders import events as orders_events
from lienmach.shipping import events as shipping_events

ORDER = "order"
DETAILS = frozenset(
    {
        "UnitScanned",
        "StockReserved",
        "StockIssued",
        "StockReturned",
        "ReservationReleased",
        "MessageSent",
        "ShipmentStatusChanged",
    }
)


def names_an_order(event_type: type[Event]) -> bool:
    """Whether events of this type name an order (an ``order_id``-like field)."""
    for field in dataclasses.fields(event_type):
        kind = event_type.OBJECT_FIELDS.get(field.name)
        if kind is None:
            kind = field.name.removesuffix("_ids").removesuffix("_id")
        if kind == ORDER:
            return True
    return False


JOURNEY_EVENT_TYPES: tuple[type[Event], ...] = tuple(
    event_type
    for name, event_type in sorted(
        event_types(
            catalog_events,
            customers_events,
            notifications_events,
            inventory_events,
            orders_events,
            fulfilment_events,
            shipping_events,
            billing_events,
            aftersales_events,
        ).items()
    )
    if name not in DETAILS and names_an_order(event_type)
)
JOURNEY_ACTIVITIES = frozenset(event_type.type_name() for event_type in JOURNEY_EVENT_TYPES)
