"""The order: its stages, the allowed moves between them, and how its stage follows its units.

Each line accounts for every ordered unit as reserved, backordered, shipped or cancelled;
shipped units are later delivered or returned. The order's stage is derived from those
counters, and every change is checked against the transition table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lienmach.kernel.money import vat_of

SHIPPING_VAT_PERCENT = 8


class OrderState(StrEnum):
    PLACED = "placed"
    BACKORDERED = "backordered"
    RESERVED = "reserved"
    FULFILLING = "fulfilling"
    PACKED = "packed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    WEB = "web"
    BACK_OFFICE = "back_office"
    API = "api"
    MARKETPLACE = "marketplace"
    CSV = "csv"


class PaymentMethod(StrEnum):
    COD = "cod"
    PREPAID = "prepaid"


class ServiceLevel(StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"


S = OrderState
_OPEN = frozenset({S.PLACED, S.BACKORDERED, S.RESERVED, S.FULFILLING, S.PACKED})
_MOVING = frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED})
TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    S.PLACED: frozenset({S.BACKORDERED, S.RESERVED, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.RESERVED, S.FULFILLING, S.CANCELLED}),
    S.RESERVED: frozenset({S.BACKORDERED, S.FULFILLING, S.CANCELLED}),
    S.FULFILLING: frozenset({S.RESERVED, S.PACKED, S.CANCELLED, *_MOVING}),
    S.PACKED: frozenset({S.FULFILLING, *_MOVING}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.DELIVERED, S.RETURNED}),
    S.SHIPPED: frozenset({S.PARTIALLY_SHIPPED, S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}
CANCELLABLE = frozenset({S.PLACED, S.BACKORDERED, S.RESERVED, S.FULFILLING})
FINAL = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED})


def payment_overdue(
    *,
    payment_method: str,
    paid_vnd: int,
    total_vnd: int,
    state: str,
    fulfilment_stage: str,
    placed_at: datetime,
    now: datetime,
    deadline: timedelta,
) -> bool:
    """A prepaid order not fully paid by ``placed_at + deadline`` and still cancellable.

    A part-payment does not hold the order: it is cancelled and what was paid is refunded.
    """
    return (
        payment_method == PaymentMethod.PREPAID
        and paid_vnd < total_vnd
        and state in CANCELLABLE
        and fulfilment_stage != "packed"
        and now >= placed_at + deadline
    )


@dataclass
class LineUnits:
    """Where each unit of one order line is."""

    quantity: int
    reserved: int = 0
    backordered: int = 0
    shipped: int = 0
    delivered: int = 0
    returned: int = 0
    cancelled: int = 0

    def accounted_for(self) -> bool:
        return self.reserved + self.backordered + self.shipped + self.cancelled == self.quantity


def derive_state(lines: Sequence[LineUnits], *, fulfilment_stage: str) -> OrderState:
    """The order's stage from where its units are (``fulfilment_stage``: none|picking|packed)."""
    live = sum(line.quantity - line.cancelled for line in lines)
    if live == 0:
        return S.CANCELLED
    shipped = sum(line.shipped for line in lines)
    delivered = sum(line.delivered for line in lines)
    returned = sum(line.returned for line in lines)
    if delivered == live:
        return S.DELIVERED
    if returned and delivered + returned == live:
        return S.RETURNED
    if shipped:
        return S.SHIPPED if shipped == live else S.PARTIALLY_SHIPPED
    if sum(line.reserved for line in lines):
        if fulfilment_stage == "packed":
            return S.PACKED
        return S.FULFILLING if fulfilment_stage == "picking" else S.RESERVED
    if sum(line.backordered for line in lines):
        return S.BACKORDERED
    return S.PLACED


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price_vnd: int
    vat_rate_percent: int
    weight_grams: int

    @property
    def net_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity

    @property
    def vat_vnd(self) -> int:
        return vat_of(self.net_vnd, self.vat_rate_percent)


@dataclass(frozen=True)
class Totals:
    subtotal_vnd: int
    vat_vnd: int
    shipping_fee_vnd: int
    shipping_vat_vnd: int
    weight_grams: int

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.vat_vnd + self.shipping_fee_vnd + self.shipping_vat_vnd


def totals(lines: Sequence[PricedLine], *, shipping_fee_vnd: int) -> Totals:
    """Prices are net of VAT; VAT is computed per line, shipping is a service at 8 %."""
    return Totals(
        subtotal_vnd=sum(line.net_vnd for line in lines),
        vat_vnd=sum(line.vat_vnd for line in lines),
        shipping_fee_vnd=shipping_fee_vnd,
        shipping_vat_vnd=vat_of(shipping_fee_vnd, SHIPPING_VAT_PERCENT),
        weight_grams=sum(line.weight_grams * line.quantity for line in lines),
    )
