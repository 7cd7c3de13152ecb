"""Facts the customers context publishes."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class CustomerRegistered(Event):
    customer_id: str
    province_code: str


@dataclass(frozen=True)
class CustomerBlocked(Event):
    customer_id: str
    reason: str
