"""Checking and pricing an order before anything is written: every bad field is named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from lienmach.catalog.queries import get_products
from lienmach.customers.geography import normalize_address
from lienmach.customers.queries import CustomerView, get_customer
from lienmach.customers.validation import normalize_phone
from lienmach.kernel.errors import InvalidInput
from lienmach.orders.model import Channel, PaymentMethod, PricedLine, ServiceLevel

MAX_UNITS_PER_LINE = 10_000


@dataclass(frozen=True)
class CheckedOrder:
    customer: CustomerView
    lines: list[PricedLine]
    channel: str
    payment_method: str
    service_level: str
    ship_name: str
    ship_phone: str
    ship_province_code: str
    ship_ward: str
    ship_street: str
    ship_legacy_address: dict[str, str] | None
    shipping_fee_vnd: int


def check_order(
    connection: Connection,
    *,
    customer_id: str,
    lines: Sequence[Mapping[str, Any]],
    channel: str,
    payment_method: str,
    service_level: str,
    shipping_address: Mapping[str, Any] | None,
    shipping_fee_vnd: int,
) -> CheckedOrder:
    """Customer, lines, products, address and phone checked together; raises InvalidInput."""
    errors: dict[str, str] = {}
    customer = get_customer(connection, customer_id)
    if customer is None:
        errors["customer_id"] = f"no customer {customer_id!r}; register the customer first"
    elif customer.blocked:
        errors["customer_id"] = "this customer is blocked; ask an owner to review the account"
    elif customer.credit_hold and payment_method == PaymentMethod.COD:
        errors["payment_method"] = "customer is on credit hold: take payment before shipping"
    _check_choice(errors, "channel", channel, Channel)
    _check_choice(errors, "payment_method", payment_method, PaymentMethod)
    _check_choice(errors, "service_level", service_level, ServiceLevel)
    if not isinstance(shipping_fee_vnd, int) or shipping_fee_vnd < 0:
        errors["shipping_fee_vnd"] = "the shipping fee is a whole number of đồng, 0 or more"
    priced = _price_lines(connection, lines, errors)
    address = _check_address(customer, shipping_address, errors)
    if errors:
        raise InvalidInput(errors)
    assert customer is not None and address is not None
    return CheckedOrder(
        customer=customer,
        lines=priced,
        channel=channel,
        payment_method=payment_method,
        service_level=service_level,
        shipping_fee_vnd=shipping_fee_vnd,
        **address,
    )


def _check_choice(errors: dict[str, str], field: str, value: str, allowed: type[Any]) -> None:
    choices = [member.value for member in allowed]
    if value not in choices:
        errors[field] = f"{value!r} is not one of {', '.join(choices)}"


def _price_lines(
    connection: Connection, lines: Sequence[Mapping[str, Any]], errors: dict[str, str]
) -> list[PricedLine]:
    if not lines:
        errors["lines"] = "add at least one product to the order"
        return []
    products = get_products(connection, [str(line.get("product_id", "")) for line in lines])
    priced: list[PricedLine] = []
    for index, line in enumerate(lines):
        product = products.get(str(line.get("product_id", "")))
        quantity = line.get("quantity")
        if product is None or not product.active:
            errors[f"lines[{index}].product_id"] = (
                "no such product on sale; pick one from the catalog"
            )
        if (
            not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 0 < quantity <= MAX_UNITS_PER_LINE
        ):
            errors[f"lines[{index}].quantity"] = f"order between 1 and {MAX_UNITS_PER_LINE} units"
        if product is None or f"lines[{index}].quantity" in errors:
            continue
        assert isinstance(quantity, int)
        priced.append(
            PricedLine(
                product_id=product.id,
                sku=product.sku,
                name=product.name_vi,
                quantity=quantity,
                unit_price_vnd=product.price_vnd,
                vat_rate_percent=product.vat_rate_percent,
                weight_grams=product.weight_grams,
            )
        )
    return priced


def _check_address(
    customer: CustomerView | None,
    given: Mapping[str, Any] | None,
    errors: dict[str, str],
) -> dict[str, Any] | None:
    if customer is None:
        return None
    if given is None:
        return {
            "ship_name": customer.name,
            "ship_phone": customer.phone,
            "ship_province_code": customer.province_code,
            "ship_ward": customer.ward,
            "ship_street": customer.street,
            "ship_legacy_address": None,
        }
    name = str(given.get("name") or customer.name).strip()
    phone = customer.phone
    if given.get("phone"):
        try:
            phone = normalize_phone(str(given["phone"]))
        except ValueError as error:
            errors["shipping_address.phone"] = str(error)
    try:
        address = normalize_address(
            province=str(given.get("province", "")),
            ward=str(given.get("ward", "")),
            street=str(given.get("street", "")),
            district=given.get("district"),
            field_prefix="shipping_address.",
        )
    except InvalidInput as error:
        errors.update(error.errors)
        return None
    return {
        "ship_name": name,
        "ship_phone": phone,
        "ship_province_code": address.province_code,
        "ship_ward": address.ward,
        "ship_street": address.street,
        "ship_legacy_address": address.legacy,
    }
