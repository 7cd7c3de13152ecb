"""Facts the catalog publishes."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class ProductCreated(Event):
    product_id: str
    sku: str
