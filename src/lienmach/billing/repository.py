"""Billing persistence: document numbering, invoice and credit-note rows (the journal's
are in :mod:`lienmach.billing.journal`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from lienmach.billing.model import (
    Amounts,
    CreditedSoFar,
    CreditLine,
    InvoiceLine,
    document_number,
)
from lienmach.billing.tables import (
    credit_note_lines,
    credit_notes,
    invoice_lines,
    invoices,
)
from lienmach.kernel import bulk
from lienmach.kernel.clock import as_utc
from lienmach.kernel.counters import next_numbers
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork

VIETNAM = timezone(timedelta(hours=7), "ICT")


# Built once with bind parameters: building a statement costs more than running it.
_INSERT_INVOICE = prepared(invoices.insert())
# Every column of an invoice line is given.
_INSERT_INVOICE_LINES = bulk.inserting(invoice_lines, [column.name for column in invoice_lines.c])
_INVOICE_OF_ORDER = select(invoices.c.id).where(invoices.c.order_id == bindparam("order_id"))
_INVOICES_OF_ORDERS = prepared(
    select(invoices.c.order_id, invoices.c.id).where(
        invoices.c.order_id.in_(bindparam("order_ids", expanding=True))
    )
)
_LOCK_INVOICE = prepared(
    select(invoices.c.total_vnd, invoices.c.credited_vnd, invoices.c.state)
    .where(invoices.c.id == bindparam("invoice_id"))
    .with_for_update()
)
_LOCK_INVOICE_OF_ORDER = prepared(_INVOICE_OF_ORDER.with_for_update())


def next_document_number(uow: UnitOfWork, prefix: str) -> str:
    """The next gapless number of the series ``prefix`` for this year (Vietnam time)."""
    return next_document_numbers(uow, prefix, 1)[0]


def next_document_numbers(uow: UnitOfWork, prefix: str, count: int) -> list[str]:
    """The next ``count`` gapless numbers of the series ``prefix`` for this year (Vietnam
    time), in one statement.

    The series' row lock is held until commit: concurrent takers queue behind it, and a
    rolled-back transaction gives its numbers back, so the series has no gaps.
    """
    if count <= 0:
        return []
    year = as_utc(uow.now()).astimezone(VIETNAM).year
    numbers = next_numbers(uow.connection, f"billing.{prefix}.{year}", count)
    return [document_number(prefix, year, n) for n in numbers]


@dataclass(frozen=True)
class NewInvoice:
    """An invoice about to be stored, with its lines as charged."""

    id: str
    number: str
    order_id: str
    customer_id: str
    lines: Sequence[InvoiceLine]
    amounts: Amounts


def insert_invoices(uow: UnitOfWork, new: Sequence[NewInvoice]) -> None:
    """Store the invoices and their lines: one statement per table, however many."""
    if not new:
        return
    now = uow.now()
    _INSERT_INVOICE.run(
        uow.connection,
        [
            {
                "id": invoice.id,
                "number": invoice.number,
                "order_id": invoice.order_id,
                "customer_id": invoice.customer_id,
                "state": "issued",
                "subtotal_vnd": invoice.amounts.net_vnd,
                "vat_vnd": invoice.amounts.vat_vnd,
                "total_vnd": invoice.amounts.total_vnd,
                "credited_vnd": 0,
                "issued_at": now,
            }
            for invoice in new
        ],
    )
    lines = [
        {
            "id": new_id("IL"),
            "invoice_id": invoice.id,
            "line_no": line_no,
            "kind": line.kind.value,
            "order_line_id": line.order_line_id,
            "product_id": line.product_id,
            "description": line.description[:300],
            "quantity": line.quantity,
            "unit_price_vnd": line.unit_price_vnd,
            "vat_rate_percent": line.vat_rate_percent,
            "net_vnd": line.net_vnd,
            "vat_vnd": line.vat_vnd,
        }
        for invoice in new
        for line_no, line in enumerate(invoice.lines, start=1)
    ]
    if lines:
        _INSERT_INVOICE_LINES.run(uow.connection, lines)


def invoice_ids_for_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, str]:
    """The ids of the orders' invoices, by order id; orders not invoiced yet are left out."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    rows = _INVOICES_OF_ORDERS.run(connection, {"order_ids": wanted})
    return {str(row.order_id): str(row.id) for row in rows}


def lock_invoice_of_order(connection: Connection, order_id: str) -> str | None:
    """Lock the order's invoice row (see :func:`lock_invoice`); its id, None when none yet."""
    value = _LOCK_INVOICE_OF_ORDER.run(connection, {"order_id": order_id}).scalar()
    return None if value is None else str(value)


def lock_invoice(connection: Connection, invoice_id: str) -> tuple[int, int, str]:
    """Lock the invoice row so credit notes on one invoice are sized one at a time.

    Returns (total, credited so far, state).
    """
    row = _LOCK_INVOICE.run(connection, {"invoice_id": invoice_id}).one()
    return int(row.total_vnd), int(row.credited_vnd), str(row.state)


def credit_note_exists(connection: Connection, source_id: str) -> bool:
    query = select(credit_notes.c.id).where(credit_notes.c.source_id == source_id)
    return connection.execute(query).first() is not None


_CREDITED_SO_FAR = prepared(
    select(
        credit_note_lines.c.invoice_line_id,
        func.sum(credit_note_lines.c.quantity),
        func.sum(credit_note_lines.c.net_vnd),
        func.sum(credit_note_lines.c.vat_vnd),
    )
    .join(invoice_lines, invoice_lines.c.id == credit_note_lines.c.invoice_line_id)
    .where(invoice_lines.c.invoice_id == bindparam("invoice_id"))
    .group_by(credit_note_lines.c.invoice_line_id)
)
_INSERT_CREDIT_NOTE = prepared(credit_notes.insert())
_INSERT_CREDIT_NOTE_LINES = prepared(credit_note_lines.insert())
_ADD_CREDITED = prepared(
    update(invoices)
    .where(invoices.c.id == bindparam("b_invoice_id"))
    .values(
        credited_vnd=invoices.c.credited_vnd + bindparam("b_total_vnd"),
        state=bindparam("b_state"),
    )
)


def credited_so_far(connection: Connection, invoice_id: str) -> dict[str, CreditedSoFar]:
    """Per invoice line: the quantity, net and VAT that earlier credit notes took off."""
    rows = _CREDITED_SO_FAR.run(connection, {"invoice_id": invoice_id})
    return {
        line_id: CreditedSoFar(int(quantity), int(net), int(vat))
        for line_id, quantity, net, vat in rows
    }


def insert_credit_note(
    uow: UnitOfWork,
    *,
    note: dict[str, Any],
    credits: Sequence[CreditLine],
    invoice_state: str,
) -> None:
    """Store the note and its lines, and add its total to the invoice's credited amount."""
    connection = uow.connection
    _INSERT_CREDIT_NOTE.run(connection, {**note, "issued_at": uow.now()})
    _INSERT_CREDIT_NOTE_LINES.run(
        connection,
        [
            {
                "credit_note_id": note["id"],
                "invoice_line_id": c.line.id,
                "quantity": c.quantity,
                "net_vnd": c.amounts.net_vnd,
                "vat_vnd": c.amounts.vat_vnd,
            }
            for c in credits
        ],
    )
    _ADD_CREDITED.run(
        connection,
        {
            "b_invoice_id": note["invoice_id"],
            "b_total_vnd": note["total_vnd"],
            "b_state": invoice_state,
        },
    )
