"""Answers of the API, read from the contexts' views (dataclasses) by attribute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Created(Response):
    id: str


class PlacedOrderOut(Response):
    order_id: str
    number: str
    state: str
    total_vnd: int


class ScanOut(Response):
    accepted: bool
    message: str
    remaining: int


class ParcelOut(Response):
    parcel_id: str


class OrderLineOut(Response):
    id: str
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price_vnd: int
    vat_rate_percent: int
    net_vnd: int
    vat_vnd: int
    reserved_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    returned_quantity: int
    cancelled_quantity: int


class OrderOut(Response):
    id: str
    number: str
    customer_id: str
    channel: str
    state: str
    fulfilment_stage: str
    payment_method: str
    paid_vnd: int
    service_level: str
    ship_name: str
    ship_phone: str
    ship_email: str
    ship_province_code: str
    ship_ward: str
    ship_street: str
    subtotal_vnd: int
    vat_vnd: int
    shipping_fee_vnd: int
    shipping_vat_vnd: int
    total_vnd: int
    weight_grams: int
    note: str
    placed_at: datetime
    promised_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None


class ReservationOut(Response):
    id: str
    line_id: str
    product_id: str
    warehouse_id: str
    quantity: int
    state: str


class InvoiceLineOut(Response):
    kind: str
    product_id: str | None
    description: str
    quantity: int
    unit_price_vnd: int
    vat_rate_percent: int
    net_vnd: int
    vat_vnd: int


class InvoiceOut(Response):
    id: str
    number: str
    state: str
    subtotal_vnd: int
    vat_vnd: int
    total_vnd: int
    credited_vnd: int
    issued_at: datetime
    lines: list[InvoiceLineOut]


class StatusOut(Response):
    status: str
    carrier_status: str
    occurred_at: datetime
    note: str


class ShipmentOut(Response):
    id: str
    parcel_id: str
    warehouse_id: str
    carrier_id: str
    carrier_name: str
    service_level: str
    state: str
    tracking_code: str | None
    fee_vnd: int
    cod_amount_vnd: int
    weight_grams: int
    promised_at: datetime
    choice_reason: str
    booked_at: datetime | None
    delivered_at: datetime | None
    history: list[StatusOut]


class PickLineOut(Response):
    reservation_id: str
    product_id: str
    barcode: str
    sku: str
    name: str
    quantity: int
    scanned_quantity: int


class PickTaskOut(Response):
    id: str
    order_id: str
    warehouse_id: str
    state: str
    priority: int
    promised_at: datetime | None
    wave_id: str | None
    created_at: datetime
    picked_by: str | None
    units: int
    scanned_units: int
    lines: list[PickLineOut]


class TicketOut(Response):
    id: str
    number: str
    order_id: str | None
    customer_id: str
    subject: str
    source: str
    stage: str
    state: str


class TimelineOut(Response):
    event_id: str
    type: str
    occurred_at: datetime
    actor: str
    payload: dict[str, Any]


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    reservations: list[ReservationOut]
    invoice: InvoiceOut | None
    shipments: list[ShipmentOut]
    pick_tasks: list[PickTaskOut]
    tickets: list[TicketOut]
    timeline: list[TimelineOut]


class OrderListOut(Response):
    orders: list[OrderOut]
    limit: int
    offset: int


class CustomerOut(Response):
    id: str
    name: str
    email: str
    phone: str
    province_code: str
    ward: str
    street: str
    tax_code: str | None
    tier: str
    blocked: bool
    credit_hold: bool
    language: str


class ProductOut(Response):
    id: str
    sku: str
    barcode: str
    name_vi: str
    name_en: str
    price_vnd: int
    cost_vnd: int
    vat_rate_percent: int
    weight_grams: int
    warranty_months: int
    active: bool


class StockLevelOut(Response):
    product_id: str
    warehouse_id: str
    warehouse_code: str
    province_code: str
    on_hand: int
    reserved: int
    available: int


class TrackingStatusOut(Response):
    status: str
    occurred_at: datetime
    note: str


class TrackingOut(Response):
    tracking_code: str
    carrier_name: str
    service_level: str
    state: str
    expected_at: datetime
    delivered_at: datetime | None
    destination_province: str | None
    history: list[TrackingStatusOut]


class TicketDetailOut(TicketOut):
    body: str
    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    sla_state: str


class TrialBalanceRowOut(Response):
    account_code: str
    name_vi: str
    name_en: str
    debit: int
    credit: int
    balance: int


class TrialBalanceOut(Response):
    rows: list[TrialBalanceRowOut]
    total_debit: int
    total_credit: int
    balanced: bool


class CallbackOut(Response):
    outcome: str


class HealthOut(Response):
    status: str
    database: str
