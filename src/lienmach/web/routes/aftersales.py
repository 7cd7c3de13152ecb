"""After-sales: survey answers, support tickets."""

from __future__ import annotations

from fastapi import APIRouter

from lienmach.aftersales import surveys, tickets
from lienmach.aftersales.queries import get_ticket
from lienmach.kernel.errors import NotFound
from lienmach.web import schemas
from lienmach.web.auth import Aftersales
from lienmach.web.deps import RuntimeDep, perform

router = APIRouter(prefix="/api/v1", tags=["after-sales"])


def _ticket(runtime: RuntimeDep, ticket_id: str) -> schemas.TicketDetailOut:
    ticket = runtime.read(get_ticket, ticket_id, runtime.clock.now())
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    return schemas.TicketDetailOut.model_validate(ticket)


@router.post("/surveys/{token}", status_code=201, response_model=schemas.Created)
def answer_survey(token: str, body: schemas.SurveyAnswerIn, runtime: RuntimeDep) -> schemas.Created:
    """The customer's 0–10 answer; a detractor's answer opens a ticket by itself."""
    survey_id = perform(
        runtime,
        "customer",
        surveys.answer_survey,
        token=token,
        score=body.score,
        comment=body.comment,
    )
    return schemas.Created(id=survey_id)


@router.post("/tickets", status_code=201, response_model=schemas.TicketDetailOut)
def open_ticket(
    body: schemas.TicketIn, runtime: RuntimeDep, caller: Aftersales
) -> schemas.TicketDetailOut:
    """Open a support request (resolution due within 24 hours)."""
    ticket_id = perform(
        runtime,
        caller.actor,
        tickets.open_ticket,
        customer_id=body.customer_id,
        subject=body.subject,
        body=body.body,
        order_id=body.order_id,
    )
    return _ticket(runtime, ticket_id)


@router.get("/tickets/{ticket_id}", response_model=schemas.TicketDetailOut)
def read_ticket(
    ticket_id: str, runtime: RuntimeDep, _caller: Aftersales
) -> schemas.TicketDetailOut:
    """One ticket with its SLA state as of now."""
    return _ticket(runtime, ticket_id)


@router.post("/tickets/{ticket_id}/resolve", response_model=schemas.TicketDetailOut)
def resolve_ticket(
    ticket_id: str, body: schemas.ResolveIn, runtime: RuntimeDep, caller: Aftersales
) -> schemas.TicketDetailOut:
    """Resolve a ticket with what was done; the customer is told."""
    _ticket(runtime, ticket_id)
    perform(
        runtime,
        caller.actor,
        tickets.resolve_ticket,
        ticket_id=ticket_id,
        resolution=body.resolution,
    )
    return _ticket(runtime, ticket_id)
