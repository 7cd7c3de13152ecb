"""What the back office's pages show, composed from the contexts' queries in one connection.

Only reads live here; each function answers one page (or its live fragment) and is what a
benchmark times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from lienmach.aftersales.queries import TicketView, tickets_for_order, tickets_near_breach
from lienmach.billing.queries import (
    CreditNoteView,
    InvoiceView,
    JournalEntryView,
    credit_notes_for_order,
    entries_for_order,
    invoice_for_order,
)
from lienmach.customers.geography import PROVINCES, Province
from lienmach.customers.queries import CustomerView, get_customer
from lienmach.fulfilment.queries import PickTaskView, tasks_for_order
from lienmach.inventory.queries import (
    ReservationView,
    StockLevelView,
    WarehouseView,
    list_warehouses,
    reservations_for_order,
    stock_levels_for,
)
from lienmach.orders.model import OrderState
from lienmach.orders.queries import (
    OrderView,
    TimelineEntry,
    count_by_state,
    count_late_orders,
    count_placed_between,
    get_order,
    late_orders,
    list_orders,
    order_timeline,
    placed_totals,
)
from lienmach.shipping.queries import ShipmentView, count_booked_between, shipments_for_order
from lienmach.web.pages.i18n import local_day_start, local_time

CHART_DAYS = 14
PROVINCE_BY_CODE: dict[str, Province] = {item.code: item for item in PROVINCES}


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime
    by_state: list[tuple[str, int]]  # every state, in the journey's order
    today_orders: int
    today_revenue_vnd: int
    today_shipments: int
    late_count: int
    late: list[OrderView]
    near_breach: list[TicketView]
    per_day: list[tuple[date, int]]  # orders placed per local day, oldest first


def dashboard(connection: Connection, now: datetime) -> Dashboard:
    """Orders per stage now; today's orders, revenue and shipments; what is late or at risk."""
    counts = count_by_state(connection)
    today = local_day_start(now)
    tomorrow = today + timedelta(days=1)
    orders_today, revenue_today = placed_totals(connection, since=today, until=tomorrow)
    starts = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    per_day = [
        (
            local_time(start).date(),
            count_placed_between(connection, since=start, until=start + timedelta(days=1)),
        )
        for start in starts
    ]
    return Dashboard(
        as_of=now,
        by_state=[(state.value, counts.get(state.value, 0)) for state in OrderState],
        today_orders=orders_today,
        today_revenue_vnd=revenue_today,
        today_shipments=count_booked_between(connection, since=today, until=tomorrow),
        late_count=count_late_orders(connection, now=now),
        late=late_orders(connection, now=now, limit=10),
        near_breach=tickets_near_breach(connection, now=now, limit=10),
        per_day=per_day,
    )


@dataclass(frozen=True)
class OrderFilters:
    """The order list's filters as the page understood them (bad values are dropped)."""

    state: str | None = None
    channel: str | None = None
    province_code: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None  # inclusive, a local day
    page: int = 1


@dataclass(frozen=True)
class OrderList:
    filters: OrderFilters
    orders: list[OrderView]
    has_next: bool
    per_page: int


def order_list(
    connection: Connection,
    filters: OrderFilters,
    *,
    utc_from: datetime | None,
    utc_until: datetime | None,
    per_page: int = 50,
) -> OrderList:
    """One page of the filtered list, newest first; one extra row tells if a next page exists."""
    found = list_orders(
        connection,
        state=filters.state,
        channel=filters.channel,
        province_code=filters.province_code,
        placed_from=utc_from,
        placed_until=utc_until,
        limit=per_page + 1,
        offset=(filters.page - 1) * per_page,
    )
    return OrderList(filters, found[:per_page], len(found) > per_page, per_page)


@dataclass(frozen=True)
class OrderPage:
    order: OrderView
    customer: CustomerView | None
    reservations: list[ReservationView]
    warehouses: dict[str, WarehouseView]
    stock: dict[tuple[str, str], StockLevelView]
    invoice: InvoiceView | None
    credit_notes: list[CreditNoteView]
    entries: list[JournalEntryView]
    pick_tasks: list[PickTaskView]
    shipments: list[ShipmentView]
    tickets: list[TicketView]
    timeline: list[TimelineEntry]
    now: datetime
    products: list[str] = field(default_factory=list)


def order_page(connection: Connection, order_id: str, now: datetime) -> OrderPage | None:
    """The order with everything that happened to it; None when there is no such order."""
    order = get_order(connection, order_id)
    if order is None:
        return None
    products = sorted({line.product_id for line in order.lines})
    levels = stock_levels_for(connection, product_ids=products) if products else []
    return OrderPage(
        order=order,
        customer=get_customer(connection, order.customer_id),
        reservations=reservations_for_order(connection, order_id),
        warehouses={warehouse.id: warehouse for warehouse in list_warehouses(connection)},
        stock={(level.product_id, level.warehouse_id): level for level in levels},
        invoice=invoice_for_order(connection, order_id),
        credit_notes=credit_notes_for_order(connection, order_id),
        entries=entries_for_order(connection, order_id),
        pick_tasks=tasks_for_order(connection, order_id),
        shipments=shipments_for_order(connection, order_id),
        tickets=tickets_for_order(connection, order_id, now),
        timeline=order_timeline(connection, order_id),
        now=now,
        products=products,
    )
