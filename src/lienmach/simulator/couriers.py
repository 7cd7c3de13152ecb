"""Couriers: each carrier picks up, carries and delivers at its own pace, with its own share of
delays and failed deliveries, and reports every status through its signed callback."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime, timedelta

from lienmach.kernel.errors import DomainError
from lienmach.orders.queries import get_order
from lienmach.shipping.carrier_updates import parse_and_record_callback
from lienmach.shipping.queries import ShipmentView, open_shipments, shipments_for_order
from lienmach.simulator.calendar import carriers_work
from lienmach.simulator.customers import after_delivery
from lienmach.simulator.settings import DEFAULT_PROFILE
from lienmach.simulator.world import VIETNAM, World


class Couriers:
    def __init__(self, world: World) -> None:
        self.world = world
        self.planned: set[str] = set()
        self.per_order: Counter[str] = Counter()

    def collect(self, order_id: str) -> None:
        """Plan the journey of the order's booked shipments not yet planned."""
        for shipment in self.world.runtime.read(shipments_for_order, order_id):
            self._plan(shipment)

    def sweep(self) -> None:
        """Plan any booked shipment missed so far (booked later than its packing)."""
        for shipment in self.world.runtime.read(open_shipments, limit=10_000):
            self._plan(shipment)

    def _plan(self, shipment: ShipmentView) -> None:
        if shipment.id in self.planned or not shipment.tracking_code:
            return
        if shipment.state not in ("booked", "picked_up", "in_transit"):
            return
        self.planned.add(shipment.id)
        self.per_order[shipment.order_id] += 1
        profile = self.world.settings.carriers.get(shipment.carrier_id, DEFAULT_PROFILE)
        luck = self.world.luck(shipment.order_id, f"carrier/{self.per_order[shipment.order_id]}")
        picked = _working(self.world.now() + timedelta(hours=luck.randint(*profile.pickup_hours)))
        transit = luck.randint(*profile.transit_days)
        if shipment.service_level == "express":
            transit = max(1, transit - 1)
        if luck.random() < profile.delay_rate:
            transit += luck.randint(*profile.delay_days)
            self.world.late_orders.add(shipment.order_id)
            self.world.tally["deliveries delayed"] += 1
        out_for_delivery = _working(
            (picked + timedelta(days=transit)).astimezone(VIETNAM).replace(hour=8, minute=30)
        )
        arrive = out_for_delivery + timedelta(hours=luck.uniform(1, 9))
        steps: list[tuple[datetime, str]] = [
            (picked, "picked"),
            (picked + timedelta(hours=luck.uniform(2, 8)), "transporting"),
            (out_for_delivery, "delivering"),
        ]
        if luck.random() < profile.failure_rate:
            back = _working(arrive + timedelta(days=1))
            steps += [
                (arrive, "delivery_fail"),
                (back, "return"),
                (back + timedelta(days=luck.randint(1, 2)), "returned"),
            ]
        else:
            steps.append((arrive, "delivered"))
        for moment, status in steps:
            self.world.agenda.at(moment, functools.partial(self._report, shipment, status))

    def _report(self, shipment: ShipmentView, status: str) -> None:
        assert shipment.tracking_code is not None
        reason = "Khách không nghe máy" if status == "delivery_fail" else ""
        headers, body = self.world.carriers.advance(
            shipment.tracking_code, status, reason=reason, at=self.world.now()
        )
        try:
            self.world.runtime.run(
                parse_and_record_callback,
                carrier_id=shipment.carrier_id,
                headers=headers,
                body=body,
                secret=self.world.carriers.secret,
            )
        except DomainError:
            self.world.tally["carrier updates refused"] += 1
            return
        self.world.tally["carrier updates"] += 1
        if status == "delivery_fail":
            self.world.tally["failed deliveries"] += 1
        if status == "delivered":
            self.world.tally["parcels delivered"] += 1
            customer_id = self._customer_of(shipment.order_id)
            if customer_id:
                after_delivery(self.world, shipment.order_id, customer_id)

    def _customer_of(self, order_id: str) -> str | None:
        order = self.world.runtime.read(get_order, order_id)
        return order.customer_id if order and order.state == "delivered" else None


def _working(moment: datetime) -> datetime:
    """The same time on the next day the carriers work (none during Tết)."""
    while not carriers_work(moment.astimezone(VIETNAM).date()):
        moment += timedelta(days=1)
    return moment
