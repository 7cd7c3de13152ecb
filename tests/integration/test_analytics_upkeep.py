"""Analytics kept up to date by the journey itself: real orders placed, packed (one scan
refused), carried, delivered, cancelled, surveyed and complained about give the expected KPIs;
upkeep equals a recompute from the log; the log refuses change; alerts are raised once per
breach, tell the owner, open a corrective ticket, and close when the KPI is back on target."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from lienmach.aftersales.queries import survey_for_order, tickets_for_order
from lienmach.aftersales.surveys import answer_survey
from lienmach.aftersales.tables import tickets
from lienmach.aftersales.tickets import reopen_ticket, resolve_ticket
from lienmach.analytics import queries
from lienmach.analytics.queries import Window
from lienmach.analytics.services import recompute, set_cost_rate, set_target
from lienmach.customers.services import register_customer
from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, event_objects, jobs
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.orders.services import cancel_order
from tests.analytics_state import derived_state
from tests.conftest import START
from tests.factories import seed_company
from tests.steps import DELIVERED, courier_reports, pick_and_pack

pytestmark = pytest.mark.integration
WEEK = Window(START.date() - timedelta(days=1), START.date() + timedelta(days=6))


def _journey(runtime: Runtime, clock: SimulatedClock, carrier_sandbox) -> dict[str, str]:  # type: ignore[no-untyped-def]
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    shirt, cooker = company.products["AO-001"], company.products["NOI-002"]
    lan, minh = company.customers["Lan"], company.customers["Minh"]
    first = runtime.run(place_order, customer_id=lan, lines=[{"product_id": shirt, "quantity": 1}])
    second = runtime.run(
        place_order, customer_id=minh, lines=[{"product_id": cooker, "quantity": 1}]
    )
    third = runtime.run(place_order, customer_id=lan, lines=[{"product_id": shirt, "quantity": 2}])
    clock.advance(timedelta(hours=1))
    runtime.run(cancel_order, order_id=third.order_id, reason="khách đổi ý")
    # The packer scans a wrong code once on the first order: refused, counted as an error.
    [task] = runtime.read(tasks_for_order, first.order_id)
    runtime.run(confirm_pick, pick_task_id=task.id, picker="Hùng")
    assert not runtime.run(scan_unit, pick_task_id=task.id, code="8930000000035").accepted
    assert runtime.run(scan_unit, pick_task_id=task.id, code="8930000000011").accepted
    runtime.run(close_parcel, pick_task_id=task.id, weight_grams=400, packer="Mai")
    for order in (first, second):
        clock.advance(timedelta(hours=1))
        pick_and_pack(runtime, order.order_id)
        courier_reports(runtime, carrier_sandbox, clock, order.order_id, DELIVERED)
    happy = runtime.read(survey_for_order, first.order_id)
    unhappy = runtime.read(survey_for_order, second.order_id)
    runtime.run(answer_survey, token=happy.token, score=10)
    runtime.run(answer_survey, token=unhappy.token, score=2, comment="Nồi bị móp")
    [ticket] = runtime.read(tickets_for_order, second.order_id, clock.now())
    clock.advance(timedelta(hours=2))
    runtime.run(resolve_ticket, ticket_id=ticket.id, resolution="Đổi nồi mới")
    clock.advance(timedelta(hours=5))
    runtime.run(reopen_ticket, ticket_id=ticket.id, reason="Nồi mới cũng móp")
    clock.advance(timedelta(hours=1))
    runtime.run(resolve_ticket, ticket_id=ticket.id, resolution="Hoàn tiền")
    return {"first": first.order_id, "second": second.order_id, "third": third.order_id}


def test_the_journey_keeps_the_kpis_and_a_recompute_agrees(runtime, clock, carrier_sandbox):
    ids = _journey(runtime, clock, carrier_sandbox)

    values = runtime.read(queries.kpi_values, WEEK)
    orders = [runtime.read(get_order, ids[name]) for name in ("first", "second")]
    cycles = [(o.closed_at - o.placed_at).total_seconds() for o in orders]
    cycle = values["cycle_time"]
    assert cycle.count == 2 and cycle.details["mean_s"] == sum(cycles) / 2
    assert set(cycle.details["stages_mean_s"]) == {
        "reserve",
        "wait",
        "pick",
        "pack",
        "handover",
        "transit",
    }
    assert values["cost_per_order"].count == 3  # two delivered, one cancelled
    assert (
        values["cost_per_order"].details["by_stage_vnd"]["customer_care"] == 2 * 20 * 40_000 // 60
    )
    errors = values["error_rate"].details
    assert errors["transactions"] == 3
    assert errors["by_stage"] == {
        "data_entry": 1,
        "automation": 0,
        "delivery": 0,
        "customer_care": 1,
    }
    assert values["nps"].value == 0 and values["nps"].count == 2
    resolution = values["resolution_time"]
    assert resolution.count == 1 and resolution.details["mean_s"] == 3 * 3600  # 2 h + 1 h open
    # Sliced: the cancelled order is Lan's, in Hà Nội; Minh's cooker went from TP.HCM.
    by_province = dict(runtime.read(queries.slice_table, WEEK, "province"))
    assert by_province["01"]["cost_per_order"].count == 2
    assert by_province["79"]["nps"].value == -100
    # An edited rate applies at once, to every window.
    before = values["cost_per_order"].details["total_vnd"]
    runtime.run(set_cost_rate, name="packaging_vnd", value=10_000)
    after = runtime.read(queries.kpi_values, WEEK)["cost_per_order"].details["total_vnd"]
    assert after - before == 2 * 4_000
    with pytest.raises(InvalidInput) as refused:
        runtime.run(set_cost_rate, name="gold_leaf_vnd", value=-1)
    assert set(refused.value.errors) == {"name", "value"}

    # The order's attributes over time, for the object-centric export.
    changes = runtime.read(
        queries.object_attribute_changes, START - timedelta(days=1), START + timedelta(days=7)
    )
    first_states = [v for t, i, n, v, _ in changes if (t, i, n) == ("order", ids["first"], "state")]
    assert first_states[0] == "placed" and first_states[-1] == "delivered"
    assert ("order", ids["third"], "state", "cancelled") in {c[:4] for c in changes}
    assert any(t == "shipment" and n == "carrier" for t, _, n, _, _ in changes)

    kept = derived_state(runtime)
    counts = runtime.run(recompute)
    assert counts["sums"] == len(kept[0])
    assert derived_state(runtime) == kept
    assert runtime.read(queries.kpi_values, WEEK) == runtime.read(queries.kpi_values, WEEK)


def test_the_event_log_refuses_change_and_removal(runtime, database):
    seed_company(runtime)
    with runtime.engine.connect() as connection:
        logged = connection.execute(select(func.count()).select_from(event_log)).scalar_one()
        touched = connection.execute(select(func.count()).select_from(event_objects)).scalar_one()
    assert logged > 0 and touched > 0
    for statement in (
        event_log.update().values(actor="forger"),
        event_log.delete(),
        event_objects.update().values(role="forged"),
        event_objects.delete(),
    ):
        with (
            pytest.raises(sa.exc.DBAPIError, match="append-only"),
            runtime.engine.begin() as connection,
        ):
            connection.execute(statement)
    with runtime.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(event_log)).scalar_one() == logged
        )
        assert (
            connection.execute(
                select(func.count()).select_from(event_log).where(event_log.c.actor == "forger")
            ).scalar_one()
            == 0
        )
        assert (
            connection.execute(select(func.count()).select_from(event_objects)).scalar_one()
            == touched
        )


def _sweep(runtime: Runtime, clock: SimulatedClock) -> None:
    clock.advance(timedelta(minutes=20))
    runtime.run_periodic()
    runtime.drain()


def test_a_breach_raises_one_alert_tells_the_owner_opens_a_ticket_and_closes_on_recovery(
    runtime, clock, carrier_sandbox, smtp_server
):
    operations = runtime.run(
        register_customer,
        name="Phòng vận hành",
        email="vanhanh@example.vn",
        phone="0903 000 111",
        province="Hà Nội",
        ward="Phường Ba Đình",
        street="1 Điện Biên Phủ",
    )
    runtime.run(
        set_target,
        kpi="nps",
        threshold=70,
        notify_email="owner@example.vn",
        ticket_customer_id=operations,
        slice_by=("province",),
    )
    _journey(runtime, clock, carrier_sandbox)
    for _ in range(3):  # the breach goes on: still one alert per slice
        _sweep(runtime, clock)
    everything = runtime.read(queries.alerts_for_dashboard)
    # The shipped default error-rate target is broken too (a refused scan, a reopened ticket).
    assert [(a.kpi, a.dimension) for a in everything if a.kpi != "nps"] == [("error_rate", "all")]
    open_alerts = [a for a in everything if a.kpi == "nps"]
    assert sorted((a.kpi, a.dimension, a.value, a.measured) for a in open_alerts) == [
        ("nps", "all", "", 0),
        ("nps", "province", "79", -100),  # Minh's; Lan's Hà Nội answered 10: on target
    ]
    [alert] = [a for a in open_alerts if a.dimension == "all"]
    assert alert.stage == "customer_care" and alert.threshold == 70 and alert.ticket_id
    mails = [m for m in smtp_server.messages() if m["to"] == ["owner@example.vn"]]
    assert len(mails) == 2 and all("nps" in m["subject"] for m in mails)
    with runtime.engine.connect() as connection:
        ticket = connection.execute(select(tickets).where(tickets.c.id == alert.ticket_id)).one()
    assert ticket.customer_id == operations and ticket.order_id is None
    assert ticket.stage == "customer_care" and "nps" in ticket.subject and "all" in ticket.subject
    with runtime.engine.connect() as connection:
        raised = connection.execute(
            select(func.count()).select_from(event_log).where(event_log.c.type == "KpiAlertRaised")
        ).scalar_one()
    assert raised == len(everything) == 3

    # The owner accepts a lower bar: the KPI is within target again and the alerts close.
    runtime.run(set_target, kpi="nps", threshold=-100, slice_by=("province",))
    _sweep(runtime, clock)
    assert [a.kpi for a in runtime.read(queries.alerts_for_dashboard)] == ["error_rate"]
    closed = [
        a for a in runtime.read(queries.alerts_for_dashboard, open_only=False) if a.kpi == "nps"
    ]
    assert len(closed) == 2 and all(a.state == "closed" and a.closed_at for a in closed)
    with pytest.raises(InvalidInput) as refused:
        runtime.run(set_target, kpi="speed", threshold=1, notify_email="nobody")
    assert set(refused.value.errors) == {"kpi", "notify_email"}


def test_a_dead_job_counts_once_as_an_automation_error(runtime, clock, carrier_sandbox):
    ids = _journey(runtime, clock, carrier_sandbox)
    with runtime.engine.begin() as connection:
        connection.execute(
            jobs.insert().values(
                id="J-dead",
                kind="email",
                key="dead-one",
                payload={"order_id": ids["first"]},
                state="dead",
                attempts=5,
                available_at=clock.now(),
                created_at=clock.now(),
                last_error="SMTP refused",
            )
        )
    _sweep(runtime, clock)
    _sweep(runtime, clock)
    values = runtime.read(queries.kpi_values, WEEK)
    assert values["error_rate"].details["by_stage"]["automation"] == 1
    with runtime.engine.connect() as connection:
        assert (
            connection.execute(
                select(func.count())
                .select_from(event_log)
                .where(event_log.c.type == "AutomationFailed")
            ).scalar_one()
            == 1
        )
