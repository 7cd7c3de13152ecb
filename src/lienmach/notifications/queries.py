"""Read side of the notifications context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from lienmach.kernel.clock import as_utc
from lienmach.notifications.tables import outbound_messages


@dataclass(frozen=True)
class MessageView:
    id: str
    key: str
    channel: str
    recipient: str
    subject: str | None
    body: str | None
    language: str
    template: str
    purpose: str
    order_id: str | None
    state: str
    created_at: datetime
    sent_at: datetime | None
    provider_id: str | None


def messages_for_order(connection: Connection, order_id: str) -> list[MessageView]:
    """Every message about an order, oldest first."""
    rows = connection.execute(
        select(outbound_messages)
        .where(outbound_messages.c.order_id == order_id)
        .order_by(outbound_messages.c.created_at, outbound_messages.c.id)
    ).all()
    return [_view(row) for row in rows]


def messages_for_customer(
    connection: Connection,
    *,
    order_ids: Sequence[str],
    recipients: Sequence[str],
    limit: int = 200,
) -> list[MessageView]:
    """Messages about any of the orders or sent to any of the addresses, newest first."""
    matches = []
    if order_ids:
        matches.append(outbound_messages.c.order_id.in_(sorted(set(order_ids))))
    if recipients:
        matches.append(outbound_messages.c.recipient.in_(sorted(set(recipients))))
    if not matches:
        return []
    rows = connection.execute(
        select(outbound_messages)
        .where(or_(*matches))
        .order_by(outbound_messages.c.created_at.desc(), outbound_messages.c.id.desc())
        .limit(limit)
    ).all()
    return [_view(row) for row in rows]


def get_message(connection: Connection, message_id: str) -> MessageView | None:
    """One message by id, or None."""
    row = connection.execute(
        select(outbound_messages).where(outbound_messages.c.id == message_id)
    ).first()
    return _view(row) if row is not None else None


def count_sent(
    connection: Connection, *, channel: str | None = None, purpose: str | None = None
) -> int:
    """How many messages actually left, optionally of one channel and purpose."""
    query = select(func.count()).where(outbound_messages.c.state == "sent")
    if channel is not None:
        query = query.where(outbound_messages.c.channel == channel)
    if purpose is not None:
        query = query.where(outbound_messages.c.purpose == purpose)
    return int(connection.execute(query).scalar_one())


def _view(row: Row[Any]) -> MessageView:
    values = dict(row._mapping)
    values["created_at"] = as_utc(values["created_at"])
    if values["sent_at"] is not None:
        values["sent_at"] = as_utc(values["sent_at"])
    return MessageView(**values)
