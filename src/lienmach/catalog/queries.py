"""Catalog read side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from lienmach.catalog import folding
from lienmach.catalog.tables import products
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork


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
# Built once: building a statement costs several times more than executing it.
_BY_IDS = prepared(select(*_COLUMNS).where(products.c.id.in_(bindparam("ids", expanding=True))))
#: uow.scratch key: the products read in this unit of work, by id (see :func:`products_in`).
SEEN_PRODUCTS = "catalog.products"


def get_products(connection: Connection, product_ids: Iterable[str]) -> dict[str, ProductView]:
    """The products with these ids (missing ones are simply absent)."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = _BY_IDS.run(connection, {"ids": wanted})
    return {row.id: ProductView(*row) for row in rows}


def products_in(uow: UnitOfWork, product_ids: Iterable[str]) -> dict[str, ProductView]:
    """:func:`get_products`, each product read at most once per unit of work: the handlers of
    one delivery batch share them (the journey's handlers never change a product)."""
    return uow.remembered_many(
        SEEN_PRODUCTS, product_ids, lambda missing: get_products(uow.connection, missing)
    )


def get_product(connection: Connection, product_id: str) -> ProductView | None:
    return get_products(connection, [product_id]).get(product_id)


def list_products(
    connection: Connection, *, limit: int = 100, offset: int = 0
) -> list[ProductView]:
    rows = connection.execute(
        select(*_COLUMNS).order_by(products.c.sku).limit(limit).offset(offset)
    )
    return [ProductView(**row._mapping) for row in rows]


def search_products(connection: Connection, text: str, *, limit: int = 60) -> list[ProductView]:
    """Products on sale whose name (either language) or SKU has every word of ``text``.

    Diacritics and case do not matter ("ao thun" finds "Áo thun"); each word asked for must
    begin a word of the product. Folded in Python: an SMB catalog is a few thousand rows, and
    the databases' own accent folding differs (SQLite has none).
    """
    asked = folding.words(text)
    rows = connection.execute(
        select(*_COLUMNS).where(products.c.active.is_(True)).order_by(products.c.name_vi)
    )
    found = []
    for row in rows:
        product = ProductView(**row._mapping)
        haystack = folding.words(f"{product.name_vi} {product.name_en} {product.sku}")
        if folding.matches(asked, haystack):
            found.append(product)
            if len(found) >= limit:
                break
    return found
