"""The order list (filters, paging) and the order page (its whole story), each with a live part."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lienmach.access.roles import Permission
from lienmach.customers.geography import PROVINCES
from lienmach.orders.model import Channel, OrderState
from lienmach.web.pages import i18n
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, require
from lienmach.web.pages.views import (
    PROVINCE_BY_CODE,
    OrderFilters,
    OrderList,
    order_list,
    order_page,
)

router = APIRouter(prefix="/app", include_in_schema=False)

OrdersViewer = Annotated[PageContext, Depends(require(Permission.ORDERS_READ))]
Text = Annotated[str | None, Query(max_length=40)]
PageNumber = Annotated[str | None, Query(alias="page", max_length=10)]
MAX_PAGE = 10_000


def _date(value: str | None, field: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(field)
        return None


def parse_filters(
    state: Text = None,
    channel: Text = None,
    province: Text = None,
    placed_from: Text = None,
    placed_to: Text = None,
    page: PageNumber = None,
) -> tuple[OrderFilters, list[str]]:
    """The filters the list can apply, and the names of those it could not understand."""
    problems: list[str] = []
    if state and state not in set(OrderState):
        problems.append("state")
        state = None
    if channel and channel not in set(Channel):
        problems.append("channel")
        channel = None
    if province and province not in PROVINCE_BY_CODE:
        problems.append("province")
        province = None
    first = _date(placed_from, "placed_from", problems)
    last = _date(placed_to, "placed_to", problems)
    if first and last and last < first:
        problems.append("placed_to")
        last = None
    number = int(page) if page and page.isdigit() else 1
    filters = OrderFilters(
        state=state or None,
        channel=channel or None,
        province_code=province or None,
        placed_from=first,
        placed_to=last,
        page=min(max(number, 1), MAX_PAGE),
    )
    return filters, problems


def _query(filters: OrderFilters, page: int | None = None) -> str:
    values = {
        "state": filters.state,
        "channel": filters.channel,
        "province": filters.province_code,
        "placed_from": filters.placed_from.isoformat() if filters.placed_from else None,
        "placed_to": filters.placed_to.isoformat() if filters.placed_to else None,
        "page": page if page is not None else filters.page,
    }
    return urlencode({key: value for key, value in values.items() if value not in (None, "")})


def _list(page: PageContext, filters: OrderFilters) -> OrderList:
    start = i18n.local_midnight(filters.placed_from) if filters.placed_from else None
    end = i18n.local_midnight(filters.placed_to + timedelta(days=1)) if filters.placed_to else None
    return page.runtime.read(order_list, filters, utc_from=start, utc_until=end)


def _list_values(page: PageContext, filters: OrderFilters, problems: list[str]) -> dict[str, Any]:
    found = _list(page, filters)
    return {
        "listing": found,
        "problems": problems,
        "states": [state.value for state in OrderState],
        "channels": [channel.value for channel in Channel],
        "provinces": PROVINCES,
        "province_by_code": PROVINCE_BY_CODE,
        "query": _query(filters),
        "previous_query": _query(filters, filters.page - 1) if filters.page > 1 else None,
        "next_query": _query(filters, filters.page + 1) if found.has_next else None,
    }


AskedFilters = Annotated[tuple[OrderFilters, list[str]], Depends(parse_filters)]


@router.get("/orders")
def orders_page(page: OrdersViewer, asked: AskedFilters) -> Response:
    return render(page, "orders/list.html", **_list_values(page, *asked))


@router.get("/live/orders")
def orders_fragment(page: OrdersViewer, asked: AskedFilters) -> Response:
    return render(page, "orders/_rows.html", **_list_values(page, *asked))


def _order_values(page: PageContext, order_id: str) -> dict[str, Any]:
    found = page.runtime.read(order_page, order_id, page.runtime.clock.now())
    if found is None:
        raise PageNotFound("order.noun", order_id)
    return {"view": found, "province_by_code": PROVINCE_BY_CODE}


@router.get("/orders/{order_id}")
def order_detail_page(order_id: str, page: OrdersViewer) -> Response:
    return render(page, "orders/detail.html", **_order_values(page, order_id))


@router.get("/live/orders/{order_id}")
def order_detail_fragment(order_id: str, page: OrdersViewer) -> Response:
    return render(page, "orders/_detail_live.html", **_order_values(page, order_id))
