"""Days of business on a simulated clock, played against the real services.

Each day puts its orders, the warehouse's and support's working hours, the buyer's round and
the couriers' sweep on the agenda; the agenda is then worked through in time order, the clock
set to each item's moment, while the items add what follows (a parcel's carrier statuses, a
customer's survey answer or complaint, a replenishment's arrival). The same seed plays the same
business: same orders, same states, same scores.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lienmach.aftersales.queries import NpsSummary, nps_summary
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.orders.queries import count_by_state
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.couriers import Couriers
from lienmach.simulator.customers import plan_day
from lienmach.simulator.seed import DemoCompany, seed_demo_company
from lienmach.simulator.settings import SimulationSettings
from lienmach.simulator.support import Support
from lienmach.simulator.warehouse import Warehouse, stock_outs
from lienmach.simulator.world import World, local_midnight

OnDay = Callable[[date, int], None]  # (the day done, orders placed so far)


@dataclass(frozen=True)
class SimulationReport:
    tally: dict[str, int]
    order_states: dict[str, int]
    nps: NpsSummary
    company: DemoCompany


def simulate(
    runtime: Runtime,
    carriers: CarrierSandbox,
    settings: SimulationSettings,
    *,
    company: DemoCompany | None = None,
    settle_days: int = 0,
    on_day: OnDay = lambda _day, _orders: None,
) -> SimulationReport:
    """Play ``settings.days`` days of business (then up to ``settle_days`` more without new
    orders, letting the chain finish); the runtime's clock must be a SimulatedClock."""
    clock = runtime.clock
    if not isinstance(clock, SimulatedClock):
        raise TypeError("the simulator needs a runtime on a SimulatedClock")
    first_midnight = local_midnight(settings.start)
    clock.set(first_midnight)
    if company is None:
        company = seed_demo_company(
            runtime,
            rng=random.Random(settings.seed),
            customers=settings.customers,
            stock_per_product=settings.stock_per_product,
        )
    world = World(runtime, clock, company, carriers, settings)
    warehouse, couriers, support = Warehouse(world), Couriers(world), Support(world)
    for index in range(settings.days + settle_days):
        midnight = first_midnight + timedelta(days=index)
        day = midnight.date()
        world.accepting_orders = index < settings.days
        if world.accepting_orders:
            plan_day(world, day, midnight)
        _plan_work(world, warehouse, couriers, support, day, midnight)
        _run_until(world, midnight + timedelta(days=1))
        world.tally["stock-outs seen at midnight"] += stock_outs(world)
        on_day(day, world.tally["orders placed"])
        if not world.accepting_orders and _quiet(world):
            break
    return SimulationReport(
        tally=dict(sorted(world.tally.items())),
        order_states=runtime.read(count_by_state),
        nps=runtime.read(nps_summary),
        company=company,
    )


def _plan_work(
    world: World,
    warehouse: Warehouse,
    couriers: Couriers,
    support: Support,
    day: date,
    midnight: datetime,
) -> None:
    def warehouse_hour() -> None:
        for order_id in warehouse.work_hour():
            couriers.collect(order_id)

    for hour in warehouse.start_day(day):
        world.agenda.at(midnight + timedelta(hours=hour, minutes=5), warehouse_hour)
    for hour in support.start_day():
        world.agenda.at(midnight + timedelta(hours=hour, minutes=30), support.work_hour)
    world.agenda.at(midnight + timedelta(hours=9), lambda: warehouse.buy(day))
    world.agenda.at(midnight + timedelta(hours=23), couriers.sweep)


def _run_until(world: World, end: datetime) -> None:
    while True:
        due = world.agenda.next_time()
        if due is None or due >= end:
            break
        moment, action = world.agenda.pop()
        world.clock.set(max(moment, world.clock.now()))
        action()
    world.clock.set(max(end, world.clock.now()))
    world.runtime.drain()


def _quiet(world: World) -> bool:
    """Nothing left to move: every order closed and nothing on the agenda but routine."""
    states = world.runtime.read(count_by_state)
    open_orders = sum(n for state, n in states.items() if state not in _CLOSED)
    return open_orders == 0


_CLOSED = {"delivered", "cancelled", "returned"}
