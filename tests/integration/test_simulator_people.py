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
from lienmach.simulator.journey import place_random_order
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
