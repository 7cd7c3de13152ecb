"""Shipping rules, pure: shipment states, carrier statuses, rate cards, quotes and the choice.

The carrier choice is a weighted score (weights in :data:`SCORE_WEIGHTS`, the only place they
live). For each candidate able to take the parcel:

    score = price × cheapest_fee / fee
          + days × fastest_days / promised_days
          + on_time × measured on-time rate (unknown carriers get the mean of the known ones)

Distance enters through the rate card's distance band, which sets both fee and promised days.
Carriers over their weight limit are excluded; express orders use express services only,
standard orders standard services only. With a promised date, only the carriers that can meet
it compete; when none can, the fastest ones do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lienmach.kernel.errors import InvalidInput


class ShipmentState(StrEnum):
    BOOKING = "booking"
    BOOKED = "booked"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"


S = ShipmentState
# Forward skips are allowed because carriers drop intermediate callbacks; nothing moves back.
TRANSITIONS: dict[ShipmentState, frozenset[ShipmentState]] = {
    S.BOOKING: frozenset({S.BOOKED}),
    S.BOOKED: frozenset({S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED, S.FAILED}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.DELIVERED, S.FAILED}),
    S.IN_TRANSIT: frozenset({S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset(),
    S.FAILED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
}
SHIPPED_STATES = frozenset({S.BOOKED, S.PICKED_UP, S.IN_TRANSIT})

# GHN-like carrier statuses → our states. A failed attempt ends the delivery here: the parcel
# goes back to the warehouse (DESIGN §1.1 step 7).
CARRIER_STATUSES: dict[str, ShipmentState] = {
    "ready_to_pick": S.BOOKED,
    "picking": S.BOOKED,
    "picked": S.PICKED_UP,
    "storing": S.IN_TRANSIT,
    "transporting": S.IN_TRANSIT,
    "delivering": S.IN_TRANSIT,
    "delivered": S.DELIVERED,
    "delivery_fail": S.FAILED,
    "waiting_to_return": S.FAILED,
    "return": S.FAILED,
    "returned": S.FAILED,
    "cancel": S.FAILED,
}


def state_for_carrier_status(carrier_status: str) -> ShipmentState:
    """Our state for a carrier status; unknown statuses are bad input."""
    state = CARRIER_STATUSES.get(carrier_status.strip().lower())
    if state is None:
        known = ", ".join(CARRIER_STATUSES)
        raise InvalidInput({"carrier_status": f"unknown status {carrier_status!r}; use {known}"})
    return state


def status_effect(current: ShipmentState, target: ShipmentState) -> str:
    """'move' (forward), 'same' (history only) or 'ignore' (a late, out-of-order status)."""
    if target in TRANSITIONS[current]:
        return "move"
    if target == current and current in SHIPPED_STATES:
        return "same"
    return "ignore"


class DistanceBand(StrEnum):
    SAME_PROVINCE = "same_province"
    UNDER_300 = "under_300"
    FROM_300_TO_1000 = "300_1000"
    OVER_1000 = "over_1000"


SERVICE_LEVELS = ("standard", "express")
WEIGHT_BANDS_GRAMS = (500, 1000, 2000, 5000)


def distance_band(distance_km: float, *, same_province: bool) -> DistanceBand:
    if same_province:
        return DistanceBand.SAME_PROVINCE
    if distance_km < 300:
        return DistanceBand.UNDER_300
    if distance_km <= 1000:
        return DistanceBand.FROM_300_TO_1000
    return DistanceBand.OVER_1000


@dataclass(frozen=True)
class RateCard:
    """One carrier service in one distance band, with the carrier's limits and COD rule."""

    carrier_id: str
    carrier_name: str
    service_level: str
    distance_band: str
    fee_500g_vnd: int
    fee_1kg_vnd: int
    fee_2kg_vnd: int
    fee_5kg_vnd: int
    extra_kg_vnd: int
    promised_days: int
    max_weight_grams: int
    cod_fee_basis_points: int  # 80 = 0.8 % of the amount collected
    cod_fee_min_vnd: int

    def shipping_fee(self, weight_grams: int) -> int:
        fees = (self.fee_500g_vnd, self.fee_1kg_vnd, self.fee_2kg_vnd, self.fee_5kg_vnd)
        for limit, fee in zip(WEIGHT_BANDS_GRAMS, fees, strict=True):
            if weight_grams <= limit:
                return fee
        extra_kg = math.ceil((weight_grams - WEIGHT_BANDS_GRAMS[-1]) / 1000)
        return self.fee_5kg_vnd + extra_kg * self.extra_kg_vnd

    def cod_fee(self, cod_amount_vnd: int) -> int:
        if cod_amount_vnd <= 0:
            return 0
        share = (cod_amount_vnd * self.cod_fee_basis_points + 5_000) // 10_000  # half up
        return max(self.cod_fee_min_vnd, share)


@dataclass(frozen=True)
class Quote:
    carrier_id: str
    carrier_name: str
    service_level: str
    distance_band: str
    shipping_fee_vnd: int
    cod_fee_vnd: int
    promised_days: int

    @property
    def fee_vnd(self) -> int:
        return self.shipping_fee_vnd + self.cod_fee_vnd

    @property
    def label(self) -> str:
        return f"{self.carrier_id.upper()} {self.service_level}"


def quote(
    rate_card_rows: Iterable[RateCard],
    *,
    distance_km: float,
    weight_grams: int,
    service_level: str,
    cod_amount_vnd: int = 0,
    same_province: bool | None = None,
) -> list[Quote]:
    """Every carrier service able to take the parcel, cheapest first.

    ``same_province`` defaults to "distance is zero".
    """
    errors: dict[str, str] = {}
    if weight_grams <= 0:
        errors["weight_grams"] = "must be a positive number of grams"
    if service_level not in SERVICE_LEVELS:
        errors["service_level"] = f"must be one of {', '.join(SERVICE_LEVELS)}"
    if cod_amount_vnd < 0:
        errors["cod_amount_vnd"] = "must be zero or a positive amount of đồng"
    if distance_km < 0:
        errors["distance_km"] = "must not be negative"
    if errors:
        raise InvalidInput(errors)
    local = distance_km == 0 if same_province is None else same_province
    band = distance_band(distance_km, same_province=local)
    quotes = [
        Quote(
            carrier_id=card.carrier_id,
            carrier_name=card.carrier_name,
            service_level=card.service_level,
            distance_band=card.distance_band,
            shipping_fee_vnd=card.shipping_fee(weight_grams),
            cod_fee_vnd=card.cod_fee(cod_amount_vnd),
            promised_days=card.promised_days,
        )
        for card in rate_card_rows
        if card.distance_band == band
        and card.service_level == service_level
        and weight_grams <= card.max_weight_grams
    ]
    return sorted(quotes, key=lambda q: (q.fee_vnd, q.promised_days, q.carrier_id))


@dataclass(frozen=True)
class LineAmount:
    line_id: str
    quantity: int
    gross_vnd: int  # net + VAT of the whole line


def cod_amount(
    *,
    payment_method: str,
    paid: bool,
    total_vnd: int,
    lines: Sequence[LineAmount],
    parcel_quantities: Mapping[str, int],
) -> int:
    """Cash the carrier collects: the order total when the parcel holds the whole order, the
    gross of its units for a partial parcel, nothing for prepaid or already paid orders."""
    if payment_method != "cod" or paid:
        return 0
    if all(parcel_quantities.get(line.line_id, 0) >= line.quantity for line in lines):
        return total_vnd
    by_id = {line.line_id: line for line in lines}
    return sum(
        by_id[line_id].gross_vnd * units // by_id[line_id].quantity
        for line_id, units in parcel_quantities.items()
        if line_id in by_id
    )


@dataclass(frozen=True)
class ScoreWeights:
    price: float
    days: float
    on_time: float


SCORE_WEIGHTS = ScoreWeights(price=0.5, days=0.35, on_time=0.15)


@dataclass(frozen=True)
class Choice:
    quote: Quote
    score: float
    reason: str
    candidates: int


class NoCarrierAvailable(InvalidInput):
    def __init__(self) -> None:
        super().__init__({"weight_grams": "no carrier service can take this parcel"})


def choose_carrier(
    quotes: Sequence[Quote],
    *,
    promised_by: datetime | None = None,
    on_time_rates: Mapping[str, float] | None = None,
    now: datetime | None = None,
    weights: ScoreWeights = SCORE_WEIGHTS,
) -> Choice:
    """The best quote by the score above, with a reason a person can read."""
    if not quotes:
        raise NoCarrierAvailable()
    pool = list(quotes)
    promise_note = ""
    if promised_by is not None:
        if now is None:
            raise ValueError("choose_carrier needs now= to compare with promised_by")
        allowed_days = max(0, math.ceil((promised_by - now) / timedelta(days=1)))
        in_time = [q for q in pool if q.promised_days <= allowed_days]
        if in_time:
            pool = in_time
            promise_note = f" within promised {_days(allowed_days)}"
        else:
            fastest = min(q.promised_days for q in pool)
            pool = [q for q in pool if q.promised_days == fastest]
            promise_note = f" (none can meet promised {_days(allowed_days)}; fastest chosen)"
    rates = dict(on_time_rates or {})
    known = [rates[q.carrier_id] for q in pool if q.carrier_id in rates]
    default_rate = sum(known) / len(known) if known else 1.0
    cheapest = min(q.fee_vnd for q in pool)
    fastest_days = min(q.promised_days for q in pool)

    def score(q: Quote) -> float:
        return (
            weights.price * max(cheapest, 1) / max(q.fee_vnd, 1)
            + weights.days * max(fastest_days, 1) / max(q.promised_days, 1)
            + weights.on_time * rates.get(q.carrier_id, default_rate)
        )

    ranked = sorted(
        pool, key=lambda q: (-round(score(q), 9), q.fee_vnd, q.promised_days, q.carrier_id)
    )
    best = ranked[0]
    if len(ranked) == 1:
        why = "only carrier service available"
    elif best.fee_vnd == cheapest and best.promised_days == fastest_days:
        why = f"cheapest and fastest of {len(ranked)}"
    elif best.fee_vnd == cheapest:
        why = f"cheapest of {len(ranked)}"
    elif best.promised_days == fastest_days:
        why = f"fastest of {len(ranked)}"
    else:
        why = f"best score of {len(ranked)}"
    reason = f"{best.label}: {why}{promise_note}"
    if len(ranked) > 1:
        runner = ranked[1]
        reason += f"; {best.fee_vnd:,} đ vs {runner.fee_vnd:,} đ"
        if runner.promised_days != best.promised_days:
            reason += f", {best.promised_days} vs {_days(runner.promised_days)}"
    else:
        reason += f"; {best.fee_vnd:,} đ, {_days(best.promised_days)}"
    if best.carrier_id in rates:
        reason += f"; on time {rates[best.carrier_id]:.0%}"
    return Choice(quote=best, score=score(best), reason=reason, candidates=len(ranked))


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
