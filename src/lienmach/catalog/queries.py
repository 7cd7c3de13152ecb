"""Catalog read side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from lienmach.catalog.tables import products


@dataclass(frozen=True)
class ProductView:
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


_COLUMNS = [getattr(products.c, name) for name in ProductView.__dataclass_fields__]


def get_products(connection: Connection, product_ids: Iterable[str]) -> dict[str, ProductView]:
    """The products with these ids (missing ones are simply absent)."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = connection.execute(select(*_COLUMNS).where(products.c.id.in_(wanted)))
    return {row.id: ProductView(**row._mapping) for row in rows}


def get_product(connection: Connection, product_id: str) -> ProductView | None:
    return get_products(connection, [product_id]).get(product_id)


def list_products(
    connection: Connection, *, limit: int = 100, offset: int = 0
) -> list[ProductView]:
    rows = connection.execute(
        select(*_COLUMNS).order_by(products.c.sku).limit(limit).offset(offset)
    )
    return [ProductView(**row._mapping) for row in rows]
