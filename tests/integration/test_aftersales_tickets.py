"""Tickets on both databases: opened for the customer's own order, resolved within or past the
24-hour SLA, reopened, numbered in sequence; bad requests write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lienmach.aftersales.queries import get_ticket, list_tickets, ticket_history
from lienmach.aftersales.tables import tickets
from lienmach.aftersales.tickets import open_ticket, reopen_ticket, resolve_ticket
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput, InvalidTransition
from lienmach.kernel.runtime import Runtime
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from tests.integration.test_aftersales_survey import (
    _count,
    _customer,
    _delivered_order,
    _events,
)

pytestmark = pytest.mark.integration


def test_ticket_resolved_after_30_hours_breached_its_sla(
    runtime: Runtime, smtp_server: SmtpSandboxProcess, clock: SimulatedClock
) -> None:
    # given a customer's ticket about their order
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)
    ticket_id = runtime.run(
        open_ticket,
        customer_id=customer_id,
        order_id=order.id,
        subject="Quạt kêu to",
        body="Quạt kêu to khi bật số 3",
        stage="packing",
    )
    clock.advance(timedelta(hours=21))
    assert runtime.read(get_ticket, ticket_id, clock.now()).sla_state == "at_risk"

    # when it is resolved 30 hours after it opened
    clock.advance(timedelta(hours=9))
    assert runtime.read(get_ticket, ticket_id, clock.now()).sla_state == "breached"
    runtime.run(resolve_ticket, ticket_id=ticket_id, resolution="Đổi quạt mới", actor="staff:hoa")

    # then it is resolved, the SLA is recorded as breached, and the customer was told
    ticket = runtime.read(get_ticket, ticket_id, clock.now() + timedelta(days=5))
    assert (ticket.state, ticket.sla_state, ticket.time_left) == ("resolved", "breached", None)
    assert ticket.resolved_at == clock.now()
    assert (ticket.resolution, ticket.resolved_by) == ("Đổi quạt mới", "staff:hoa")
    assert ticket.first_response_at == clock.now()
    assert _events(runtime, "TicketResolved") == [
        {
            "ticket_id": ticket_id,
            "customer_id": customer_id,
            "order_id": order.id,
            "breached_sla": True,
        }
    ]
    resolved_mail = smtp_server.wait_for(lambda message: "đã được giải quyết" in message["subject"])
    assert len(resolved_mail) == 1 and "Đổi quạt mới" in resolved_mail[0]["body"]


def test_ticket_resolved_in_time_met_its_sla_and_can_be_reopened(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    customer_id = _customer(runtime)
    ticket_id = runtime.run(open_ticket, customer_id=customer_id, subject="Hỏi bảo hành", body="")
    clock.advance(timedelta(hours=3))
    runtime.run(resolve_ticket, ticket_id=ticket_id, resolution="Đã hướng dẫn")

    assert runtime.read(get_ticket, ticket_id, clock.now()).sla_state == "met"
    assert _events(runtime, "TicketResolved")[0]["breached_sla"] is False

    runtime.run(reopen_ticket, ticket_id=ticket_id, reason="Vẫn chưa rõ")
    ticket = runtime.read(get_ticket, ticket_id, clock.now())
    assert (ticket.state, ticket.resolved_at, ticket.sla_state) == ("reopened", None, "on_track")
    assert [note.kind for note in runtime.read(ticket_history, ticket_id)] == [
        "resolution",
        "reopen",
    ]
    with pytest.raises(InvalidTransition):
        runtime.run(reopen_ticket, ticket_id=ticket_id, reason="again")
    assert [t.id for t in runtime.read(list_tickets, state="reopened", now=clock.now())] == [
        ticket_id
    ]


def test_ticket_on_someone_elses_order_is_refused_and_nothing_written(runtime: Runtime) -> None:
    owner = _customer(runtime)
    order = _delivered_order(runtime, owner)
    other = _customer(runtime, email="binh@example.vn")

    with pytest.raises(InvalidInput) as refused:
        runtime.run(
            open_ticket, customer_id=other, order_id=order.id, subject="", body="x", stage="moon"
        )

    assert set(refused.value.errors) == {"order_id", "subject", "stage"}
    assert _count(runtime, tickets) == 0
    assert _events(runtime, "TicketOpened") == []


def test_ticket_numbers_follow_each_other(runtime: Runtime) -> None:
    customer_id = _customer(runtime)
    first = runtime.run(open_ticket, customer_id=customer_id, subject="Một", body="")
    second = runtime.run(open_ticket, customer_id=customer_id, subject="Hai", body="")

    numbers = [runtime.read(get_ticket, i, runtime.clock.now()).number for i in (first, second)]
    assert int(numbers[1][3:]) == int(numbers[0][3:]) + 1
