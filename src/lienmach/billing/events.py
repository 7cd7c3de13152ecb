"""Facts the billing context publishes: invoices, credit notes, postings."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class InvoiceIssued(Event):
    invoice_id: str
    order_id: str
    number: str
    total_vnd: int


@dataclass(frozen=True)
class CreditNoteIssued(Event):
    credit_note_id: str
    invoice_id: str
    order_id: str
    total_vnd: int
    reason: str


@dataclass(frozen=True)
class EntryPosted(Event):
    journal_entry_id: str
    source_type: str
    source_id: str
    kind: str
    amount_vnd: int


@dataclass(frozen=True)
class RefundIssued(Event):
    """Money went back to the customer (Dr 131 / Cr 112); ``cause`` is cancellation, return or
    late_payment, ``reference`` the credit note id or the payment's gateway reference."""

    order_id: str
    journal_entry_id: str
    amount_vnd: int
    cause: str
    reference: str
