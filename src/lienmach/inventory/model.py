"""Inventory rules: reservation states and how the best warehouse is chosen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ReservationState(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    ISSUED = "issued"


@dataclass(frozen=True)
class Candidate:
    warehouse_id: str
    province_code: str
    available: int


def rank_warehouses(
    candidates: Sequence[Candidate],
    *,
    quantity: int,
    distance_to: Callable[[str], float],
) -> list[Candidate]:
    """Best first: those that can fill the whole line, then the nearest, then the fullest."""
    return sorted(
        candidates,
        key=lambda c: (
            c.available < quantity,
            distance_to(c.province_code),
            -c.available,
            c.warehouse_id,
        ),
    )
