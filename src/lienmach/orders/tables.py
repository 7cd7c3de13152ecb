"""Orders tables."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from lienmach.kernel.db import JsonColumn, metadata

orders = Table(
    "orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    # Unguessable: the public tracking link in the confirmation e-mail (ids are time-ordered).
    Column("tracking_token", String(32), nullable=False, unique=True),
    Column("customer_id", String(32), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("fulfilment_stage", String(10), nullable=False, default="none"),
    Column("payment_method", String(10), nullable=False),
    Column("paid_vnd", Integer, nullable=False, default=0),
    Column("service_level", String(10), nullable=False),
    Column("customer_tier", String(10), nullable=False),
    Column("language", String(2), nullable=False),
    Column("ship_name", String(200), nullable=False),
    Column("ship_phone", String(20), nullable=False),
    Column("ship_email", String(200), nullable=False),
    Column("ship_province_code", String(8), nullable=False),
    Column("ship_ward", String(120), nullable=False),
    Column("ship_street", String(200), nullable=False),
    Column("ship_legacy_address", JsonColumn),
    Column("subtotal_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    Column("shipping_fee_vnd", Integer, nullable=False),
    Column("shipping_vat_vnd", Integer, nullable=False),
    Column("total_vnd", Integer, nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("promised_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_orders_state_placed", "state", "placed_at"),
    Index("ix_orders_placed_at", "placed_at"),
    # The back office's order list filters by channel or province, newest first.
    Index("ix_orders_channel_placed", "channel", "placed_at"),
    Index("ix_orders_province_placed", "ship_province_code", "placed_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("product_id", String(32), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_vnd", Integer, nullable=False),
    Column("vat_rate_percent", Integer, nullable=False),
    Column("net_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    Column("reserved_quantity", Integer, nullable=False, default=0),
    Column("backordered_quantity", Integer, nullable=False, default=0),
    Column("shipped_quantity", Integer, nullable=False, default=0),
    Column("delivered_quantity", Integer, nullable=False, default=0),
    Column("returned_quantity", Integer, nullable=False, default=0),
    Column("cancelled_quantity", Integer, nullable=False, default=0),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint(
        "reserved_quantity + backordered_quantity + shipped_quantity + cancelled_quantity"
        " = quantity",
        name="units_accounted_for",
    ),
    CheckConstraint(
        "delivered_quantity + returned_quantity <= shipped_quantity", name="delivered_were_shipped"
    ),
    Index("ix_order_lines_backorders", "product_id", "backordered_quantity"),
)
