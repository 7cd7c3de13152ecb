"""Payments: money received for an order, from a payment gateway or as cash on delivery.

Each payment posts once, keyed by its gateway reference or its shipment, however often the
fact is delivered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from lienmach.billing import journal, ledger, refunds, repository
from lienmach.billing.invoicing import issued_invoice
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.queries import get_order


def record_payment(
    uow: UnitOfWork,
    *,
    order_id: str,
    amount_vnd: int,
    gateway: str,
    gateway_reference: str,
    late: bool = False,
) -> str | None:
    """Post a gateway payment into the bank (Dr 112 / Cr 131); once per gateway reference.

    When the order is cancelled by then, whatever the customer paid beyond what they still owe
    goes straight back (Dr 131 / Cr 112, RefundIssued): ``late`` says the money arrived after
    the cancellation, otherwise it is the cancellation's refund posted in this order.
    """
    if amount_vnd <= 0:
        raise InvalidInput({"amount_vnd": "a payment must be a positive number of đồng"})
    reference = f"{gateway}:{gateway_reference or order_id}"
    if len(reference) > 120:  # the source id column's width; a digest keeps it unique
        reference = f"{gateway[:40]}:sha256:{hashlib.sha256(reference.encode()).hexdigest()[:64]}"
    # Credit notes lock the invoice too: whichever of the two runs second sees the other's
    # postings, so a payment and a cancellation in either order refund the money exactly once.
    if repository.lock_invoice_of_order(uow.connection, order_id) is None:
        repository.lock_invoice(uow.connection, issued_invoice(uow, order_id).id)
    entry_id = journal.post(
        uow,
        ledger.payment_received(amount_vnd, reference=reference),
        source_type="payment",
        source_id=reference,
        order_id=order_id,
    )
    if entry_id is None:
        return None
    # Read afresh, not through order_in: under the invoice lock this must see a cancellation
    # committed since the batch began, or its refund would miss this payment.
    order = get_order(uow.connection, order_id)
    if order is not None and order.state == "cancelled":
        refunds.refund_overpayment(
            uow,
            order_id,
            source_type="payment",
            source_id=reference,
            cause="late_payment" if late else "cancellation",
        )
    return entry_id


def record_cod_collected(
    uow: UnitOfWork, *, shipment_id: str, order_id: str, amount_vnd: int
) -> None:
    """Post cash on delivery collected for a delivered shipment (Dr 111 / Cr 131); once."""
    record_cod_of_shipments(uow, [CodCollected(shipment_id, order_id, amount_vnd)])


@dataclass(frozen=True)
class CodCollected:
    """Cash a carrier collected on delivering a shipment."""

    shipment_id: str
    order_id: str
    amount_vnd: int


def record_cod_of_shipments(uow: UnitOfWork, collected: Sequence[CodCollected]) -> None:
    """:func:`record_cod_collected` for many shipments, in one statement per table; a negative
    amount raises, and nothing is posted."""
    if any(cod.amount_vnd < 0 for cod in collected):
        raise InvalidInput({"amount_vnd": "collected cash cannot be negative"})
    journal.post_many(
        uow,
        [
            journal.SourcedPosting(
                ledger.cod_collected(cod.amount_vnd),
                source_type="shipment",
                source_id=cod.shipment_id,
                order_id=cod.order_id,
            )
            for cod in collected
        ],
    )
