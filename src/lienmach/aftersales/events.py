"""Facts the after-sales context publishes: surveys, NPS answers, tickets."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class SurveySent(Event):
    survey_id: str
    order_id: str
    customer_id: str


@dataclass(frozen=True)
class SurveyAnswered(Event):
    survey_id: str
    order_id: str
    customer_id: str
    score: int
    category: str  # promoter | passive | detractor


@dataclass(frozen=True)
class TicketOpened(Event):
    ticket_id: str
    customer_id: str
    order_id: str | None
    source: str  # customer | survey | staff
    stage: str


@dataclass(frozen=True)
class TicketResolved(Event):
    ticket_id: str
    customer_id: str
    order_id: str | None
    breached_sla: bool


@dataclass(frozen=True)
class TicketReopened(Event):
    ticket_id: str
    customer_id: str
    order_id: str | None
    reason: str
