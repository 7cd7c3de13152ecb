"""Access tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table

from lienmach.kernel.db import metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("key_prefix", String(8), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(500), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
