"""Invoicing: the invoice of every placed order and the credit notes that take part of it back.

Each document posts its sale or reversal keyed by (source type, source id, kind), so calling a
use case again for the same fact posts nothing and issues nothing a second time.
"""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.billing import journal, ledger, model, refunds, repository
from lienmach.billing.events import CreditNoteIssued, InvoiceIssued
from lienmach.billing.model import Amounts, CreditedSoFar, InvoiceLine, LineKind
from lienmach.billing.postings import at_standard_cost, shipment_reservations
from lienmach.billing.queries import InvoiceView, invoice_for_order
from lienmach.kernel.errors import DomainError, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.queries import order_in

INVOICE_SERIES = "HD"
CREDIT_NOTE_SERIES = "DC"  # hóa đơn điều chỉnh giảm


def issue_invoice(uow: UnitOfWork, *, order_id: str) -> str:
    """Issue the order's invoice and post the sale (Dr 131 / Cr 511, 3331); once per order."""
    return issue_invoices(uow, [order_id])[order_id]


def issue_invoices(uow: UnitOfWork, order_ids: Sequence[str]) -> dict[str, str]:
    """:func:`issue_invoice` for many orders in a few statements, however many: the invoice
    id of each order, by order id, whether issued now or before.

    New invoices are numbered in the order of ``order_ids``. An unknown order or one whose
    lines do not add up to its total raises, and nothing is issued.
    """
    wanted = list(dict.fromkeys(order_ids))
    invoice_ids = repository.invoice_ids_for_orders(uow.connection, wanted)
    drafts = [_draft(uow, order_id) for order_id in wanted if order_id not in invoice_ids]
    if not drafts:
        return invoice_ids
    # Taken last: the series' row lock is held until commit, so hold it as briefly as possible.
    numbers = repository.next_document_numbers(uow, INVOICE_SERIES, len(drafts))
    new = [
        repository.NewInvoice(new_id("INV"), number, order_id, customer_id, lines, amounts)
        for number, (order_id, customer_id, lines, amounts) in zip(numbers, drafts, strict=True)
    ]
    repository.insert_invoices(uow, new)
    for invoice in new:
        uow.publish(
            InvoiceIssued(
                invoice_id=invoice.id,
                order_id=invoice.order_id,
                number=invoice.number,
                total_vnd=invoice.amounts.total_vnd,
            )
        )
    journal.post_many(
        uow,
        [
            journal.SourcedPosting(
                ledger.invoice_issued(
                    net_vnd=invoice.amounts.net_vnd,
                    vat_vnd=invoice.amounts.vat_vnd,
                    number=invoice.number,
                ),
                source_type="invoice",
                source_id=invoice.id,
                order_id=invoice.order_id,
            )
            for invoice in new
        ],
    )
    invoice_ids.update((invoice.order_id, invoice.id) for invoice in new)
    return invoice_ids


def _draft(uow: UnitOfWork, order_id: str) -> tuple[str, str, list[InvoiceLine], Amounts]:
    """(order id, customer id, lines, amounts) of the invoice the order is to get."""
    order = order_in(uow, order_id)
    if order is None:
        raise NotFound("order", order_id)
    lines = [
        InvoiceLine(
            LineKind.GOODS,
            line.id,
            line.product_id,
            line.name,
            line.quantity,
            line.unit_price_vnd,
            line.vat_rate_percent,
            line.net_vnd,
            line.vat_vnd,
        )
        for line in order.lines
    ]
    if order.shipping_fee_vnd or order.shipping_vat_vnd:
        lines.append(model.shipping_line(order.shipping_fee_vnd, vat_vnd=order.shipping_vat_vnd))
    amounts = model.totals(lines)
    if amounts.total_vnd != order.total_vnd:
        raise DomainError(
            f"order {order_id}: lines add up to {amounts.total_vnd} but the order total is "
            f"{order.total_vnd}; the invoice must match what the customer was charged"
        )
    return order_id, order.customer_id, lines, amounts


def issued_invoice(uow: UnitOfWork, order_id: str) -> InvoiceView:
    """The order's invoice, issued now if its OrderPlaced reaction has not run yet."""
    issue_invoice(uow, order_id=order_id)
    invoice = invoice_for_order(uow.connection, order_id)
    assert invoice is not None
    return invoice


def credit_cancelled_order(
    uow: UnitOfWork, *, order_id: str, line_ids: Sequence[str] = (), reason: str = ""
) -> str | None:
    """Credit what a cancellation took back: the cancelled lines' units not out with a carrier
    or customer (and the delivery charge when nothing was shipped), reverse the sale
    (Dr 511, 3331 / Cr 131) and, for money already received, post the refund (Dr 131 / Cr 112).
    Returns the new credit note's id; None when nothing (more) was credited."""
    invoice = issued_invoice(uow, order_id)
    order = order_in(uow, order_id)
    if order is None:
        raise NotFound("order", order_id)
    wanted = set(line_ids) or {line.id for line in order.lines}
    out_there = {
        line.id: max(line.shipped_quantity - line.returned_quantity, 0) for line in order.lines
    }
    nothing_shipped = all(line.shipped_quantity == 0 for line in order.lines)

    def units(line: InvoiceLine, already: CreditedSoFar) -> int:
        if line.kind == LineKind.SHIPPING:
            return line.quantity if nothing_shipped else 0
        if line.order_line_id not in wanted:
            return 0
        return line.quantity - already.quantity - out_there.get(line.order_line_id or "", 0)

    note = _issue_credit_note(
        uow,
        invoice,
        source_id=order_id,
        cause="cancellation",
        reason=reason or "Hủy đơn hàng",
        units=units,
    )
    if note is None:
        return None
    note_id, amounts = note
    received = journal.order_account_movement(uow.connection, order_id, ledger.BANK)
    refunds.post_refund(
        uow,
        order_id,
        min(amounts.total_vnd, max(received, 0)),
        source_type="credit_note",
        source_id=note_id,
        cause="cancellation",
    )
    return note_id


def credit_returned_shipment(
    uow: UnitOfWork, *, shipment_id: str, order_id: str, reason: str = ""
) -> str | None:
    """A failed delivery came back: reverse its cost of goods (Dr 156 / Cr 632), credit the
    returned units' gross value (Dr 511, 3331 / Cr 131) and, when the order was paid in
    advance, refund what the customer no longer owes (Dr 131 / Cr 112). Returns the credit
    note id."""
    reservations = shipment_reservations(uow, shipment_id)
    cost = journal.posted_amount(
        uow.connection, source_type="shipment", source_id=shipment_id, kind="cost_of_goods"
    )
    if cost is None:
        cost = ledger.goods_shipped(at_standard_cost(uow, reservations)).amount_vnd
    journal.post(
        uow,
        ledger.cost_of_goods_reversed(cost),
        source_type="shipment",
        source_id=shipment_id,
        order_id=order_id,
    )
    returned: dict[str, int] = {}
    for reservation in reservations:
        returned[reservation.line_id] = returned.get(reservation.line_id, 0) + reservation.quantity
    invoice = issued_invoice(uow, order_id)

    def units(line: InvoiceLine, _already: CreditedSoFar) -> int:
        return returned.get(line.order_line_id or "", 0) if line.kind == LineKind.GOODS else 0

    note = _issue_credit_note(
        uow,
        invoice,
        source_id=shipment_id,
        cause="return",
        reason=reason or "Giao hàng không thành công, hàng hoàn về kho",
        units=units,
    )
    if note is None:
        return None
    refunds.refund_overpayment(
        uow, order_id, source_type="credit_note", source_id=note[0], cause="return"
    )
    return note[0]


def _issue_credit_note(
    uow: UnitOfWork,
    invoice: InvoiceView,
    *,
    source_id: str,
    cause: str,
    reason: str,
    units: model.UnitsToCredit,
) -> tuple[str, Amounts] | None:
    connection = uow.connection
    invoice_total, credited_before, state_before = repository.lock_invoice(connection, invoice.id)
    if repository.credit_note_exists(connection, source_id):
        return None
    already = repository.credited_so_far(connection, invoice.id)
    credits = model.size_credit(invoice.lines, already, units)
    if not credits:
        return None
    total = model.totals(c.amounts for c in credits)
    state = model.state_after_credit(invoice_total, credited_before + total.total_vnd)
    check_transition(
        "invoice", invoice.id, model.INVOICE_TRANSITIONS, model.InvoiceState(state_before), state
    )
    note_id = new_id("CN")
    number = repository.next_document_number(uow, CREDIT_NOTE_SERIES)
    note = {
        "id": note_id,
        "number": number,
        "invoice_id": invoice.id,
        "order_id": invoice.order_id,
        "source_id": source_id,
        "cause": cause,
        "subtotal_vnd": total.net_vnd,
        "vat_vnd": total.vat_vnd,
        "total_vnd": total.total_vnd,
        "reason": reason[:300],
    }
    repository.insert_credit_note(uow, note=note, credits=credits, invoice_state=state.value)
    uow.publish(
        CreditNoteIssued(
            credit_note_id=note_id,
            invoice_id=invoice.id,
            order_id=invoice.order_id,
            total_vnd=total.total_vnd,
            reason=reason,
        )
    )
    journal.post(
        uow,
        ledger.credit_note_reversal(net_vnd=total.net_vnd, vat_vnd=total.vat_vnd, number=number),
        source_type="credit_note",
        source_id=note_id,
        order_id=invoice.order_id,
    )
    return note_id, total
