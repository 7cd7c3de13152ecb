"""Fulfilment rules: pick task states, picking priority, and the guided packing check.

Pure: no database, no clock of its own; callers pass ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PickTaskState(StrEnum):
    QUEUED = "queued"
    PICKED = "picked"
    PACKED = "packed"
    CANCELLED = "cancelled"


TRANSITIONS: dict[PickTaskState, frozenset[PickTaskState]] = {
    PickTaskState.QUEUED: frozenset({PickTaskState.PICKED, PickTaskState.CANCELLED}),
    PickTaskState.PICKED: frozenset({PickTaskState.PACKED, PickTaskState.CANCELLED}),
    PickTaskState.PACKED: frozenset(),
    PickTaskState.CANCELLED: frozenset(),
}

OPEN_STATES = (PickTaskState.QUEUED, PickTaskState.PICKED)

# Orders in these states have moved on: newly reserved units of theirs are never picked.
ORDER_STATES_CLOSED_TO_PICKING = frozenset({"cancelled", "delivered", "returned"})

EXPRESS_BONUS = 1000
PROMISE_DUE_BONUS = 500
TIER_BONUS = {"gold": 300, "silver": 150, "standard": 0}
PROMISE_DUE_WINDOW = timedelta(hours=24)
MAX_AGE_HOURS = 200


def priority(
    service_level: str,
    promised_at: datetime | None,
    customer_tier: str,
    placed_at: datetime,
    now: datetime,
) -> int:
    """How soon a pick task should be worked; higher is sooner.

    The score adds up, so each reason can be read back from the number:

    - express service: +1000
    - a promise falling due within 24 hours (or already overdue): +500
    - customer tier: gold +300, silver +150, standard +0
    - +1 for every whole hour the order has waited since it was placed, capped at 200 hours,
      so old orders rise but never overtake an express order.
    """
    score = EXPRESS_BONUS if service_level == "express" else 0
    if promised_at is not None and promised_at - now <= PROMISE_DUE_WINDOW:
        score += PROMISE_DUE_BONUS
    score += TIER_BONUS.get(customer_tier, 0)
    waited_hours = int((now - placed_at).total_seconds() // 3600)
    score += min(max(waited_hours, 0), MAX_AGE_HOURS)
    return score


@dataclass(frozen=True)
class PackLine:
    """One reserved line of a parcel as the packing check sees it."""

    reservation_id: str
    product_id: str
    barcode: str
    sku: str
    name: str
    quantity: int
    scanned_quantity: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.scanned_quantity


@dataclass(frozen=True)
class ScanResult:
    """What a scanned code means for a parcel; ``line`` is the line it counts towards."""

    accepted: bool
    message: str
    line: PackLine | None = None


def _matches(line: PackLine, code: str) -> bool:
    return code == line.barcode or code.casefold() == line.sku.casefold()


def scan(lines: Sequence[PackLine], code: str) -> ScanResult:
    """Check one scanned code against the parcel: a unit's barcode or its SKU counts.

    A code that belongs to no line, or one more unit of a product already fully scanned, is
    rejected with a bilingual message the packer can act on.
    """
    code = code.strip()
    if not code:
        return ScanResult(False, "Nothing was scanned (Chưa quét được mã nào)")
    matching = [line for line in lines if _matches(line, code)]
    if not matching:
        return ScanResult(
            False, f"Code {code} is not in this parcel (Mã {code} không thuộc kiện này)"
        )
    for line in matching:
        if line.remaining > 0:
            return ScanResult(
                True, f"{line.sku} ✓ {line.scanned_quantity + 1}/{line.quantity}", line
            )
    units = sum(line.quantity for line in matching)
    sku = matching[0].sku
    return ScanResult(
        False,
        f"All {units} units of {sku} already scanned (Đã quét đủ {units} đơn vị {sku})",
    )


def missing_units(lines: Sequence[PackLine]) -> dict[str, int]:
    """Units not yet verified, by SKU, in line order."""
    missing: dict[str, int] = {}
    for line in lines:
        if line.remaining > 0:
            missing[line.sku] = missing.get(line.sku, 0) + line.remaining
    return missing


def missing_message(missing: dict[str, int]) -> str:
    """'2 units missing: SKU-1 ×1, SKU-7 ×1 (Còn thiếu 2 đơn vị: ...)'."""
    total = sum(missing.values())
    listed = ", ".join(f"{sku} ×{count}" for sku, count in missing.items())
    noun = "unit" if total == 1 else "units"
    return f"{total} {noun} missing: {listed} (Còn thiếu {total} đơn vị: {listed})"
