"""Catalog rules: what makes a product valid."""

from __future__ import annotations

from lienmach.kernel.money import VAT_RATES_PERCENT


def product_errors(
    *,
    sku: str,
    barcode: str,
    name_vi: str,
    price_vnd: int,
    cost_vnd: int,
    vat_rate_percent: int,
    weight_grams: int,
    warranty_months: int,
) -> dict[str, str]:
    """Every problem with a product's fields, by field name."""
    errors: dict[str, str] = {}
    if not sku.strip():
        errors["sku"] = "give the product a stock-keeping code"
    if not barcode.strip():
        errors["barcode"] = "give the barcode printed on the unit; packing scans it"
    if not name_vi.strip():
        errors["name_vi"] = "give the Vietnamese name"
    if price_vnd < 0:
        errors["price_vnd"] = "a price cannot be negative"
    if cost_vnd < 0:
        errors["cost_vnd"] = "a cost cannot be negative"
    if vat_rate_percent not in VAT_RATES_PERCENT:
        errors["vat_rate_percent"] = f"use one of {', '.join(map(str, VAT_RATES_PERCENT))}"
    if weight_grams <= 0:
        errors["weight_grams"] = "give the unit's weight in grams (more than 0)"
    if warranty_months < 0:
        errors["warranty_months"] = "warranty months cannot be negative"
    return errors
