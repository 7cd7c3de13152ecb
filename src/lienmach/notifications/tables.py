"""Tables of the notifications context."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text

from lienmach.kernel.db import metadata

outbound_messages = Table(
    "outbound_messages",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("channel", String(10), nullable=False),  # email | sms
    Column("recipient", String(320), nullable=False),
    # Filled when the job renders the message: templates render at send time.
    Column("subject", Text),
    Column("body", Text),
    Column("language", String(5), nullable=False),
    Column("template", String(60), nullable=False),
    Column("purpose", String(60), nullable=False),
    Column("order_id", String(40)),
    Column("state", String(10), nullable=False),  # queued | sent | failed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("provider_id", String(200)),
    Index("ix_outbound_messages_order", "order_id"),
    Index("ix_outbound_messages_state_channel", "state", "channel"),
)
