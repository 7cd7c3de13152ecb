"""Customers: they order (through every channel, from every province, sometimes mistyped),
pay or forget to, cancel, answer surveys, complain, and reopen complaints not really solved."""

from __future__ import annotations

import contextlib
import functools
from datetime import date, datetime, timedelta
from typing import Any

from lienmach.aftersales.queries import survey_for_order
from lienmach.aftersales.surveys import answer_survey
from lienmach.aftersales.tickets import open_ticket, reopen_ticket
from lienmach.customers.geography import PROVINCES
from lienmach.customers.queries import get_customer
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.orders.placing import place_order
from lienmach.orders.services import cancel_order, record_payment
from lienmach.shipping.checkout import quote_for_draft
from lienmach.simulator.calendar import demand_factor
from lienmach.simulator.world import World

CHANNELS = ("web", "marketplace", "back_office", "api", "csv")
CHANNEL_WEIGHTS = (45, 32, 10, 9, 4)
# When people order, by hour of the day (Việt Nam time): lunch and the evening.
HOUR_WEIGHTS = (1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 6, 8, 7, 5, 5, 5, 6, 7, 9, 11, 12, 9, 4)
BIG_CITIES = {"01", "79", "48", "31", "92"}  # Hà Nội, TP.HCM, Đà Nẵng, Hải Phòng, Cần Thơ


def plan_day(world: World, day: date, midnight: datetime) -> int:
    """Put the day's orders on the agenda; returns how many."""
    rng = world.chance(f"demand/{day.isoformat()}")
    count = round(world.settings.orders_per_day * demand_factor(day) * rng.uniform(0.85, 1.15))
    minutes = sorted(
        rng.choices(range(24), weights=HOUR_WEIGHTS)[0] * 60 + rng.randrange(60)
        for _ in range(count)
    )
    for number, minute in enumerate(minutes):
        key = f"order/{day.isoformat()}/{number}"
        world.agenda.at(midnight + timedelta(minutes=minute), functools.partial(place, world, key))
    return count


def _customer_weights(world: World) -> list[int]:
    return [
        3 if PROVINCES[index % len(PROVINCES)].code in BIG_CITIES else 1
        for index in range(len(world.company.customers))
    ]


def place(world: World, key: str) -> None:
    """One customer's order; a mistyped first attempt is refused and typed again."""
    if not world.accepting_orders:
        return
    rng = world.chance(key)
    rates = world.settings.rates
    customer_id = rng.choices(world.company.customers, weights=_customer_weights(world))[0]
    products = rng.sample(world.company.products, rng.choice((1, 1, 1, 2, 2, 3)))
    lines = [{"product_id": p, "quantity": rng.choice((1, 1, 1, 2, 3))} for p in products]
    prepaid = rng.random() < rates.prepaid
    service_level = "express" if rng.random() < rates.express else "standard"
    customer = world.runtime.read(get_customer, customer_id)
    quote = world.runtime.read(
        quote_for_draft,
        destination_province_code=customer.province_code if customer else "01",
        lines=lines,
        service_level=service_level,
    )
    order: dict[str, Any] = {
        "customer_id": customer_id,
        "channel": rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
        "payment_method": "prepaid" if prepaid else "cod",
        "service_level": service_level,
        "shipping_fee_vnd": quote.fee_vnd if quote else 30_000,
    }
    if rng.random() < rates.data_entry_error:
        mistyped = [dict(lines[0], quantity=rng.choice((0, -1, 1000000))), *lines[1:]]
        try:
            world.runtime.run(place_order, lines=mistyped, **order)
        except InvalidInput:
            world.tally["data entry errors refused"] += 1
    placed = world.runtime.run(place_order, lines=lines, **order)
    world.order_index[placed.order_id] = len(world.order_index)
    world.tally["orders placed"] += 1
    luck = world.luck(placed.order_id, "customer")
    if prepaid and luck.random() >= rates.prepaid_never_paid:
        world.later(luck.uniform(0.02, 2), lambda: _pay(world, placed.order_id, placed.total_vnd))
    if luck.random() < rates.cancel:
        world.later(luck.uniform(0.2, 8), lambda: _cancel(world, placed.order_id))


def _pay(world: World, order_id: str, amount_vnd: int) -> None:
    reference = f"VNP{world.luck(order_id, 'payment').randrange(10**9, 10**10)}"
    with contextlib.suppress(DomainError):  # cancelled meanwhile: the money goes back
        world.runtime.run(
            record_payment,
            order_id=order_id,
            amount_vnd=amount_vnd,
            gateway="vnpay-sandbox",
            gateway_reference=reference,
        )
        world.tally["payments"] += 1


def _cancel(world: World, order_id: str) -> None:
    try:
        world.runtime.run(cancel_order, order_id=order_id, reason="Khách đổi ý")
        world.tally["orders cancelled by customers"] += 1
    except DomainError:
        world.tally["cancellations refused (already shipped)"] += 1


def after_delivery(world: World, order_id: str, customer_id: str) -> None:
    """The delivered customer may answer the survey and may complain."""
    rates = world.settings.rates
    luck = world.luck(order_id, "after-sales")
    late = order_id in world.late_orders
    if luck.random() < rates.survey_answer:
        roll = luck.random()
        detractor = rates.detractor_when_late if late else rates.detractor
        if roll < detractor:
            score = luck.randint(0, 6)
        elif roll < detractor + rates.passive:
            score = luck.randint(7, 8)
        else:
            score = luck.randint(9, 10)
        world.later(luck.uniform(0.5, 48), lambda: _answer(world, order_id, score))
    if luck.random() < (rates.complaint_when_late if late else rates.complaint):
        stage = "delivery" if late or luck.random() < 0.5 else "packing"
        world.later(
            luck.uniform(1, 36), lambda: _complain(world, order_id, customer_id, stage, late)
        )


def _answer(world: World, order_id: str, score: int) -> None:
    survey = world.runtime.read(survey_for_order, order_id)
    if survey is None or survey.answered_at is not None:
        return
    comment = "Giao hàng chậm, hộp bị móp" if score <= 6 else ("" if score <= 8 else "Rất hài lòng")
    world.runtime.run(answer_survey, token=survey.token, score=score, comment=comment)
    world.tally["survey answers"] += 1
    world.tally["detractors" if score <= 6 else "passives" if score <= 8 else "promoters"] += 1


def _complain(world: World, order_id: str, customer_id: str, stage: str, late: bool) -> None:
    subject = "Đơn hàng giao trễ" if late else "Sản phẩm không đúng mô tả"
    world.runtime.run(
        open_ticket,
        customer_id=customer_id,
        subject=subject,
        body="Tôi muốn được hỗ trợ đổi hàng hoặc hoàn tiền.",
        order_id=order_id,
        stage=stage,
    )
    world.tally["complaints opened"] += 1


def maybe_reopen(world: World, ticket_id: str, order_id: str | None, resolution: int) -> None:
    """Some customers find the problem was not solved and reopen the ticket (``resolution``
    counts the resolutions of the order's tickets so far, so each draws its own chance)."""
    if order_id is None:
        return
    luck = world.luck(order_id, f"reopen/{resolution}")
    if luck.random() >= world.settings.rates.reopen:
        return

    def reopen() -> None:
        with contextlib.suppress(DomainError):
            world.runtime.run(
                reopen_ticket, ticket_id=ticket_id, reason="Hàng đổi vẫn bị lỗi như cũ"
            )
            world.tally["tickets reopened"] += 1

    world.later(luck.uniform(6, 40), reopen)
