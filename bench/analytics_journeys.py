"""Synthetic but realistic order journeys as event sequences, for the analytics benchmarks.

Each journey is the list of events one order leaves in the log (types and payload fields as the
real contexts publish them): placed, reserved, queued, picked (a wrong scan now and then),
packed, booked, shipped (a failed delivery and a second attempt sometimes), delivered, paid,
surveyed, complained about; some orders are cancelled, some returned. Deterministic per seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from lienmach.customers.geography import PROVINCES

HOUR = 3600
CHANNELS = ("web", "web", "web", "back_office", "api", "marketplace", "marketplace")
CARRIERS = ("GHN", "GHTK", "VTP", "JT")
WAREHOUSES = ("W1", "W2", "W3")
PRODUCTS = tuple(f"P{n:03d}" for n in range(200))
PROVINCE_CODES = tuple(item.code for item in PROVINCES)


@dataclass(frozen=True)
class LoggedEvent:
    id: str
    type: str
    at: int  # epoch seconds
    payload: dict[str, Any]


def journey(rng: random.Random, number: int, placed_at: int) -> list[LoggedEvent]:
    """The events of order ``number`` placed at ``placed_at``, in time order."""
    order_id = f"ord_{number:010d}"
    events: list[LoggedEvent] = []
    now = placed_at

    def add(kind: str, after_seconds: float, **payload: Any) -> None:
        nonlocal now
        now += int(after_seconds)
        event_id = f"{now:011d}{number:010d}{len(events):03d}"
        events.append(LoggedEvent(event_id, kind, now, {"order_id": order_id, **payload}))

    products = sorted({rng.choice(PRODUCTS[: rng.choice((20, 60, 200))]) for _ in range(3)})
    prepaid = rng.random() < 0.45
    total = rng.randrange(150, 3000) * 1000
    add(
        "OrderPlaced",
        0,
        channel=rng.choice(CHANNELS),
        payment_method="online" if prepaid else "cod",
        province_code=rng.choice(PROVINCE_CODES),
        product_ids=products[: rng.choice((1, 1, 1, 2, 3))],
    )
    warehouse = rng.choice(WAREHOUSES)
    add("OrderReserved", rng.uniform(1, 120), warehouse_ids=[warehouse])
    add("InvoiceIssued", rng.uniform(1, 30), invoice_id=f"inv_{number}")
    if prepaid:
        add("OrderPaid", rng.uniform(30, 900), gateway_reference=f"gw_{number}", amount_vnd=total)
    if rng.random() < 0.04:
        add("OrderCancelled", rng.uniform(0.5, 6) * HOUR)
        return events
    task = f"pt_{number}"
    add("OrderFulfilmentStarted", rng.uniform(1, 60))
    add("PickTaskQueued", rng.uniform(1, 60), pick_task_id=task, warehouse_id=warehouse)
    add("PickTaskPicked", rng.expovariate(1 / (3 * HOUR)), pick_task_id=task)
    if rng.random() < 0.01:
        add("ScanRejected", rng.uniform(10, 300), pick_task_id=task)
    add("ParcelPacked", rng.uniform(120, 1800), parcel_id=f"pc_{number}", weight_grams=800)
    carrier = rng.choice(CARRIERS)
    add("CarrierChosen", rng.uniform(1, 20), carrier_id=carrier)
    attempts = 2 if rng.random() < 0.03 else 1
    for attempt in range(attempts):
        shipment = f"sh_{number}_{attempt}"
        add(
            "ShipmentBooked",
            rng.uniform(5, 600),
            shipment_id=shipment,
            carrier_id=carrier,
            fee_vnd=rng.randrange(18, 46) * 1000,
        )
        add("OrderShipped", rng.expovariate(1 / (5 * HOUR)), shipment_id=shipment)
        if attempt + 1 < attempts:
            add("ShipmentFailed", rng.uniform(12, 48) * HOUR, shipment_id=shipment)
    add(
        "ShipmentDelivered",
        rng.uniform(10, 60) * HOUR,
        shipment_id=shipment,
        cod_amount_vnd=0 if prepaid else total,
    )
    add("OrderDelivered", rng.uniform(1, 60))
    if rng.random() < 0.01:
        add("OrderReturned", rng.uniform(24, 240) * HOUR, complete=True)
        return events
    add("SurveySent", rng.uniform(60, 3600), survey_id=f"sv_{number}")
    if rng.random() < 0.4:
        score = rng.choice((10, 10, 10, 9, 9, 9, 8, 7, 6, 3))
        category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        add(
            "SurveyAnswered",
            rng.uniform(1, 48) * HOUR,
            survey_id=f"sv_{number}",
            score=score,
            category=category,
        )
    if rng.random() < 0.03:
        ticket = f"tk_{number}"
        add("TicketOpened", rng.uniform(1, 72) * HOUR, ticket_id=ticket, stage="delivery")
        took = rng.expovariate(1 / (14 * HOUR))
        add("TicketResolved", took, ticket_id=ticket, breached_sla=took > 24 * HOUR)
        if rng.random() < 0.15:
            add("TicketReopened", rng.uniform(1, 48) * HOUR, ticket_id=ticket)
            add("TicketResolved", rng.uniform(1, 24) * HOUR, ticket_id=ticket)
    return events
