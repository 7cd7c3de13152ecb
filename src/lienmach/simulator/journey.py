"""Orders through the whole journey: customers order, people work, stock is replenished."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from lienmach.customers.queries import get_customer
from lienmach.inventory.queries import stock_levels_for
from lienmach.inventory.services import lock_stock_of, receive_stock
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import DomainError
from lienmach.kernel.group_commit import Unit, step
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import PlacedOrder, place_order
from lienmach.orders.services import cancel_order, record_payment
from lienmach.shipping.checkout import quote_for_draft
from lienmach.simulator.people import People
from lienmach.simulator.seed import DemoCompany

CHANNELS = ["web", "web", "web", "marketplace", "back_office", "api"]


@dataclass(frozen=True)
class _Draft:
    """What one simulated customer is about to order."""

    customer_id: str
    lines: list[dict[str, Any]]
    service_level: str
    payment_method: str
    channel: str
    pays_at_once: bool
    gateway_reference: str


def _draft(company: DemoCompany, rng: random.Random, pay_rate: float) -> _Draft:
    customer_id = rng.choice(company.customers)
    products = rng.sample(company.products, rng.randint(1, 3))
    lines = [
        {"product_id": product_id, "quantity": rng.choice([1, 1, 1, 2, 3])}
        for product_id in products
    ]
    service_level = "express" if rng.random() < 0.15 else "standard"
    payment_method = "prepaid" if rng.random() < 0.2 else "cod"
    channel = rng.choice(CHANNELS)
    pays = payment_method == "prepaid" and rng.random() < pay_rate
    reference = f"VNP{rng.randint(10**9, 10**10 - 1)}" if pays else ""
    return _Draft(customer_id, lines, service_level, payment_method, channel, pays, reference)


def _shipping_fees(connection: Connection, drafts: Sequence[_Draft]) -> list[int]:
    """The fee each customer is quoted at checkout (a flat fee when nothing is quoted)."""
    fees = []
    for draft in drafts:
        customer = get_customer(connection, draft.customer_id)
        assert customer is not None
        quote = quote_for_draft(
            connection,
            destination_province_code=customer.province_code,
            lines=draft.lines,
            service_level=draft.service_level,
        )
        fees.append(quote.fee_vnd if quote else 30_000)
    return fees


def place_random_order(
    runtime: Runtime, company: DemoCompany, rng: random.Random, *, pay_rate: float = 0.9
) -> str:
    """One customer's order: 1–3 products, COD mostly, sometimes express; ``pay_rate`` of the
    prepaid ones are paid at once (the others wait for payment)."""
    draft = _draft(company, rng, pay_rate)
    (fee,) = runtime.read(_shipping_fees, [draft])
    placed = runtime.run(place_order, **_order_of(draft, fee))
    if draft.pays_at_once:
        runtime.run(record_payment, **_payment_of(draft, placed))
    return placed.order_id


def place_random_orders(
    runtime: Runtime, company: DemoCompany, rng: random.Random, count: int, *, pay_rate: float
) -> list[str]:
    """``count`` customers ordering at the same moment, as many API requests arriving together
    would: their orders share one commit (each in a savepoint of its own, see
    kernel.group_commit), then those who pay at once do, together. The group first takes the
    stock rows it will reserve, in order (no deadlock with a worker issuing stock)."""
    drafts = [_draft(company, rng, pay_rate) for _ in range(count)]
    fees = runtime.read(_shipping_fees, drafts)
    products = [line["product_id"] for draft in drafts for line in draft.lines]
    placing: list[Unit[Any]] = [
        Unit(step(lock_stock_of, product_ids=products)),
        *(
            Unit(step(place_order, **_order_of(draft, fee)))
            for draft, fee in zip(drafts, fees, strict=True)
        ),
    ]
    locked, *orders = runtime.run_together(placing)
    locked.result()
    placed = [outcome.result() for outcome in orders]
    paying = [
        Unit(step(record_payment, **_payment_of(draft, order)))
        for draft, order in zip(drafts, placed, strict=True)
        if draft.pays_at_once
    ]
    for outcome in runtime.run_together(paying):
        outcome.result()
    return [order.order_id for order in placed]


def _order_of(draft: _Draft, fee: int) -> dict[str, Any]:
    return {
        "customer_id": draft.customer_id,
        "lines": draft.lines,
        "channel": draft.channel,
        "payment_method": draft.payment_method,
        "service_level": draft.service_level,
        "shipping_fee_vnd": fee,
    }


def _payment_of(draft: _Draft, placed: PlacedOrder) -> dict[str, Any]:
    return {
        "order_id": placed.order_id,
        "amount_vnd": placed.total_vnd,
        "gateway": "vnpay-sandbox",
        "gateway_reference": draft.gateway_reference,
    }


def replenish(runtime: Runtime, company: DemoCompany, *, below: int = 5, quantity: int = 30) -> int:
    """The buyer refills every product/warehouse whose free stock fell below ``below``."""
    received = 0
    for level in runtime.read(stock_levels_for):
        if level.available < below:
            runtime.run(
                receive_stock,
                warehouse_id=level.warehouse_id,
                product_id=level.product_id,
                quantity=quantity,
                unit_cost_vnd=0,
            )
            received += 1
    return received


def run_orders(
    runtime: Runtime,
    company: DemoCompany,
    people: People,
    *,
    orders: int,
    rng: random.Random,
    clock: SimulatedClock | None,
    cancel_rate: float = 0.04,
    on_order: Callable[[], None] = lambda: None,
) -> list[str]:
    """Place ``orders`` orders with the people working between them; returns the order ids."""
    placed: list[str] = []
    for index in range(orders):
        if clock is not None:
            clock.advance(timedelta(minutes=rng.randint(5, 40)))
        order_id = place_random_order(runtime, company, rng)
        placed.append(order_id)
        if rng.random() < cancel_rate:
            with contextlib.suppress(DomainError):
                runtime.run(cancel_order, order_id=order_id, reason="Khách đổi ý")
        if index % 5 == 4:
            people.work_round()
        if index % 50 == 49:
            replenish(runtime, company)
        on_order()
    return placed


def settle(
    runtime: Runtime,
    company: DemoCompany,
    people: People,
    *,
    clock: SimulatedClock | None,
    rounds: int = 40,
) -> None:
    """Let the chain finish: people keep working until nothing moves."""
    for _ in range(rounds):
        if clock is not None:
            clock.advance(timedelta(hours=2))
        runtime.drain()
        if people.work_round() == 0 and replenish(runtime, company) == 0:
            runtime.drain()
            if people.work_round() == 0:
                return
