"""Tickets: the work list with each ticket's SLA countdown, and one ticket with its history and
the form that resolves it (the resolution is a fact on the order's timeline)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response

from lienmach.access.roles import Permission
from lienmach.aftersales.model import MAX_BODY
from lienmach.aftersales.queries import TICKET_VIEWS
from lienmach.aftersales.tickets import resolve_ticket
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.web.deps import perform
from lienmach.web.pages import i18n
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, form, require
from lienmach.web.pages.work_views import TicketPage, ticket_list, ticket_page

router = APIRouter(prefix="/app", include_in_schema=False)

Agent = Annotated[PageContext, Depends(require(Permission.TICKETS))]
AgentForm = Annotated[PageContext, Depends(form(Permission.TICKETS))]


def countdown(delta: timedelta | None, locale: str) -> str:
    """ "còn 3 giờ 20 phút" / "3 h 20 min left" before the deadline, "quá hạn …" after it."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    key = "tickets.countdown.overdue" if delta < timedelta(0) else "tickets.countdown.left"
    return i18n.translate(locale, key, hours=hours, minutes=minutes)


@router.get("/tickets")
def tickets_page(page: Agent, view: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    chosen = view if view in TICKET_VIEWS else "open"
    listing = page.runtime.read(ticket_list, view=chosen, now=page.runtime.clock.now())
    return render(
        page,
        "tickets/list.html",
        listing=listing,
        views=TICKET_VIEWS,
        countdown=lambda delta: countdown(delta, page.locale),
    )


def _ticket(page: PageContext, ticket_id: str) -> TicketPage:
    found = page.runtime.read(ticket_page, ticket_id, page.runtime.clock.now())
    if found is None:
        raise PageNotFound("tickets.noun", ticket_id)
    return found


def _detail(page: PageContext, view: TicketPage, status_code: int = 200, **values: Any) -> Response:
    return render(
        page,
        "tickets/detail.html",
        status_code=status_code,
        view=view,
        countdown=lambda delta: countdown(delta, page.locale),
        **{"error": None, "given": "", **values},
    )


@router.get("/tickets/{ticket_id}")
def ticket_detail(ticket_id: str, page: Agent) -> Response:
    return _detail(page, _ticket(page, ticket_id))


@router.post("/tickets/{ticket_id}/resolve")
def resolve(
    ticket_id: str,
    page: AgentForm,
    resolution: Annotated[str, Form(max_length=MAX_BODY)] = "",
) -> Response:
    """Resolve the ticket with what was done; a blank resolution is refused, nothing written."""
    view = _ticket(page, ticket_id)
    try:
        perform(
            page.runtime, page.actor, resolve_ticket, ticket_id=ticket_id, resolution=resolution
        )
    except InvalidInput:
        return _detail(page, view, 422, error="tickets.error.resolution", given=resolution)
    except NotFound as error:
        raise PageNotFound("tickets.noun", ticket_id) from error
    except DomainError:
        return _detail(page, view, 409, error="tickets.error.not_open", given=resolution)
    return RedirectResponse(f"/app/tickets/{ticket_id}", 303)
