"""Support staff: from 08:00 to 20:00 they resolve tickets, the most urgent first, as many as a
day allows; the rest wait, and some pass their 24-hour target."""

from __future__ import annotations

from collections import Counter

from lienmach.aftersales.queries import list_tickets
from lienmach.aftersales.tickets import resolve_ticket
from lienmach.kernel.errors import DomainError
from lienmach.simulator.customers import maybe_reopen
from lienmach.simulator.world import World

HOURS = range(8, 20)


class Support:
    def __init__(self, world: World) -> None:
        self.world = world
        self.left = 0
        self.hours_left = 0
        self.resolutions: Counter[str] = Counter()  # per order

    def start_day(self) -> range:
        self.left = self.world.settings.tickets_per_day
        self.hours_left = len(HOURS)
        return HOURS

    def work_hour(self) -> None:
        hours, self.hours_left = max(1, self.hours_left), self.hours_left - 1
        budget = -(-self.left // hours)
        if budget <= 0:
            return
        now = self.world.now()
        waiting = [
            ticket
            for state in ("open", "reopened")
            for ticket in self.world.runtime.read(list_tickets, state=state, now=now, limit=budget)
        ]
        for ticket in sorted(waiting, key=lambda t: (t.due_at, t.number))[:budget]:
            try:
                self.world.runtime.run(
                    resolve_ticket,
                    ticket_id=ticket.id,
                    resolution="Đã gọi lại khách và đổi hàng mới",
                )
            except DomainError:
                continue
            self.left -= 1
            self.world.tally["tickets resolved"] += 1
            if now > ticket.due_at:
                self.world.tally["tickets resolved late"] += 1
            if ticket.source == "customer" and ticket.order_id:
                self.resolutions[ticket.order_id] += 1
                maybe_reopen(
                    self.world, ticket.id, ticket.order_id, self.resolutions[ticket.order_id]
                )
