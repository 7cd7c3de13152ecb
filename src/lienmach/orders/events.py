"""Facts the orders context publishes: the order's own stage changes."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class OrderPlaced(Event):
    order_id: str
    customer_id: str
    channel: str
    payment_method: str  # cod | prepaid
    line_ids: tuple[str, ...]
    total_vnd: int
    # What analytics slices the order by (province, product), known at placement.
    province_code: str = ""
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderReserved(Event):
    """Some units of the order were reserved (at placement or when stock arrived)."""

    order_id: str
    reservation_ids: tuple[str, ...]
    warehouse_ids: tuple[str, ...]


@dataclass(frozen=True)
class OrderBackordered(Event):
    """Some units could not be reserved; they wait for stock (planning sees them)."""

    order_id: str
    line_ids: tuple[str, ...]
    quantities: tuple[int, ...]


@dataclass(frozen=True)
class OrderPaid(Event):
    order_id: str
    amount_vnd: int
    gateway: str
    gateway_reference: str


@dataclass(frozen=True)
class LatePaymentReceived(Event):
    """Money arrived for an order that was already cancelled: the order stays cancelled and the
    money is to be given back."""

    order_id: str
    amount_vnd: int
    gateway: str
    gateway_reference: str


@dataclass(frozen=True)
class OrderFulfilmentStarted(Event):
    order_id: str
    pick_task_id: str


@dataclass(frozen=True)
class OrderShipped(Event):
    """Some units left with a carrier; ``complete`` when nothing remains to ship."""

    order_id: str
    shipment_id: str
    complete: bool


@dataclass(frozen=True)
class OrderDelivered(Event):
    """Every unit of the order reached the customer; the order is closed."""

    order_id: str
    customer_id: str


@dataclass(frozen=True)
class OrderReturned(Event):
    """Units of the order came back undelivered; ``complete`` when the order ends returned."""

    order_id: str
    shipment_id: str
    complete: bool


@dataclass(frozen=True)
class OrderCancelled(Event):
    order_id: str
    reason: str
    line_ids: tuple[str, ...]
