"""Read side of the after-sales context: NPS, tickets with their SLA, surveys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, func, or_, select

from lienmach.aftersales import model
from lienmach.aftersales.tables import surveys, ticket_notes, tickets
from lienmach.kernel.clock import as_utc


@dataclass(frozen=True)
class NpsSummary:
    promoters: int
    passives: int
    detractors: int
    answered: int
    score: float


@dataclass(frozen=True)
class SurveyView:
    id: str
    order_id: str
    customer_id: str
    token: str
    sent_at: datetime
    answered_at: datetime | None
    score: int | None
    comment: str | None
    category: str | None


@dataclass(frozen=True)
class TicketView:
    id: str
    number: str
    order_id: str | None
    customer_id: str
    survey_id: str | None
    subject: str
    body: str
    source: str
    stage: str
    state: str
    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    version: int
    sla_state: str
    time_left: timedelta | None  # until due; negative once overdue; None when resolved


@dataclass(frozen=True)
class TicketNoteView:
    id: str
    at: datetime
    author: str
    kind: str
    text: str


def nps_summary(
    connection: Connection, *, since: datetime | None = None, until: datetime | None = None
) -> NpsSummary:
    """Answers per category and the NPS over surveys answered in [since, until)."""
    query = select(surveys.c.category, func.count()).where(surveys.c.answered_at.is_not(None))
    if since is not None:
        query = query.where(surveys.c.answered_at >= since)
    if until is not None:
        query = query.where(surveys.c.answered_at < until)
    rows = connection.execute(query.group_by(surveys.c.category))
    counts: dict[str, int] = {row[0]: row[1] for row in rows}
    promoters = int(counts.get(model.NpsCategory.PROMOTER.value, 0))
    passives = int(counts.get(model.NpsCategory.PASSIVE.value, 0))
    detractors = int(counts.get(model.NpsCategory.DETRACTOR.value, 0))
    return NpsSummary(
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        answered=promoters + passives + detractors,
        score=model.nps(promoters, passives, detractors),
    )


def survey_by_token(connection: Connection, token: str) -> SurveyView | None:
    """The survey a customer's link points to, or None."""
    row = connection.execute(select(surveys).where(surveys.c.token == token)).first()
    return _survey(row) if row is not None else None


def survey_for_order(connection: Connection, order_id: str) -> SurveyView | None:
    """The survey sent for an order, or None."""
    row = connection.execute(select(surveys).where(surveys.c.order_id == order_id)).first()
    return _survey(row) if row is not None else None


def unanswered_surveys(connection: Connection, *, limit: int = 200) -> list[SurveyView]:
    """Surveys sent and not yet answered, oldest first."""
    rows = connection.execute(
        select(surveys)
        .where(surveys.c.answered_at.is_(None))
        .order_by(surveys.c.sent_at, surveys.c.id)
        .limit(limit)
    )
    return [_survey(row) for row in rows]


def surveys_for_customer(connection: Connection, customer_id: str) -> list[SurveyView]:
    """Every survey sent to a customer, newest first."""
    rows = connection.execute(
        select(surveys)
        .where(surveys.c.customer_id == customer_id)
        .order_by(surveys.c.sent_at.desc(), surveys.c.id)
    )
    return [_survey(row) for row in rows]


TICKET_VIEWS = ("open", "breached", "resolved", "all")


def tickets_in_view(
    connection: Connection, *, now: datetime, view: str, limit: int = 50, offset: int = 0
) -> list[TicketView]:
    """Tickets of one work view, earliest due first: ``open`` (not resolved), ``breached``
    (overdue now, or resolved after their due time), ``resolved`` or ``all``."""
    query: Select[Any] = select(tickets)
    resolved = tickets.c.state == model.TicketState.RESOLVED.value
    if view == "open":
        query = query.where(~resolved)
    elif view == "resolved":
        query = query.where(resolved)
    elif view == "breached":
        query = query.where(
            or_(
                and_(tickets.c.resolved_at.is_(None), tickets.c.due_at < now),
                tickets.c.resolved_at > tickets.c.due_at,
            )
        )
    query = query.order_by(tickets.c.due_at, tickets.c.id).limit(limit).offset(offset)
    return [_ticket(row, now) for row in connection.execute(query)]


def get_ticket(connection: Connection, ticket_id: str, now: datetime) -> TicketView | None:
    """One ticket with its SLA state as of ``now``, or None."""
    row = connection.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    return _ticket(row, now) if row is not None else None


def list_tickets(
    connection: Connection,
    *,
    now: datetime,
    state: str | None = None,
    customer_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TicketView]:
    """Tickets, the most urgent (earliest due) first, with SLA state and time left."""
    query: Select[Any] = select(tickets)
    if state is not None:
        query = query.where(tickets.c.state == state)
    if customer_id is not None:
        query = query.where(tickets.c.customer_id == customer_id)
    query = query.order_by(tickets.c.due_at, tickets.c.id).limit(limit).offset(offset)
    return [_ticket(row, now) for row in connection.execute(query)]


def tickets_for_order(connection: Connection, order_id: str, now: datetime) -> list[TicketView]:
    """Every ticket linked to an order, oldest first."""
    rows = connection.execute(
        select(tickets).where(tickets.c.order_id == order_id).order_by(tickets.c.opened_at)
    )
    return [_ticket(row, now) for row in rows]


def ticket_history(connection: Connection, ticket_id: str) -> list[TicketNoteView]:
    """Notes, resolutions and reopenings of a ticket, oldest first."""
    rows = connection.execute(
        select(ticket_notes)
        .where(ticket_notes.c.ticket_id == ticket_id)
        .order_by(ticket_notes.c.at, ticket_notes.c.id)
    )
    return [
        TicketNoteView(
            id=row.id, at=as_utc(row.at), author=row.author, kind=row.kind, text=row.text
        )
        for row in rows
    ]


def _optional_utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def _survey(row: Row[Any]) -> SurveyView:
    values = dict(row._mapping)
    values["sent_at"] = as_utc(values["sent_at"])
    values["answered_at"] = _optional_utc(values["answered_at"])
    return SurveyView(**values)


def _ticket(row: Row[Any], now: datetime) -> TicketView:
    values = dict(row._mapping)
    for name in ("opened_at", "due_at", "first_response_at", "resolved_at"):
        values[name] = _optional_utc(values[name])
    due, resolved = values["due_at"], values["resolved_at"]
    sla = model.sla_state(now, due, resolved)
    return TicketView(
        **values,
        sla_state=sla.value,
        time_left=None if resolved is not None else due - now,
    )


def tickets_near_breach(
    connection: Connection,
    *,
    now: datetime,
    within: timedelta = model.AT_RISK_WITHIN,
    limit: int = 20,
) -> list[TicketView]:
    """Unresolved tickets due within ``within`` from now, or already overdue; earliest due first."""
    query = (
        select(tickets)
        .where(
            tickets.c.state != model.TicketState.RESOLVED.value,
            tickets.c.due_at < now + within,
        )
        .order_by(tickets.c.due_at, tickets.c.id)
        .limit(limit)
    )
    return [_ticket(row, now) for row in connection.execute(query)]
