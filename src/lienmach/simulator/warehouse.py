"""The warehouse: pickers and packers with a day's capacity (what they cannot do waits for the
next working day), packers who sometimes scan the wrong item first, and a buyer whose
replenishments arrive days later, so products run out meanwhile."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from datetime import date

from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.fulfilment.queries import PickLineView, pick_queue
from lienmach.inventory.queries import stock_levels_for
from lienmach.inventory.services import receive_stock
from lienmach.kernel.errors import DomainError
from lienmach.simulator.calendar import warehouse_hours
from lienmach.simulator.world import World

WRONG_CODE = "8930000000000"  # a product the shop does not sell


class Warehouse:
    def __init__(self, world: World) -> None:
        self.world = world
        self.picks_left = 0
        self.packs_left = 0
        self.hours_left = 0
        self.on_order: set[tuple[str, str]] = set()  # (warehouse, product) awaiting delivery
        self.packings: Counter[str] = Counter()  # parcels packed per order so far

    def start_day(self, day: date) -> range:
        """The day's capacity; returns the working hours (Việt Nam time)."""
        hours = warehouse_hours(day)
        share = len(hours) / 9 if hours else 0.0
        self.picks_left = round(self.world.settings.daily_picks * share)
        self.packs_left = round(self.world.settings.daily_packs * share)
        self.hours_left = len(hours)
        return hours

    def work_hour(self) -> list[str]:
        """An hour of picking and packing; returns the orders whose parcels were closed."""
        hours, self.hours_left = max(1, self.hours_left), self.hours_left - 1
        pick_budget = -(-self.picks_left // hours)
        pack_budget = -(-self.packs_left // hours)
        runtime = self.world.runtime
        for task in runtime.read(pick_queue, states=("queued",), limit=pick_budget):
            try:
                runtime.run(confirm_pick, pick_task_id=task.id, picker="picker-1")
            except DomainError:  # cancelled meanwhile
                continue
            self.picks_left -= 1
            self.world.tally["tasks picked"] += 1
        packed = []
        for task in runtime.read(pick_queue, states=("picked",), limit=pack_budget):
            try:
                self._pack(task.id, task.order_id, task.lines, task.expected_weight_grams)
            except DomainError:
                continue
            self.packs_left -= 1
            packed.append(task.order_id)
        return packed

    def _pack(
        self, task_id: str, order_id: str, lines: Sequence[PickLineView], weight: int
    ) -> None:
        runtime = self.world.runtime
        self.packings[order_id] += 1
        luck = self.world.luck(order_id, f"packing/{self.packings[order_id]}")
        if luck.random() < self.world.settings.rates.wrong_scan:
            outcome = runtime.run(scan_unit, pick_task_id=task_id, code=WRONG_CODE)
            if not outcome.accepted:
                self.world.tally["wrong scans refused"] += 1
        for line in lines:
            for _ in range(line.remaining):
                runtime.run(scan_unit, pick_task_id=task_id, code=line.barcode)
        runtime.run(
            close_parcel,
            pick_task_id=task_id,
            weight_grams=weight + 150,
            packer="packer-1",
        )
        self.world.tally["parcels packed"] += 1

    def buy(self, day: date) -> None:
        """The buyer reorders what runs low; it arrives after the supplier's lead time."""
        settings = self.world.settings
        product_number = {p: n for n, p in enumerate(self.world.company.products)}
        warehouse_code = {w: code for code, w in self.world.company.warehouses.items()}
        for level in self.world.runtime.read(stock_levels_for):
            key = (level.warehouse_id, level.product_id)
            if level.available >= settings.reorder_below or key in self.on_order:
                continue
            self.on_order.add(key)
            name = (
                f"{warehouse_code.get(level.warehouse_id)}/{product_number.get(level.product_id)}"
            )
            lead = self.world.chance(f"lead/{day.isoformat()}/{name}").randint(
                *settings.lead_time_days
            )
            self.world.tally["replenishments ordered"] += 1
            self.world.later(24 * lead + 1, functools.partial(self._receive, key))

    def _receive(self, key: tuple[str, str]) -> None:
        warehouse_id, product_id = key
        self.world.runtime.run(
            receive_stock,
            warehouse_id=warehouse_id,
            product_id=product_id,
            quantity=self.world.settings.reorder_quantity,
            unit_cost_vnd=0,
        )
        self.on_order.discard(key)
        self.world.tally["replenishments received"] += 1


def stock_outs(world: World) -> int:
    """Product/warehouse pairs with nothing free right now."""
    return sum(1 for level in world.runtime.read(stock_levels_for) if level.available <= 0)
