"""Shipping fee for an order not yet placed: what the checkout, API and simulator quote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from lienmach.catalog.queries import get_products
from lienmach.customers.geography import distance_km
from lienmach.inventory.queries import list_warehouses
from lienmach.shipping.queries import QuoteView, quote_shipping


def quote_for_draft(
    connection: Connection,
    *,
    destination_province_code: str,
    lines: Sequence[Mapping[str, Any]],
    service_level: str,
    cod_amount_vnd: int = 0,
) -> QuoteView | None:
    """The cheapest option from the nearest warehouse for these lines, or None if none fits."""
    warehouses = list_warehouses(connection)
    if not warehouses:
        return None
    origin = min(warehouses, key=lambda w: distance_km(w.province_code, destination_province_code))
    products = get_products(connection, [str(line.get("product_id")) for line in lines])
    weight = sum(
        products[str(line["product_id"])].weight_grams * int(line.get("quantity", 1))
        for line in lines
        if str(line.get("product_id")) in products
    )
    options = quote_shipping(
        connection,
        origin_province_code=origin.province_code,
        destination_province_code=destination_province_code,
        weight_grams=max(weight, 1),
        service_level=service_level,
        cod_amount_vnd=cod_amount_vnd,
    )
    return options[0] if options else None
