"""Tables of the after-sales context."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from lienmach.kernel.db import metadata

surveys = Table(
    "surveys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), nullable=False, unique=True),
    Column("customer_id", String(40), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("score", Integer),
    Column("comment", Text),
    Column("category", String(10)),  # promoter | passive | detractor
    Index("ix_surveys_answered_at", "answered_at"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("order_id", String(40)),
    Column("customer_id", String(40), nullable=False),
    # The survey whose answer opened the ticket: unique, so one answer opens one ticket.
    Column("survey_id", String(40), unique=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("source", String(10), nullable=False),  # customer | survey | staff
    Column("stage", String(20), nullable=False),
    Column("state", String(10), nullable=False),  # open | resolved | reopened
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("first_response_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", String(120)),
    Column("resolution", Text),
    Column("version", Integer, nullable=False),
    Index("ix_tickets_state_due", "state", "due_at"),
    Index("ix_tickets_order", "order_id"),
    Index("ix_tickets_customer", "customer_id"),
)

ticket_notes = Table(
    "ticket_notes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("ticket_id", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("author", String(120), nullable=False),
    Column("kind", String(12), nullable=False),  # note | resolution | reopen
    Column("text", Text, nullable=False),
    Index("ix_ticket_notes_ticket", "ticket_id", "at"),
)
