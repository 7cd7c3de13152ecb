"""Refunds: money going back to a customer who paid more than they now owe.

Each refund is one posting (Dr 131 / Cr 112) keyed by what caused it, a credit note or a
late payment, so the postings' unique (source type, source id, kind) allows one refund per
cause however often the cause is delivered; each posted refund publishes RefundIssued.
"""

from __future__ import annotations

from lienmach.billing import journal, ledger
from lienmach.billing.events import RefundIssued
from lienmach.kernel.uow import UnitOfWork


def refund_overpayment(
    uow: UnitOfWork, order_id: str, *, source_type: str, source_id: str, cause: str
) -> str | None:
    """Refund what the customer paid beyond what they owe for the order now (the credit side of
    its 131), never more than the money received into the bank for it."""
    owed = journal.order_account_movement(uow.connection, order_id, ledger.RECEIVABLE)
    received = journal.order_account_movement(uow.connection, order_id, ledger.BANK)
    return post_refund(
        uow,
        order_id,
        min(max(-owed, 0), max(received, 0)),
        source_type=source_type,
        source_id=source_id,
        cause=cause,
    )


def post_refund(
    uow: UnitOfWork,
    order_id: str,
    amount_vnd: int,
    *,
    source_type: str,
    source_id: str,
    cause: str,
) -> str | None:
    """Post a refund (Dr 131 / Cr 112) once per source and say so; None when nothing is due."""
    if amount_vnd <= 0:
        return None
    entry_id = journal.post(
        uow,
        ledger.refund_paid(amount_vnd),
        source_type=source_type,
        source_id=source_id,
        order_id=order_id,
    )
    if entry_id is not None:
        uow.publish(
            RefundIssued(
                order_id=order_id,
                journal_entry_id=entry_id,
                amount_vnd=amount_vnd,
                cause=cause,
                reference=source_id,
            )
        )
    return entry_id
