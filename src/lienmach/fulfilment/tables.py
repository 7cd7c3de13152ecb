"""Fulfilment tables."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from lienmach.kernel.db import metadata

waves = Table(
    "waves",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("warehouse_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("task_count", Integer, nullable=False),
)

pick_tasks = Table(
    "pick_tasks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("warehouse_id", String(32), nullable=False),
    Column("state", String(12), nullable=False),  # queued | picked | packed | cancelled
    Column("priority", Integer, nullable=False),
    Column("promised_at", DateTime(timezone=True)),
    Column("wave_id", String(32), ForeignKey("waves.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("picked_at", DateTime(timezone=True)),
    Column("picked_by", String(120)),
    Column("packed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_pick_tasks_queue", "state", "warehouse_id", "priority"),
)

# A reservation is picked by exactly one task: the unique reservation_id is what keeps a
# redelivered or concurrent "queue a task" from picking the same units twice.
pick_task_lines = Table(
    "pick_task_lines",
    metadata,
    Column("pick_task_id", String(32), ForeignKey("pick_tasks.id"), nullable=False),
    Column("reservation_id", String(32), nullable=False, unique=True),
    Column("line_id", String(32), nullable=False),
    Column("product_id", String(32), nullable=False),
    Column("barcode", String(40), nullable=False),
    Column("sku", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("scanned_quantity", Integer, nullable=False, default=0),
    Column("unit_weight_grams", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("pick_task_id", "reservation_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint(
        "scanned_quantity >= 0 AND scanned_quantity <= quantity", name="scanned_within_quantity"
    ),
)

parcels = Table(
    "parcels",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("pick_task_id", String(32), ForeignKey("pick_tasks.id"), nullable=False, unique=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("warehouse_id", String(32), nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("length_cm", Integer),
    Column("width_cm", Integer),
    Column("height_cm", Integer),
    Column("packed_by", String(120), nullable=False),
    Column("packed_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("weight_grams > 0", name="weight_positive"),
)
