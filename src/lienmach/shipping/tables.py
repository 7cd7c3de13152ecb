"""Shipping tables: carriers and rate cards as data, shipments and their status history."""

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
    Text,
    UniqueConstraint,
)

from lienmach.kernel.db import JsonColumn, metadata

carriers = Table(
    "carriers",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("max_weight_grams", Integer, nullable=False),
    Column("cod_fee_basis_points", Integer, nullable=False),
    Column("cod_fee_min_vnd", Integer, nullable=False),
    Column("webhook_secret", String(200)),
    Column("api_token", String(200)),
)

rate_cards = Table(
    "rate_cards",
    metadata,
    Column("carrier_id", String(20), nullable=False),
    Column("service_level", String(10), nullable=False),
    Column("distance_band", String(20), nullable=False),
    Column("fee_500g_vnd", Integer, nullable=False),
    Column("fee_1kg_vnd", Integer, nullable=False),
    Column("fee_2kg_vnd", Integer, nullable=False),
    Column("fee_5kg_vnd", Integer, nullable=False),
    Column("extra_kg_vnd", Integer, nullable=False),
    Column("promised_days", Integer, nullable=False),
    PrimaryKeyConstraint("carrier_id", "service_level", "distance_band"),
    CheckConstraint("promised_days > 0", name="promised_days_positive"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("parcel_id", String(32), nullable=False, unique=True),
    Column("warehouse_id", String(32), nullable=False),
    Column("carrier_id", String(20), nullable=False),
    Column("service_level", String(10), nullable=False),
    Column("state", String(12), nullable=False),
    Column("tracking_code", String(40)),
    Column("fee_vnd", Integer, nullable=False),
    Column("cod_amount_vnd", Integer, nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("promised_at", DateTime(timezone=True), nullable=False),
    Column("choice_reason", Text, nullable=False),
    Column("reservation_ids", JsonColumn, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("booked_at", DateTime(timezone=True)),
    # set once the stock was issued and the order told it shipped (exactly once)
    Column("issued_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("returned_at", DateTime(timezone=True)),
    Column("failure_reason", Text),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("carrier_id", "tracking_code", name="uq_shipments_carrier_tracking"),
    Index("ix_shipments_tracking_code", "tracking_code"),
    Index("ix_shipments_state", "state", "carrier_id"),
)

shipment_events = Table(
    "shipment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shipment_id", String(32), nullable=False, index=True),
    Column("carrier_id", String(20), nullable=False),
    Column("carrier_event_id", String(160), nullable=False),
    Column("status", String(12), nullable=False),
    Column("carrier_status", String(30), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("carrier_id", "carrier_event_id", name="uq_shipment_events_carrier_event"),
)
