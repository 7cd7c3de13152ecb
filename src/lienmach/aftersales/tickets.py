"""Use cases of the after-sales context: open, note, resolve and reopen support tickets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from lienmach.aftersales import model
from lienmach.aftersales.events import TicketOpened, TicketReopened, TicketResolved
from lienmach.aftersales.model import Stage, TicketSource, TicketState
from lienmach.aftersales.tables import ticket_notes, tickets
from lienmach.customers.queries import CustomerView, get_customer, get_customers
from lienmach.kernel.clock import as_utc
from lienmach.kernel.counters import next_number
from lienmach.kernel.errors import ConcurrencyConflict, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders.queries import order_in

# Built once: building a statement costs more than running it.
_INSERT_TICKET = prepared(tickets.insert())


def open_ticket(
    uow: UnitOfWork,
    *,
    customer_id: str,
    subject: str,
    body: str,
    order_id: str | None = None,
    source: str = "customer",
    stage: str = "unknown",
) -> str:
    """Open a support ticket (resolution due in 24 h) and tell the customer; returns its id."""
    errors = _ticket_errors(subject, body, source, stage)
    customer = get_customer(uow.connection, customer_id)
    if customer is None:
        errors["customer_id"] = "no such customer"
    if order_id is not None:
        order = order_in(uow, order_id)
        if order is None:
            errors["order_id"] = "no such order"
        elif order.customer_id != customer_id:
            errors["order_id"] = "this order belongs to another customer"
    if errors:
        raise InvalidInput(errors)
    return open_ticket_unchecked(
        uow,
        customer_id=customer_id,
        subject=subject.strip(),
        body=body.strip(),
        order_id=order_id,
        source=TicketSource(source),
        stage=Stage(stage),
    )


@dataclass(frozen=True)
class NewTicket:
    """A ticket to open from already-validated input (see :func:`open_tickets_unchecked`)."""

    customer_id: str
    subject: str
    body: str
    order_id: str | None
    source: TicketSource
    stage: Stage
    survey_id: str | None = None


def open_ticket_unchecked(
    uow: UnitOfWork,
    *,
    customer_id: str,
    subject: str,
    body: str,
    order_id: str | None,
    source: TicketSource,
    stage: Stage,
    survey_id: str | None = None,
) -> str:
    """Open a ticket from already-validated input (handlers); returns its id."""
    ticket = NewTicket(customer_id, subject, body, order_id, source, stage, survey_id)
    (ticket_id,) = open_tickets_unchecked(uow, [ticket])
    return ticket_id


def open_tickets_unchecked(uow: UnitOfWork, new_tickets: Sequence[NewTicket]) -> list[str]:
    """Open tickets from already-validated input, each due in 24 h, and tell each customer; one
    insert and one read of the customers for all of them. Returns their ids, in order."""
    if not new_tickets:
        return []
    opened_at = uow.now()
    due = model.due_at(opened_at)
    ticket_ids = [new_id("tk_") for _ in new_tickets]
    numbers = [
        model.ticket_number(next_number(uow.connection, "aftersales.ticket")) for _ in new_tickets
    ]
    rows = [
        {
            "id": ticket_id,
            "number": number,
            "order_id": ticket.order_id,
            "customer_id": ticket.customer_id,
            "survey_id": ticket.survey_id,
            "subject": ticket.subject[: model.MAX_SUBJECT],
            "body": ticket.body[: model.MAX_BODY],
            "source": ticket.source.value,
            "stage": ticket.stage.value,
            "state": TicketState.OPEN.value,
            "opened_at": opened_at,
            "due_at": due,
            "version": 1,
        }
        for ticket, ticket_id, number in zip(new_tickets, ticket_ids, numbers, strict=True)
    ]
    _INSERT_TICKET.run(uow.connection, rows)
    customers = get_customers(uow.connection, {ticket.customer_id for ticket in new_tickets})
    for ticket, ticket_id, number in zip(new_tickets, ticket_ids, numbers, strict=True):
        uow.publish(
            TicketOpened(
                ticket_id=ticket_id,
                customer_id=ticket.customer_id,
                order_id=ticket.order_id,
                source=ticket.source.value,
                stage=ticket.stage.value,
            )
        )
        _email_customer(
            uow,
            customers.get(ticket.customer_id),
            key=f"ticket-opened:{ticket_id}",
            template="ticket_opened",
            params={
                "ticket_number": number,
                "due_at": due.isoformat(),
                "subject": ticket.subject,
            },
            order_id=ticket.order_id,
        )
    return ticket_ids


def add_ticket_note(uow: UnitOfWork, *, ticket_id: str, text: str) -> str:
    """Add a staff note (the first one counts as the first response); returns the note id."""
    if not text.strip():
        raise InvalidInput({"text": "write what was done or said"})
    ticket = _ticket(uow, ticket_id)
    note_id = _note(uow, ticket_id, "note", text)
    _bump(uow, ticket, first_response_at=ticket.first_response_at or uow.now())
    return note_id


def resolve_ticket(uow: UnitOfWork, *, ticket_id: str, resolution: str) -> None:
    """Resolve a ticket with what was done; the customer is told, the SLA outcome recorded."""
    if not resolution.strip():
        raise InvalidInput({"resolution": "say how the problem was solved"})
    ticket = _ticket_moving_to(uow, ticket_id, TicketState.RESOLVED)
    now = uow.now()
    _bump(
        uow,
        ticket,
        state=TicketState.RESOLVED.value,
        resolved_at=now,
        resolved_by=uow.actor,
        resolution=resolution.strip(),
        first_response_at=ticket.first_response_at or now,
    )
    _note(uow, ticket_id, "resolution", resolution)
    breached = model.sla_state(now, as_utc(ticket.due_at), now) is model.SlaState.BREACHED
    uow.publish(
        TicketResolved(
            ticket_id=ticket_id,
            customer_id=ticket.customer_id,
            order_id=ticket.order_id,
            breached_sla=breached,
        )
    )
    _tell_customer(
        uow,
        ticket.customer_id,
        key=f"ticket-resolved:{ticket_id}:{ticket.version + 1}",
        template="ticket_resolved",
        params={"ticket_number": ticket.number, "resolution": resolution.strip()},
        order_id=ticket.order_id,
    )


def reopen_ticket(uow: UnitOfWork, *, ticket_id: str, reason: str) -> None:
    """Reopen a resolved ticket; it keeps its original due time."""
    if not reason.strip():
        raise InvalidInput({"reason": "say why the ticket is reopened"})
    ticket = _ticket_moving_to(uow, ticket_id, TicketState.REOPENED)
    _bump(uow, ticket, state=TicketState.REOPENED.value, resolved_at=None, resolved_by=None)
    _note(uow, ticket_id, "reopen", reason)
    uow.publish(
        TicketReopened(
            ticket_id=ticket_id,
            customer_id=ticket.customer_id,
            order_id=ticket.order_id,
            reason=reason.strip(),
        )
    )


def _ticket_errors(subject: str, body: str, source: str, stage: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not subject.strip() or len(subject) > model.MAX_SUBJECT:
        errors["subject"] = f"give a subject of 1 to {model.MAX_SUBJECT} characters"
    if len(body) > model.MAX_BODY:
        errors["body"] = f"keep the description under {model.MAX_BODY} characters"
    if source not in TicketSource.__members__.values():
        errors["source"] = f"use one of {[item.value for item in TicketSource]}"
    if stage not in Stage.__members__.values():
        errors["stage"] = f"use one of {[item.value for item in Stage]}"
    return errors


def _ticket(uow: UnitOfWork, ticket_id: str) -> Any:
    row = uow.connection.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    if row is None:
        raise NotFound("ticket", ticket_id)
    return row


def _ticket_moving_to(uow: UnitOfWork, ticket_id: str, target: TicketState) -> Any:
    """The ticket, if its state may move to ``target`` (else InvalidTransition)."""
    ticket = _ticket(uow, ticket_id)
    check_transition(
        "ticket", ticket_id, model.TICKET_TRANSITIONS, TicketState(ticket.state), target
    )
    return ticket


def _bump(uow: UnitOfWork, ticket: Any, **values: Any) -> None:
    changed = uow.connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket.id, tickets.c.version == ticket.version)
        .values(version=ticket.version + 1, **values)
    ).rowcount
    if changed != 1:
        raise ConcurrencyConflict(f"ticket {ticket.number} was changed by someone else; retry")


def _note(uow: UnitOfWork, ticket_id: str, kind: str, text: str) -> str:
    note_id = new_id("tn_")
    uow.connection.execute(
        ticket_notes.insert().values(
            id=note_id, ticket_id=ticket_id, at=uow.now(), author=uow.actor, kind=kind, text=text
        )
    )
    return note_id


def _tell_customer(
    uow: UnitOfWork,
    customer_id: str,
    *,
    key: str,
    template: str,
    params: dict[str, Any],
    order_id: str | None,
) -> None:
    customer = get_customer(uow.connection, customer_id)
    _email_customer(uow, customer, key=key, template=template, params=params, order_id=order_id)


def _email_customer(
    uow: UnitOfWork,
    customer: CustomerView | None,
    *,
    key: str,
    template: str,
    params: dict[str, Any],
    order_id: str | None,
) -> None:
    if customer is None or not customer.email:
        return  # nothing to send to; the ticket is visible in the customer's account
    send_email(
        uow,
        key=key,
        to=customer.email,
        template=template,
        params=params,
        order_id=order_id,
        purpose=template,
        language=customer.language or "vi",
    )
