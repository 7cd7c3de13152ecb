"""The simulation's shared state: the agenda of things due, per-order luck, and the tally.

Determinism: every chance about an order is drawn from a generator keyed by the seed, the
order's place in the run and what is being decided, never from a shared stream; so the order in
which the database lists things (ids are random) cannot change what happens.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.seed import DemoCompany
from lienmach.simulator.settings import SimulationSettings

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
Action = Callable[[], None]


class Agenda:
    """Things due at a moment, done in time order (ties in the order they were planned)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Action]] = []
        self._sequence = itertools.count()

    def at(self, moment: datetime, action: Action) -> None:
        heapq.heappush(self._heap, (moment, next(self._sequence), action))

    def next_time(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def pop(self) -> tuple[datetime, Action]:
        moment, _sequence, action = heapq.heappop(self._heap)
        return moment, action

    def __len__(self) -> int:
        return len(self._heap)


@dataclass
class World:
    runtime: Runtime
    clock: SimulatedClock
    company: DemoCompany
    carriers: CarrierSandbox
    settings: SimulationSettings
    agenda: Agenda = field(default_factory=Agenda)
    tally: Counter[str] = field(default_factory=Counter)
    order_index: dict[str, int] = field(default_factory=dict)
    late_orders: set[str] = field(default_factory=set)
    accepting_orders: bool = True

    def luck(self, order_id: str, purpose: str) -> random.Random:
        """The generator for one decision about one order."""
        index = self.order_index.get(order_id, -1)
        return random.Random(f"{self.settings.seed}/{index}/{purpose}")

    def chance(self, key: str) -> random.Random:
        """The generator for one decision not about an order (e.g. a day's demand)."""
        return random.Random(f"{self.settings.seed}/{key}")

    def now(self) -> datetime:
        return self.clock.now()

    def later(self, hours: float, action: Action) -> None:
        self.agenda.at(self.now() + timedelta(hours=hours), action)


def local_midnight(moment: datetime) -> datetime:
    local = moment.astimezone(VIETNAM)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
