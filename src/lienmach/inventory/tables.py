"""Inventory tables."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from lienmach.kernel.db import metadata

warehouses = Table(
    "warehouses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("province_code", String(8), nullable=False),
    Column("ward", String(120), nullable=False),
    Column("street", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("product_id", String(32), nullable=False),
    Column("warehouse_id", String(32), nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    PrimaryKeyConstraint("product_id", "warehouse_id"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("line_id", String(32), nullable=False),
    Column("product_id", String(32), nullable=False),
    Column("warehouse_id", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("state", String(10), nullable=False),  # active | released | issued
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index("ix_reservations_product_state", "product_id", "state"),
)
