"""Tables of the process map: running counts kept by the projector, so reading the map never
scans the event log (see analytics/process_map.py for what each count means)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from lienmach.kernel.db import JsonColumn, metadata

# Each order's trace as last projected: [[event id, activity, microseconds since epoch], ...].
process_map_traces = Table(
    "process_map_traces",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("steps", JsonColumn, nullable=False),
)

process_map_edges = Table(
    "process_map_edges",
    metadata,
    Column("source", String(80), primary_key=True),
    Column("target", String(80), primary_key=True),
    Column("transitions", BigInteger, nullable=False),
    Column("loop_backs", BigInteger, nullable=False),
    Column("wait_seconds", BigInteger, nullable=False),
)

# Per-edge histogram of waits (log-scaled buckets, see process_map.wait_bucket).
process_map_waits = Table(
    "process_map_waits",
    metadata,
    Column("source", String(80), primary_key=True),
    Column("target", String(80), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("transitions", BigInteger, nullable=False),
)

process_map_activities = Table(
    "process_map_activities",
    metadata,
    Column("activity", String(80), primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("starting", BigInteger, nullable=False),
    Column("ending", BigInteger, nullable=False),
    Column("repeating", BigInteger, nullable=False),
    Column("repeats", BigInteger, nullable=False),
)

process_map_variants = Table(
    "process_map_variants",
    metadata,
    Column("variant", String(40), primary_key=True),  # sha1 of the activities
    Column("activities", Text, nullable=False),  # one activity per line
    Column("orders", BigInteger, nullable=False),
    Index("ix_process_map_variants_orders", "orders"),
)
