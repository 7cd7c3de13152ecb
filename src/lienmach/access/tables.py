"""Access tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table

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
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)

# Staff and customer accounts of the web pages (API callers use keys, above).
users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # lower-cased
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("customer_id", String(32), nullable=True, unique=True),
    Column("locale", String(2), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", String(32), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

# Failed logins counted per e-mail and per client address, so guessing passwords is slow even
# across several workers (the count lives in the database, not in one process).
login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(300), primary_key=True),  # "email:<address>" or "client:<ip>"
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False),
)
