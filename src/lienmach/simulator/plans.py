"""Ready-made simulation plans: the demo's month."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from lienmach.simulator.calendar import demand_factor
from lienmach.simulator.settings import SimulationSettings
from lienmach.simulator.world import local_midnight

DEMO_DAYS = 30


def month_ending(
    now: datetime,
    *,
    orders: int,
    customers: int,
    seed: int,
    settle_days: int,
    days: int = DEMO_DAYS,
) -> SimulationSettings:
    """``days`` of business ending ``settle_days`` before ``now``, with enough demand that at
    least ``orders`` orders are placed (the days' noise averages out over a month)."""
    start = local_midnight(now) - timedelta(days=days + settle_days)
    expected = sum(demand_factor((start + timedelta(days=i)).date()) for i in range(days))
    return SimulationSettings(
        days=days,
        orders_per_day=max(1, math.ceil(orders * 1.06 / expected)),
        seed=seed,
        start=start,
        customers=customers,
    )
