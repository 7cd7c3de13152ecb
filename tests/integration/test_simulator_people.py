"""The simulated people commit their steps in groups (ADR 0012) and still count what they did
exactly as the event log records it: a wrong scan refused, a failed delivery returned."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.orders.model import FINAL
from lienmach.orders.tables import orders
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.journey import place_random_order, place_random_orders
from lienmach.simulator.people import Behaviour, People
from lienmach.simulator.seed import DemoCompany
from tests.factories import seed_company

pytestmark = pytest.mark.integration


def _logged(runtime: Runtime, kind: str) -> int:
    with runtime.engine.connect() as connection:
        found = connection.execute(
            select(func.count()).select_from(event_log).where(event_log.c.type == kind)
        )
        return int(found.scalar_one())


def test_people_in_groups_count_what_the_log_records(
    runtime: Runtime, carrier_sandbox: CarrierSandbox
) -> None:
    company = seed_company(runtime)
    demo = DemoCompany(
        products=list(company.products.values()), customers=list(company.customers.values())
    )
    rng = random.Random(5)
    unhappy = Behaviour(wrong_scan_rate=0.5, failed_delivery_rate=0.3, survey_answer_rate=1.0)
    people = People(runtime, rng=rng, carriers=carrier_sandbox, behaviour=unhappy)
    placed = [place_random_order(runtime, demo, rng, pay_rate=1.0) for _ in range(12)]

    for _ in range(20):
        if not people.work_round(limit=50):
            break

    with runtime.engine.connect() as connection:
        states = connection.execute(select(orders.c.state).where(orders.c.id.in_(placed))).all()
    assert {state for (state,) in states} <= {state.value for state in FINAL}
    assert people.tally.picks == _logged(runtime, "PickTaskPicked") > 0
    assert people.tally.wrong_scans == _logged(runtime, "ScanRejected") > 0
    assert people.tally.parcels == _logged(runtime, "ParcelPacked")
    assert people.tally.survey_answers == _logged(runtime, "SurveyAnswered") > 0
    assert _logged(runtime, "OrderReturned") > 0  # some deliveries failed and came back


def test_customers_ordering_together_are_placed_and_paid_like_one_by_one(
    runtime: Runtime,
) -> None:
    company = seed_company(runtime)
    demo = DemoCompany(
        products=list(company.products.values()), customers=list(company.customers.values())
    )
    alone = place_random_order(runtime, demo, random.Random(9), pay_rate=1.0)
    together = place_random_orders(runtime, demo, random.Random(9), 1, pay_rate=1.0)
    together += place_random_orders(runtime, demo, random.Random(20), 15, pay_rate=1.0)

    assert len(set(together)) == 16
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(orders.c.id, orders.c.customer_id, orders.c.total_vnd, orders.c.state)
        ).all()
    by_id = {row.id: row for row in rows}
    # The same draws give the same order whether placed alone or in a group.
    assert (by_id[alone].customer_id, by_id[alone].total_vnd) == (
        by_id[together[0]].customer_id,
        by_id[together[0]].total_vnd,
    )
    assert all(by_id[order_id].state != "placed" for order_id in together)  # all moved on
    prepaid = _logged(runtime, "OrderPaid")
    assert prepaid >= 1 and prepaid == _prepaid_among(runtime, [alone, *together])


def _prepaid_among(runtime: Runtime, order_ids: list[str]) -> int:
    with runtime.engine.connect() as connection:
        found = connection.execute(
            select(func.count())
            .select_from(orders)
            .where(orders.c.id.in_(order_ids), orders.c.payment_method == "prepaid")
        )
        return int(found.scalar_one())
