"""What a simulation run is asked to play: its length, demand, capacities and how often things
go wrong; each carrier's own record of delays and failed deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CarrierProfile:
    """How a carrier really performs (the simulator's truth, which the KPIs must find)."""

    pickup_hours: tuple[int, int]  # after booking
    transit_days: tuple[int, int]
    delay_rate: float  # of parcels that lose extra days on the way
    delay_days: tuple[int, int]
    failure_rate: float  # of parcels that cannot be delivered and go back


CARRIER_PROFILES = {
    "ghn": CarrierProfile((2, 10), (1, 2), 0.08, (1, 2), 0.03),
    "ghtk": CarrierProfile((3, 20), (1, 3), 0.15, (1, 3), 0.05),
    "vtp": CarrierProfile((4, 24), (2, 4), 0.22, (1, 4), 0.08),
}
DEFAULT_PROFILE = CarrierProfile((4, 24), (2, 4), 0.15, (1, 3), 0.05)


@dataclass(frozen=True)
class Rates:
    """Per-order (or per-action) chances of what people do and get wrong."""

    data_entry_error: float = 0.03  # an order typed with a mistake, refused, typed again
    wrong_scan: float = 0.05  # a packer scans the wrong item first
    cancel: float = 0.03  # the customer cancels before the parcel ships
    prepaid: float = 0.2
    prepaid_never_paid: float = 0.1  # of prepaid orders: the deadline cancels them
    express: float = 0.15
    survey_answer: float = 0.8
    detractor: float = 0.07
    detractor_when_late: float = 0.35
    passive: float = 0.15
    complaint: float = 0.03  # a delivered order's customer opens a ticket
    complaint_when_late: float = 0.12
    reopen: float = 0.2  # a resolved complaint the customer reopens


@dataclass(frozen=True)
class SimulationSettings:
    days: int
    orders_per_day: int
    seed: int
    start: datetime  # midnight, Việt Nam time, of the first day
    customers: int = 220
    stock_per_product: int = 40  # units per warehouse at the start (between half and all)
    #: Parcels a day the pickers (and the packers) manage; by default 1.15 x an ordinary day.
    picks_per_day: int | None = None
    packs_per_day: int | None = None
    tickets_per_day: int = 12  # support staff, 08:00–20:00
    reorder_below: int = 5
    reorder_quantity: int = 40
    lead_time_days: tuple[int, int] = (2, 4)
    rates: Rates = field(default_factory=Rates)
    carriers: dict[str, CarrierProfile] = field(default_factory=lambda: dict(CARRIER_PROFILES))

    @property
    def daily_picks(self) -> int:
        return self.picks_per_day or max(5, round(self.orders_per_day * 1.15))

    @property
    def daily_packs(self) -> int:
        return self.packs_per_day or max(5, round(self.orders_per_day * 1.15))
