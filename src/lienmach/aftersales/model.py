"""After-sales rules: NPS categories and score, ticket states, and the resolution SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

SLA_RESOLUTION = timedelta(hours=24)
AT_RISK_WITHIN = timedelta(hours=4)
MAX_COMMENT = 2000
MAX_SUBJECT = 200
MAX_BODY = 5000


class NpsCategory(StrEnum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


class TicketState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class TicketSource(StrEnum):
    CUSTOMER = "customer"
    SURVEY = "survey"
    STAFF = "staff"


class Stage(StrEnum):
    """The stage of the order chain where the problem arose."""

    DATA_ENTRY = "data_entry"
    RESERVATION = "reservation"
    PICKING = "picking"
    PACKING = "packing"
    DELIVERY = "delivery"
    BILLING = "billing"
    CUSTOMER_CARE = "customer_care"
    UNKNOWN = "unknown"


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"


TICKET_TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.OPEN: frozenset({TicketState.RESOLVED}),
    TicketState.RESOLVED: frozenset({TicketState.REOPENED}),
    TicketState.REOPENED: frozenset({TicketState.RESOLVED}),
}


def is_valid_score(score: object) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 10


def category_of(score: int) -> NpsCategory:
    """9–10 promoter, 7–8 passive, 0–6 detractor."""
    if not is_valid_score(score):
        raise ValueError(f"an NPS score is a whole number from 0 to 10, not {score!r}")
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


def nps(promoters: int, passives: int, detractors: int) -> float:
    """% promoters − % detractors, from −100 to 100; 0 when nobody answered."""
    answered = promoters + passives + detractors
    if answered == 0:
        return 0.0
    return 100.0 * (promoters - detractors) / answered


def due_at(opened_at: datetime) -> datetime:
    """When a ticket opened at ``opened_at`` must be resolved."""
    return opened_at + SLA_RESOLUTION


def sla_state(now: datetime, due_at: datetime, resolved_at: datetime | None) -> SlaState:
    """Met or breached once resolved; else on track, at risk (< 4 h left) or breached."""
    if resolved_at is not None:
        return SlaState.MET if resolved_at <= due_at else SlaState.BREACHED
    if now > due_at:
        return SlaState.BREACHED
    if due_at - now < AT_RISK_WITHIN:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def ticket_number(sequence: int) -> str:
    return f"TK-{sequence:06d}"
