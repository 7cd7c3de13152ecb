"""What the work pages show (warehouse, packing, shipments, tickets), composed from the
contexts' queries in one connection. Only reads live here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from lienmach.aftersales.queries import (
    TicketNoteView,
    TicketView,
    get_ticket,
    ticket_history,
    tickets_in_view,
)
from lienmach.customers.queries import CustomerView, get_customer, get_customers
from lienmach.fulfilment.queries import (
    ParcelView,
    PickTaskView,
    count_queue,
    get_pick_task,
    parcels_for_order,
    pick_queue,
)
from lienmach.inventory.queries import list_warehouses
from lienmach.orders.queries import OrderView, get_order
from lienmach.shipping.queries import (
    ShipmentView,
    get_shipment,
    list_shipments,
    shipments_for_order,
)

QUEUE_SIZE = 50
LIST_SIZE = 100


def _order_numbers(connection: Connection, order_ids: list[str]) -> dict[str, str]:
    numbers: dict[str, str] = {}
    for order_id in dict.fromkeys(order_ids):
        order = get_order(connection, order_id)
        numbers[order_id] = order.number if order else order_id
    return numbers


def _warehouse_codes(connection: Connection) -> dict[str, str]:
    return {warehouse.id: warehouse.code for warehouse in list_warehouses(connection)}


@dataclass(frozen=True)
class PickQueue:
    as_of: datetime
    tasks: list[PickTaskView]
    counts: dict[str, int]  # open tasks by state
    order_numbers: dict[str, str]
    warehouse_codes: dict[str, str]


def pick_queue_page(connection: Connection, now: datetime) -> PickQueue:
    """Open pick tasks, most urgent first, with their orders' numbers."""
    tasks = pick_queue(connection, limit=QUEUE_SIZE)
    return PickQueue(
        as_of=now,
        tasks=tasks,
        counts=count_queue(connection),
        order_numbers=_order_numbers(connection, [task.order_id for task in tasks]),
        warehouse_codes=_warehouse_codes(connection),
    )


@dataclass(frozen=True)
class PackingStation:
    task: PickTaskView
    order_number: str
    warehouse_code: str
    parcel: ParcelView | None
    shipment: ShipmentView | None


def packing_station(connection: Connection, pick_task_id: str) -> PackingStation | None:
    """A pick task at the packing station: its lines and progress, and once packed, its parcel
    and the shipment booked for it; None when there is no such task."""
    task = get_pick_task(connection, pick_task_id)
    if task is None:
        return None
    parcel = next(
        (
            item
            for item in parcels_for_order(connection, task.order_id)
            if item.pick_task_id == task.id
        ),
        None,
    )
    shipment = None
    if parcel is not None:
        shipment = next(
            (
                item
                for item in shipments_for_order(connection, task.order_id)
                if item.parcel_id == parcel.id
            ),
            None,
        )
    return PackingStation(
        task=task,
        order_number=_order_numbers(connection, [task.order_id])[task.order_id],
        warehouse_code=_warehouse_codes(connection).get(task.warehouse_id, task.warehouse_id),
        parcel=parcel,
        shipment=shipment,
    )


@dataclass(frozen=True)
class ShipmentList:
    state: str | None
    shipments: list[ShipmentView]
    order_numbers: dict[str, str]


def shipment_list(connection: Connection, state: str | None) -> ShipmentList:
    """The newest shipments, optionally in one state."""
    found = list_shipments(connection, state=state, limit=LIST_SIZE)
    return ShipmentList(state, found, _order_numbers(connection, [item.order_id for item in found]))


@dataclass(frozen=True)
class ShipmentPage:
    shipment: ShipmentView
    order: OrderView | None
    warehouse_code: str


def shipment_page(connection: Connection, shipment_id: str) -> ShipmentPage | None:
    shipment = get_shipment(connection, shipment_id)
    if shipment is None:
        return None
    return ShipmentPage(
        shipment=shipment,
        order=get_order(connection, shipment.order_id),
        warehouse_code=_warehouse_codes(connection).get(
            shipment.warehouse_id, shipment.warehouse_id
        ),
    )


@dataclass(frozen=True)
class TicketList:
    view: str
    now: datetime
    tickets: list[TicketView]
    order_numbers: dict[str, str]
    customers: dict[str, CustomerView]


def ticket_list(connection: Connection, *, view: str, now: datetime) -> TicketList:
    """Tickets of one work view (open, breached, resolved, all), earliest due first."""
    found = tickets_in_view(connection, now=now, view=view, limit=LIST_SIZE)
    return TicketList(
        view=view,
        now=now,
        tickets=found,
        order_numbers=_order_numbers(
            connection, [ticket.order_id for ticket in found if ticket.order_id]
        ),
        customers=get_customers(connection, [ticket.customer_id for ticket in found]),
    )


@dataclass(frozen=True)
class TicketPage:
    ticket: TicketView
    history: list[TicketNoteView]
    order: OrderView | None
    customer: CustomerView | None
    now: datetime


def ticket_page(connection: Connection, ticket_id: str, now: datetime) -> TicketPage | None:
    ticket = get_ticket(connection, ticket_id, now)
    if ticket is None:
        return None
    return TicketPage(
        ticket=ticket,
        history=ticket_history(connection, ticket_id),
        order=get_order(connection, ticket.order_id) if ticket.order_id else None,
        customer=get_customer(connection, ticket.customer_id),
        now=now,
    )
