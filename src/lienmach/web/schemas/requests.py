"""Request bodies: unknown fields refused, quantities and money strict integers.

``"3"``, ``2.5`` or a negative number is refused with a 422 naming the field before any
service runs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from lienmach.orders.model import Channel, PaymentMethod, ServiceLevel

Id = Annotated[str, Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Person = Annotated[str, Field(min_length=1, max_length=120)]
Quantity = Annotated[StrictInt, Field(gt=0)]
Money = Annotated[StrictInt, Field(ge=0)]
PositiveMoney = Annotated[StrictInt, Field(gt=0)]
Centimetres = Annotated[StrictInt, Field(gt=0)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(Request):
    name: Text
    email: Annotated[str, Field(min_length=3, max_length=200)]
    phone: Annotated[str, Field(min_length=1, max_length=30)]
    province: Annotated[str, Field(min_length=1, max_length=100)]
    ward: Annotated[str, Field(min_length=1, max_length=120)]
    street: Text
    district: Annotated[str, Field(max_length=120)] | None = None
    tax_code: Annotated[str, Field(max_length=20)] | None = None
    tier: Annotated[str, Field(min_length=1, max_length=10)] | None = None
    language: Annotated[str, Field(min_length=2, max_length=2)] | None = None


class ProductIn(Request):
    sku: Annotated[str, Field(min_length=1, max_length=40)]
    barcode: Annotated[str, Field(min_length=1, max_length=40)]
    name_vi: Text
    name_en: Annotated[str, Field(max_length=200)] = ""
    price_vnd: Money
    cost_vnd: Money
    vat_rate_percent: Annotated[StrictInt, Field(ge=0, le=100)] = 10
    weight_grams: Quantity
    warranty_months: Annotated[StrictInt, Field(ge=0)] = 0


class StockReceiptIn(Request):
    warehouse_id: Id
    product_id: Id
    quantity: Quantity
    unit_cost_vnd: Money = 0


class OrderLineIn(Request):
    product_id: Id
    quantity: Quantity


class AddressIn(Request):
    name: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    province: Annotated[str, Field(min_length=1, max_length=100)]
    ward: Annotated[str, Field(min_length=1, max_length=120)]
    street: Text
    district: Annotated[str, Field(max_length=120)] | None = None


class OrderIn(Request):
    customer_id: Id
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=200)]
    channel: Channel = Channel.API
    payment_method: PaymentMethod = PaymentMethod.COD
    service_level: ServiceLevel = ServiceLevel.STANDARD
    shipping_address: AddressIn | None = None
    shipping_fee_vnd: Money | None = Field(
        default=None, description="leave out to have it quoted from the nearest warehouse"
    )
    promised_at: AwareDatetime | None = None
    note: Annotated[str, Field(max_length=1000)] = ""


class CancelIn(Request):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class PaymentIn(Request):
    amount_vnd: PositiveMoney
    gateway: Annotated[str, Field(min_length=1, max_length=40)]
    reference: Annotated[str, Field(min_length=1, max_length=120)]


class ConfirmPickIn(Request):
    picker: Person


class ScanIn(Request):
    code: Annotated[str, Field(min_length=1, max_length=64)]


class ParcelIn(Request):
    weight_grams: Quantity
    length_cm: Centimetres | None = None
    width_cm: Centimetres | None = None
    height_cm: Centimetres | None = None
    packer: Person


class SurveyAnswerIn(Request):
    score: Annotated[StrictInt, Field(ge=0, le=10)]
    comment: Annotated[str, Field(max_length=2000)] = ""


class TicketIn(Request):
    customer_id: Id
    order_id: Id | None = None
    subject: Text
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class ResolveIn(Request):
    resolution: Annotated[str, Field(min_length=1, max_length=5000)]
