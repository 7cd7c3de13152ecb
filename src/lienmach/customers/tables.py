"""Customers tables."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, Integer, String, Table, Text

from lienmach.kernel.db import JsonColumn, metadata

customers = Table(
    "customers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("phone", String(20), nullable=False),
    Column("tax_code", String(20), nullable=True),
    Column("province_code", String(2), nullable=False, index=True),
    Column("ward", String(100), nullable=False),
    Column("street", String(200), nullable=False),
    Column("legacy_address", JsonColumn, nullable=True),
    Column("tier", String(10), nullable=False, default="standard"),
    Column("language", String(2), nullable=False, default="vi"),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("blocked_reason", Text, nullable=True),
    Column("credit_hold", Boolean, nullable=False, default=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("tier IN ('standard', 'silver', 'gold')", name="tier_known"),
    CheckConstraint("language IN ('vi', 'en')", name="language_known"),
)
