"""Billing read side: trial balance, account balances, an order's entries, invoices, notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, func, select

from lienmach.billing.ledger import ACCOUNTS_BY_CODE, CHART_OF_ACCOUNTS, DEBIT_NATURED, AccountKind
from lienmach.billing.model import InvoiceLine, LineKind
from lienmach.billing.tables import (
    accounts,
    credit_notes,
    invoice_lines,
    invoices,
    journal_entries,
    journal_lines,
)
from lienmach.kernel.clock import as_utc
from lienmach.kernel.prepared import prepared


class TrialBalanceRow(NamedTuple):
    """One account; ``balance`` is on the account's natural side (debit for assets, expenses)."""

    account_code: str
    name_vi: str
    name_en: str
    debit: int
    credit: int
    balance: int


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]
    total_debit: int
    total_credit: int
    balanced: bool


@dataclass(frozen=True)
class JournalLineView:
    account_code: str
    debit_vnd: int
    credit_vnd: int


@dataclass(frozen=True)
class JournalEntryView:
    id: str
    source_type: str
    source_id: str
    kind: str
    order_id: str | None
    description: str
    amount_vnd: int
    posted_at: datetime
    lines: list[JournalLineView]


InvoiceLineView = InvoiceLine


@dataclass(frozen=True)
class InvoiceView:
    id: str
    number: str
    order_id: str
    customer_id: str
    state: str
    subtotal_vnd: int
    vat_vnd: int
    total_vnd: int
    credited_vnd: int
    issued_at: datetime
    lines: list[InvoiceLine]


@dataclass(frozen=True)
class CreditNoteView:
    id: str
    number: str
    invoice_id: str
    order_id: str
    source_id: str
    cause: str
    subtotal_vnd: int
    vat_vnd: int
    total_vnd: int
    reason: str
    issued_at: datetime


def natural_balance(kind: str, debit: int, credit: int) -> int:
    return debit - credit if AccountKind(kind) in DEBIT_NATURED else credit - debit


def trial_balance(connection: Connection) -> TrialBalance:
    """Every account of the chart (and any added since) with its debit and credit totals;
    balanced when the totals agree."""
    sums = {
        code: (int(dr), int(cr))
        for code, dr, cr in connection.execute(
            select(
                journal_lines.c.account_code,
                func.sum(journal_lines.c.debit_vnd),
                func.sum(journal_lines.c.credit_vnd),
            ).group_by(journal_lines.c.account_code)
        )
    }
    chart = {a.code: (a.name_vi, a.name_en, a.kind.value) for a in CHART_OF_ACCOUNTS}
    for row in connection.execute(select(accounts)):
        chart[row.code] = (row.name_vi, row.name_en, row.kind)
    rows = []
    for code in sorted(chart.keys() | sums.keys()):
        name_vi, name_en, kind = chart.get(code, (code, code, AccountKind.ASSET.value))
        dr, cr = sums.get(code, (0, 0))
        rows.append(TrialBalanceRow(code, name_vi, name_en, dr, cr, natural_balance(kind, dr, cr)))
    total_debit = sum(row.debit for row in rows)
    total_credit = sum(row.credit for row in rows)
    return TrialBalance(rows, total_debit, total_credit, total_debit == total_credit)


def account_balance(connection: Connection, code: str, *, order_id: str | None = None) -> int:
    """The account's balance on its natural side: debit minus credit for assets and expenses,
    credit minus debit for liabilities, equity and revenue. Optionally for one order only."""
    kind = connection.execute(select(accounts.c.kind).where(accounts.c.code == code)).scalar()
    if kind is None:
        known = ACCOUNTS_BY_CODE.get(code)
        kind = known.kind.value if known else AccountKind.ASSET.value
    query = select(
        func.coalesce(func.sum(journal_lines.c.debit_vnd), 0),
        func.coalesce(func.sum(journal_lines.c.credit_vnd), 0),
    ).where(journal_lines.c.account_code == code)
    if order_id is not None:
        query = query.where(journal_lines.c.order_id == order_id)
    dr, cr = connection.execute(query).one()
    return natural_balance(kind, int(dr), int(cr))


def entries_for_order(connection: Connection, order_id: str) -> list[JournalEntryView]:
    """The order's journal entries in posting order, each with its lines."""
    entries = connection.execute(
        select(journal_entries)
        .where(journal_entries.c.order_id == order_id)
        .order_by(journal_entries.c.posted_at, journal_entries.c.id)
    ).all()
    if not entries:
        return []
    lines: dict[str, list[JournalLineView]] = {}
    for row in connection.execute(
        select(journal_lines)
        .where(journal_lines.c.entry_id.in_([entry.id for entry in entries]))
        .order_by(journal_lines.c.entry_id, journal_lines.c.line_no)
    ):
        lines.setdefault(row.entry_id, []).append(
            JournalLineView(row.account_code, row.debit_vnd, row.credit_vnd)
        )
    return [
        JournalEntryView(
            entry.id,
            entry.source_type,
            entry.source_id,
            entry.kind,
            entry.order_id,
            entry.description,
            entry.amount_vnd,
            as_utc(entry.posted_at),
            lines.get(entry.id, []),
        )
        for entry in entries
    ]


# Built once: a credit note or a payment reads the order's invoice.
_INVOICE_OF_ORDER = prepared(select(invoices).where(invoices.c.order_id == bindparam("order_id")))
_INVOICE_LINES = prepared(
    select(invoice_lines)
    .where(invoice_lines.c.invoice_id == bindparam("invoice_id"))
    .order_by(invoice_lines.c.line_no)
)


def invoice_for_order(connection: Connection, order_id: str) -> InvoiceView | None:
    """The order's invoice with its lines, or None when none was issued yet."""
    row = _INVOICE_OF_ORDER.run(connection, {"order_id": order_id}).first()
    if row is None:
        return None
    lines = [
        InvoiceLine(
            LineKind(line.kind),
            line.order_line_id,
            line.product_id,
            line.description,
            line.quantity,
            line.unit_price_vnd,
            line.vat_rate_percent,
            line.net_vnd,
            line.vat_vnd,
            line.id,
        )
        for line in _INVOICE_LINES.run(connection, {"invoice_id": row.id})
    ]
    return InvoiceView(
        row.id,
        row.number,
        row.order_id,
        row.customer_id,
        row.state,
        row.subtotal_vnd,
        row.vat_vnd,
        row.total_vnd,
        row.credited_vnd,
        as_utc(row.issued_at),
        lines,
    )


def credit_notes_for_order(connection: Connection, order_id: str) -> list[CreditNoteView]:
    """Credit notes issued against the order's invoice, oldest first."""
    rows = connection.execute(
        select(credit_notes)
        .where(credit_notes.c.order_id == order_id)
        .order_by(credit_notes.c.issued_at, credit_notes.c.number)
    )
    return [
        CreditNoteView(
            row.id,
            row.number,
            row.invoice_id,
            row.order_id,
            row.source_id,
            row.cause,
            row.subtotal_vnd,
            row.vat_vnd,
            row.total_vnd,
            row.reason,
            as_utc(row.issued_at),
        )
        for row in rows
    ]


def count_invoices(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(invoices)).scalar_one())


def invoice_numbers(connection: Connection) -> list[str]:
    """Every invoice number, in order (gap and duplicate checks, audits)."""
    return list(connection.execute(select(invoices.c.number).order_by(invoices.c.number)).scalars())


@dataclass(frozen=True)
class RefundView:
    """Money given back for an order: why (``source_type`` credit_note or payment) and when."""

    journal_entry_id: str
    order_id: str
    source_type: str
    source_id: str
    amount_vnd: int
    posted_at: datetime


def refunds_for_order(connection: Connection, order_id: str) -> list[RefundView]:
    """Refunds posted for the order (Dr 131 / Cr 112), oldest first."""
    rows = connection.execute(
        select(journal_entries)
        .where(journal_entries.c.order_id == order_id, journal_entries.c.kind == "refund")
        .order_by(journal_entries.c.posted_at, journal_entries.c.id)
    )
    return [
        RefundView(
            row.id,
            row.order_id,
            row.source_type,
            row.source_id,
            row.amount_vnd,
            as_utc(row.posted_at),
        )
        for row in rows
    ]
