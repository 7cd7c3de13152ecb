"""Kernel tables: the append-only event log, delivery tracking rows, jobs, idempotency keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from lienmach.kernel.db import JsonColumn, metadata


def only_rows_where(condition: str) -> dict[str, Any]:
    """A partial index's condition, the same on both databases (written out, not bound: a
    query must state it in the same words for the planners to use the index)."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


event_log = Table(
    "event_log",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("type", String(80), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("payload", JsonColumn, nullable=False),
    # The transaction that wrote the event: PostgreSQL's own transaction id; on SQLite (one
    # writer at a time) one above the log's highest when written. (xact_id, id) orders the log
    # as it was committed, and the projections' feed reads it in that order (kernel.feed).
    Column("xact_id", BigInteger, nullable=False, server_default=text("0")),
    Index("ix_event_log_type_occurred", "type", "occurred_at"),
    Index("ix_event_log_feed", "xact_id", "id"),
)

# How far each feed has read the log: the last (xact_id, event id) it handled (kernel.feed).
event_feeds = Table(
    "event_feeds",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("xact_id", BigInteger, nullable=False),
    Column("event_id", String(32), nullable=False),
    # Up by one with every change to what the feed's projections keep (ADR 0020).
    Column("generation", BigInteger, nullable=False, server_default=text("0")),
)

event_objects = Table(
    "event_objects",
    metadata,
    Column("event_id", String(32), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(64), nullable=False),
    Column("role", String(40), nullable=False),
    PrimaryKeyConstraint("object_type", "object_id", "event_id", "role"),
)

# One row per (event, subscriber): the work item and, once done, the tracking row that makes a
# second delivery do nothing.
event_deliveries = Table(
    "event_deliveries",
    metadata,
    Column("event_id", String(32), nullable=False),
    Column("subscriber", String(160), nullable=False),
    Column("state", String(10), nullable=False),  # pending | done | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("available_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("last_error", Text),
    PrimaryKeyConstraint("event_id", "subscriber"),
    # Only what is still to do, in the order it is claimed, with what a claim reads: a lane's
    # oldest due deliveries are the first entries that name its subscribers (migration 0016).
    Index(
        "ix_event_deliveries_pending",
        "event_id",
        "subscriber",
        "available_at",
        "attempts",
        **only_rows_where("state = 'pending'"),
    ),
    Index(
        "ix_event_deliveries_dead",
        "event_id",
        **only_rows_where("state = 'dead'"),
    ),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(80), nullable=False),
    Column("key", String(200), nullable=False, unique=True),
    Column("payload", JsonColumn, nullable=False),
    Column("state", String(10), nullable=False),  # pending | running | done | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("available_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("result", JsonColumn),
    Column("last_error", Text),
    # The jobs to claim, soonest first: only those not finished. A claimed (running) job's
    # ``available_at`` is its lease's end, when it is due again if its runner died. No index
    # on the state alone: PostgreSQL's generic plans took it over the primary key to mark one
    # job done, walking every entry finished jobs left behind until vacuum.
    Index(
        "ix_jobs_due",
        "available_at",
        **only_rows_where("state IN ('pending', 'running')"),
    ),
    Index(
        "ix_jobs_dead",
        "id",
        **only_rows_where("state = 'dead'"),
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), nullable=False),
    Column("scope", String(120), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JsonColumn, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("scope", "key"),
)

# Gapless, duplicate-free numbering series (invoice numbers, order numbers, ticket numbers).
counters = Table(
    "counters",
    metadata,
    Column("series", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)
