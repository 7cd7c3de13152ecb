"""Catalog use cases."""

from __future__ import annotations

from sqlalchemy import select

from lienmach.catalog.events import ProductCreated
from lienmach.catalog.model import product_errors
from lienmach.catalog.tables import products
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork


def create_product(
    uow: UnitOfWork,
    *,
    sku: str,
    barcode: str,
    name_vi: str,
    name_en: str = "",
    price_vnd: int,
    cost_vnd: int,
    vat_rate_percent: int = 10,
    weight_grams: int,
    warranty_months: int = 0,
) -> str:
    """Add a product to the catalog; prices are net of VAT, in đồng."""
    errors = product_errors(
        sku=sku,
        barcode=barcode,
        name_vi=name_vi,
        price_vnd=price_vnd,
        cost_vnd=cost_vnd,
        vat_rate_percent=vat_rate_percent,
        weight_grams=weight_grams,
        warranty_months=warranty_months,
    )
    taken = uow.connection.execute(
        select(products.c.sku, products.c.barcode).where(
            (products.c.sku == sku) | (products.c.barcode == barcode)
        )
    ).first()
    if taken is not None:
        field = "sku" if taken.sku == sku else "barcode"
        errors[field] = f"{field} {sku if field == 'sku' else barcode} is already used"
    if errors:
        raise InvalidInput(errors)
    product_id = new_id("P")
    uow.connection.execute(
        products.insert().values(
            id=product_id,
            sku=sku,
            barcode=barcode,
            name_vi=name_vi,
            name_en=name_en or name_vi,
            price_vnd=price_vnd,
            cost_vnd=cost_vnd,
            vat_rate_percent=vat_rate_percent,
            weight_grams=weight_grams,
            warranty_months=warranty_months,
            active=True,
            created_at=uow.now(),
        )
    )
    uow.publish(ProductCreated(product_id=product_id, sku=sku))
    return product_id
