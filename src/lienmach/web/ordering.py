"""Placing an order over the API: the quoted shipping fee, and the Idempotency-Key.

The fee is composed from three contexts (customers for the destination, inventory for the
nearest warehouse, shipping for the rate cards). The key is stored in the same unit of work as
the order, so a retried request can never make a second order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import Connection, select, update

from lienmach.catalog.queries import get_products
from lienmach.customers.geography import distance_km, normalize_address
from lienmach.customers.queries import get_customer
from lienmach.inventory.queries import list_warehouses
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.tables import idempotency_keys
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.placing import place_order
from lienmach.shipping.queries import quote_shipping

ORDER_SCOPE = "POST /api/v1/orders"


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    status_code: int
    response: dict[str, Any]


def request_hash(body: Mapping[str, Any]) -> str:
    """The same JSON body, whatever its key order or spacing, hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored_answer(connection: Connection, *, scope: str, key: str) -> StoredAnswer | None:
    row = connection.execute(
        select(
            idempotency_keys.c.request_hash,
            idempotency_keys.c.status_code,
            idempotency_keys.c.response,
        ).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
    ).first()
    if row is None:
        return None
    return StoredAnswer(row.request_hash, int(row.status_code), dict(row.response))


def _destination(
    connection: Connection, customer_id: str, address: Mapping[str, Any] | None
) -> str | None:
    if address is None:
        customer = get_customer(connection, customer_id)
        return customer.province_code if customer else None
    try:
        found = normalize_address(
            province=str(address.get("province", "")),
            ward=str(address.get("ward", "")),
            street=str(address.get("street", "")),
            district=address.get("district"),
            field_prefix="shipping_address.",
        )
    except InvalidInput:
        return None
    return found.province_code


def quoted_shipping_fee(
    connection: Connection,
    *,
    customer_id: str,
    lines: Sequence[Mapping[str, Any]],
    service_level: str,
    shipping_address: Mapping[str, Any] | None,
) -> int | None:
    """The cheapest carrier's fee from the nearest warehouse to the destination.

    None when the order itself is wrong (unknown customer, product or address): placing it then
    names every bad field, which a quote could not do.
    """
    destination = _destination(connection, customer_id, shipping_address)
    products = get_products(connection, [str(line["product_id"]) for line in lines])
    if destination is None or len(products) != len({line["product_id"] for line in lines}):
        return None
    weight = sum(
        products[str(line["product_id"])].weight_grams * int(line["quantity"]) for line in lines
    )
    warehouses = list_warehouses(connection)
    # Without any warehouse yet the order is a backorder; quote it as a local delivery.
    origin = min(
        (warehouse.province_code for warehouse in warehouses),
        key=lambda code: (distance_km(code, destination), code),
        default=destination,
    )
    options = quote_shipping(
        connection,
        origin_province_code=origin,
        destination_province_code=destination,
        weight_grams=max(weight, 1),
        service_level=service_level,
    )
    if not options:
        raise InvalidInput(
            {
                "shipping_fee_vnd": f"no carrier takes a {weight} g parcel at the {service_level}"
                " service level; give the fee or split the order"
            }
        )
    return min(option.shipping_fee_vnd for option in options)


def place_order_once(
    uow: UnitOfWork,
    *,
    key: str | None,
    body_hash: str,
    customer_id: str,
    lines: Sequence[Mapping[str, Any]],
    channel: str,
    payment_method: str,
    service_level: str,
    shipping_address: Mapping[str, Any] | None,
    shipping_fee_vnd: int | None,
    promised_at: datetime | None,
    note: str,
) -> dict[str, Any]:
    """Place an order (quoting the fee when none is given) and remember the answer under ``key``.

    The key row is written first so a concurrent duplicate waits on it and then fails on the
    primary key, having done nothing; the caller then replays the stored answer.
    """
    if key is not None:
        uow.connection.execute(
            idempotency_keys.insert().values(
                key=key,
                scope=ORDER_SCOPE,
                request_hash=body_hash,
                status_code=201,
                response={},
                created_at=uow.now(),
            )
        )
    order: dict[str, Any] = {
        "customer_id": customer_id,
        "lines": lines,
        "channel": channel,
        "payment_method": payment_method,
        "service_level": service_level,
        "shipping_address": shipping_address,
        "promised_at": promised_at,
        "note": note,
    }
    if shipping_fee_vnd is None:
        try:
            shipping_fee_vnd = quoted_shipping_fee(
                uow.connection,
                customer_id=customer_id,
                lines=lines,
                service_level=service_level,
                shipping_address=shipping_address,
            )
        except InvalidInput as no_quote:
            _refuse_naming_every_field(uow, order, no_quote)
    placed = place_order(uow, **order, shipping_fee_vnd=shipping_fee_vnd or 0)
    answer = {
        "order_id": placed.order_id,
        "number": placed.number,
        "state": placed.state,
        "total_vnd": placed.total_vnd,
    }
    if key is not None:
        uow.connection.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.scope == ORDER_SCOPE, idempotency_keys.c.key == key)
            .values(response=answer)
        )
    return answer


def _refuse_naming_every_field(
    uow: UnitOfWork, order: Mapping[str, Any], no_quote: InvalidInput
) -> NoReturn:
    """No carrier could be quoted; the order's own bad fields are named too.

    Whatever ``place_order`` does here is rolled back: this always raises, so the unit of work
    is never committed.
    """
    try:
        place_order(uow, **order, shipping_fee_vnd=0)
    except InvalidInput as refused:
        raise InvalidInput({**refused.errors, **no_quote.errors}) from None
    raise no_quote
