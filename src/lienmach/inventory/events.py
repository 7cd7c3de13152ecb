"""Facts the inventory context publishes."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class StockReceived(Event):
    receipt_id: str
    product_id: str
    warehouse_id: str
    quantity: int
    unit_cost_vnd: int


@dataclass(frozen=True)
class StockReserved(Event):
    reservation_id: str
    order_id: str
    line_id: str
    product_id: str
    warehouse_id: str
    quantity: int


@dataclass(frozen=True)
class ReservationReleased(Event):
    reservation_id: str
    order_id: str
    line_id: str
    product_id: str
    warehouse_id: str
    quantity: int


@dataclass(frozen=True)
class StockIssued(Event):
    """Reserved units left the warehouse (handed to a carrier)."""

    reservation_id: str
    order_id: str
    line_id: str
    product_id: str
    warehouse_id: str
    quantity: int


@dataclass(frozen=True)
class StockReturned(Event):
    """Units came back to a warehouse (failed delivery, return)."""

    product_id: str
    warehouse_id: str
    quantity: int
    order_id: str
    reason: str
