"""Facts the shipping context publishes: carrier choice, booking and tracking."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class CarrierChosen(Event):
    shipment_id: str
    order_id: str
    parcel_id: str
    carrier_id: str
    fee_vnd: int
    reason: str


@dataclass(frozen=True)
class ShipmentBooked(Event):
    shipment_id: str
    order_id: str
    parcel_id: str
    carrier_id: str
    tracking_code: str
    fee_vnd: int
    cod_amount_vnd: int


@dataclass(frozen=True)
class ShipmentStatusChanged(Event):
    shipment_id: str
    order_id: str
    status: str
    carrier_status: str


@dataclass(frozen=True)
class ShipmentDelivered(Event):
    shipment_id: str
    order_id: str
    cod_amount_vnd: int


@dataclass(frozen=True)
class ShipmentFailed(Event):
    shipment_id: str
    order_id: str
    reason: str


@dataclass(frozen=True)
class ShipmentReturned(Event):
    """A failed parcel is back in its warehouse and its units are in stock again."""

    shipment_id: str
    order_id: str
    parcel_id: str
    warehouse_id: str
