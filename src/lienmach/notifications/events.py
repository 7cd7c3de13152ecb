"""Facts the notifications context publishes: messages that actually left."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class MessageSent(Event):
    message_id: str
    channel: str  # email | sms
    order_id: str | None
    purpose: str
