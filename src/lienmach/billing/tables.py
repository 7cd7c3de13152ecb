"""Billing tables: chart of accounts, journal, invoices and credit notes."""

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
    UniqueConstraint,
)

from lienmach.kernel.db import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("code", String(10), primary_key=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("kind", String(10), nullable=False),
    CheckConstraint(
        "kind IN ('asset', 'liability', 'equity', 'revenue', 'expense')", name="kind_known"
    ),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source_type", String(20), nullable=False),
    Column("source_id", String(120), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("order_id", String(32), index=True),
    Column("description", String(300), nullable=False),
    Column("amount_vnd", Integer, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    # No posting twice for the same source: a redelivered event inserts nothing.
    UniqueConstraint("source_type", "source_id", "kind", name="uq_journal_entries_source"),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("entry_id", String(32), ForeignKey("journal_entries.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("account_code", String(10), ForeignKey("accounts.code"), nullable=False),
    Column("debit_vnd", Integer, nullable=False),
    Column("credit_vnd", Integer, nullable=False),
    Column("order_id", String(32)),
    PrimaryKeyConstraint("entry_id", "line_no"),
    CheckConstraint("debit_vnd >= 0 AND credit_vnd >= 0", name="not_negative"),
    CheckConstraint("debit_vnd = 0 OR credit_vnd = 0", name="one_side_only"),
    Index("ix_journal_lines_account", "account_code"),
    Index("ix_journal_lines_order_account", "order_id", "account_code"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(30), nullable=False, unique=True),
    Column("order_id", String(32), nullable=False, unique=True),
    Column("customer_id", String(32), nullable=False, index=True),
    Column("state", String(20), nullable=False),  # issued | partially_credited | cancelled
    Column("subtotal_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    Column("total_vnd", Integer, nullable=False),
    Column("credited_vnd", Integer, nullable=False, default=0),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("total_vnd = subtotal_vnd + vat_vnd", name="total_adds_up"),
    CheckConstraint("credited_vnd >= 0 AND credited_vnd <= total_vnd", name="credit_within_total"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("invoice_id", String(32), ForeignKey("invoices.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("kind", String(10), nullable=False),  # goods | shipping
    Column("order_line_id", String(32)),
    Column("product_id", String(32)),
    Column("description", String(300), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_vnd", Integer, nullable=False),
    Column("vat_rate_percent", Integer, nullable=False),
    Column("net_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(30), nullable=False, unique=True),
    Column("invoice_id", String(32), ForeignKey("invoices.id"), nullable=False, index=True),
    Column("order_id", String(32), nullable=False, index=True),
    # What caused it (the cancelled order's id, the returned shipment's id): one note per cause.
    Column("source_id", String(64), nullable=False, unique=True),
    Column("cause", String(20), nullable=False),  # cancellation | return
    Column("subtotal_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    Column("total_vnd", Integer, nullable=False),
    Column("reason", String(300), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("total_vnd = subtotal_vnd + vat_vnd", name="total_adds_up"),
    CheckConstraint("total_vnd > 0", name="total_positive"),
)

credit_note_lines = Table(
    "credit_note_lines",
    metadata,
    Column("credit_note_id", String(32), ForeignKey("credit_notes.id"), nullable=False),
    Column("invoice_line_id", String(32), ForeignKey("invoice_lines.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("net_vnd", Integer, nullable=False),
    Column("vat_vnd", Integer, nullable=False),
    PrimaryKeyConstraint("credit_note_id", "invoice_line_id"),
    Index("ix_credit_note_lines_invoice_line", "invoice_line_id"),
)
