"""Catalog tables."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, Integer, String, Table

from lienmach.kernel.db import metadata

products = Table(
    "products",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("sku", String(40), nullable=False, unique=True),
    Column("barcode", String(40), nullable=False, unique=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("price_vnd", Integer, nullable=False),
    Column("cost_vnd", Integer, nullable=False),
    Column("vat_rate_percent", Integer, nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("warranty_months", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("price_vnd >= 0", name="price_not_negative"),
    CheckConstraint("vat_rate_percent IN (0, 5, 8, 10)", name="vat_rate_known"),
)
