"""Maintained analytics state for many orders, built the way the real upkeep builds it.

``templates`` synthetic journeys (bench/analytics_journeys.py) are folded with the real fold
(``folding.fold``, the payload enriched as ``services`` enriches it) and traced with the real
process-map contribution. Each template then stands for ``orders / templates`` orders placed on
a few other days at the same time of day: an order's facts are the template's with every time
moved by whole days, so its contribution to the day sums is the template's moved by the same
days (Ho Chi Minh City has no daylight saving), and its trace adds the same counts to the map.
The result is exactly what upkeep would leave after folding those orders' events.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from analytics_journeys import LoggedEvent, journey
from lienmach.analytics import folding, model
from lienmach.analytics.process_map import Contribution, Step, contribution_of
from lienmach.analytics.process_map_journey import JOURNEY_ACTIVITIES
from lienmach.analytics.services import _enriched

DAY = 86_400
FIRST_DAY = date(2026, 1, 1)
DAYS = 365
DAYS_PER_TEMPLATE = 5
FIRST_EPOCH = int(datetime(2025, 12, 31, 17, tzinfo=UTC).timestamp())  # 2026-01-01 00:00 +07


def template_journeys(templates: int, seed: int = 7) -> list[list[LoggedEvent]]:
    rng = random.Random(seed)
    return [journey(rng, n, FIRST_EPOCH + rng.randrange(DAY)) for n in range(templates)]


def folded(events: list[LoggedEvent]) -> model.Facts:
    """The facts upkeep keeps for the order of these events (the real fold)."""
    facts = folding.empty_facts()
    for event in events:
        facts = folding.fold(
            facts, event.type, _enriched(event.type, event.payload), event.id, event.at
        )
    return facts


def trace(events: list[LoggedEvent]) -> list[Step]:
    return [
        Step(event.id, event.type, event.at * 1_000_000)
        for event in events
        if event.type in JOURNEY_ACTIVITIES
    ]


def moved(facts: model.Facts, seconds: int) -> model.Facts:
    """The same facts with every time ``seconds`` later."""
    new = dict(facts)
    new["t"] = {name: at + seconds for name, at in facts.get("t", {}).items()}
    for name in ("errors", "surveys"):
        if name in facts:
            new[name] = {key: [at + seconds, what] for key, (at, what) in facts[name].items()}
    if "tickets" in facts:
        new["tickets"] = {
            ticket: {key: [at + seconds, kind] for key, (at, kind) in events.items()}
            for ticket, events in facts["tickets"].items()
        }
    return new


class State:
    """Day sums, per-object facts and process-map counts for ``orders`` orders."""

    def __init__(self, orders: int, templates: int) -> None:
        self.orders, self.templates = orders, templates
        self.journeys = template_journeys(templates)
        self.facts = [folded(events) for events in self.journeys]
        rng = random.Random(11)
        per_template = orders // templates
        self.days = [
            sorted(rng.randrange(DAYS) for _ in range(DAYS_PER_TEMPLATE)) for _ in self.facts
        ]
        self.copies = [
            [
                per_template // DAYS_PER_TEMPLATE
                + (1 if j < per_template % DAYS_PER_TEMPLATE else 0)
                for j in range(DAYS_PER_TEMPLATE)
            ]
            for _ in self.facts
        ]
        self.events = sum(len(events) * per_template for events in self.journeys)

    def day_sums(self) -> Counter[model.SumKey]:
        sums: Counter[model.SumKey] = Counter()
        moved_day: dict[tuple[str, int], str] = {}
        for facts, days, copies in zip(self.facts, self.days, self.copies, strict=True):
            contribution = model.contribution(facts)
            for shift, count in zip(days, copies, strict=True):
                for (dimension, value, day, metric), amount in contribution.items():
                    key = (day, shift)
                    if key not in moved_day:
                        moved_day[key] = (
                            date.fromisoformat(day) + timedelta(days=shift)
                        ).isoformat()
                    sums[(dimension, value, moved_day[key], metric)] += amount * count
        return sums

    def fact_rows(self) -> Iterator[dict[str, Any]]:
        """The facts row of every order."""
        number = 0
        for facts, days, copies in zip(self.facts, self.days, self.copies, strict=True):
            for shift, count in zip(days, copies, strict=True):
                shifted = moved(facts, shift * DAY)
                for _ in range(count):
                    yield {
                        "object_type": "order",
                        "object_id": f"ord_{number:010d}",
                        "facts": shifted,
                    }
                    number += 1

    def map_counts(self) -> Contribution:
        total = Contribution()
        for events, copies in zip(self.journeys, self.copies, strict=True):
            total.add(contribution_of(trace(events)), sign=sum(copies))
        return total.nonzero()
