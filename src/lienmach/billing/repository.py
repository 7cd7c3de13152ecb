"""Billing persistence: posting to the journal once per source, numbering, invoice rows."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta, timezone
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lienmach.billing.events import EntryPosted
from lienmach.billing.ledger import ACCOUNTS_BY_CODE, Posting
from lienmach.billing.model import (
    Amounts,
    CreditedSoFar,
    CreditLine,
    InvoiceLine,
    document_number,
)
from lienmach.billing.tables import (
    accounts,
    credit_note_lines,
    credit_notes,
    invoice_lines,
    invoices,
    journal_entries,
    journal_lines,
)
from lienmach.kernel.clock import as_utc
from lienmach.kernel.counters import next_number
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork

VIETNAM = timezone(timedelta(hours=7), "ICT")


# Built once with bind parameters: building a statement costs more than running it.
_INSERT_LINES = journal_lines.insert()
_INSERT_INVOICE = invoices.insert()
_INSERT_INVOICE_LINES = invoice_lines.insert()
_INVOICE_OF_ORDER = select(invoices.c.id).where(invoices.c.order_id == bindparam("order_id"))
_LOCK_INVOICE = (
    select(invoices.c.total_vnd, invoices.c.credited_vnd, invoices.c.state)
    .where(invoices.c.id == bindparam("invoice_id"))
    .with_for_update()
)
_LOCK_INVOICE_OF_ORDER = _INVOICE_OF_ORDER.with_for_update()
_POSTED_AMOUNT = select(journal_entries.c.amount_vnd).where(
    journal_entries.c.source_type == bindparam("source_type"),
    journal_entries.c.source_id == bindparam("source_id"),
    journal_entries.c.kind == bindparam("kind"),
)
# Set in uow.scratch once this unit of work has made sure the whole chart exists.
_CHART_ENSURED = "billing.chart_ensured"


@functools.cache
def _insert_entries(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(journal_entries).on_conflict_do_nothing().returning(journal_entries.c.id)


def ensure_accounts(connection: Connection, codes: Sequence[str]) -> None:
    """Make sure these chart accounts exist (no-op when already there)."""
    rows = [
        {"code": a.code, "name_vi": a.name_vi, "name_en": a.name_en, "kind": a.kind.value}
        for a in (ACCOUNTS_BY_CODE[code] for code in sorted(set(codes)))
    ]
    insert_ignoring_duplicates(connection, accounts, rows)


def _ensure_chart(uow: UnitOfWork) -> None:
    """The journal lines' accounts must exist, and nothing else makes sure of it (the chart is
    seeded by hand or by the demo): the whole chart, once per unit of work, not per posting."""
    if not uow.scratch.get(_CHART_ENSURED):
        ensure_accounts(uow.connection, list(ACCOUNTS_BY_CODE))
        uow.scratch[_CHART_ENSURED] = True


def post(
    uow: UnitOfWork, posting: Posting, *, source_type: str, source_id: str, order_id: str | None
) -> str | None:
    """Write ``posting`` once for (source, kind); returns the entry id, None if already posted."""
    return post_many(
        uow, [posting], source_type=source_type, source_id=source_id, order_id=order_id
    )[0]


def post_many(
    uow: UnitOfWork,
    postings: Sequence[Posting],
    *,
    source_type: str,
    source_id: str,
    order_id: str | None,
) -> list[str | None]:
    """:func:`post` for several postings of one source, in one statement per table.

    Returns, per posting, its entry id or None (empty, or posted before).
    """
    entry_ids = [None if posting.is_empty else new_id("JE") for posting in postings]
    entries = [
        {
            "id": entry_id,
            "source_type": source_type,
            "source_id": source_id,
            "kind": posting.kind,
            "order_id": order_id,
            "description": posting.description[:300],
            "amount_vnd": posting.amount_vnd,
            "posted_at": uow.now(),
        }
        for entry_id, posting in zip(entry_ids, postings, strict=True)
        if entry_id is not None
    ]
    if not entries:
        return [None for _ in postings]
    # The unique (source type, source id, kind) makes a second posting insert nothing; which
    # entries went in is told by RETURNING, not by the driver's rowcount.
    statement = _insert_entries(uow.connection.dialect.name)
    inserted = set(uow.connection.execute(statement, entries).scalars())
    kept = [
        (entry_id, posting) if entry_id in inserted else (None, posting)
        for entry_id, posting in zip(entry_ids, postings, strict=True)
    ]
    written = [(entry_id, posting) for entry_id, posting in kept if entry_id is not None]
    if not written:
        return [None for _ in postings]
    _ensure_chart(uow)
    uow.connection.execute(
        _INSERT_LINES,
        [
            {
                "entry_id": entry_id,
                "line_no": number,
                "account_code": line.account_code,
                "debit_vnd": line.debit_vnd,
                "credit_vnd": line.credit_vnd,
                "order_id": order_id,
            }
            for entry_id, posting in written
            for number, line in enumerate(posting.lines, start=1)
        ],
    )
    for entry_id, posting in written:
        uow.publish(
            EntryPosted(
                journal_entry_id=entry_id,
                source_type=source_type,
                source_id=source_id,
                kind=posting.kind,
                amount_vnd=posting.amount_vnd,
            )
        )
    return [entry_id for entry_id, _ in kept]


def posted_amount(
    connection: Connection, *, source_type: str, source_id: str, kind: str
) -> int | None:
    """The amount of an earlier posting, or None when there was none."""
    parameters = {"source_type": source_type, "source_id": source_id, "kind": kind}
    value = connection.execute(_POSTED_AMOUNT, parameters).scalar()
    return None if value is None else int(value)


def order_account_movement(connection: Connection, order_id: str, account_code: str) -> int:
    """Debits minus credits posted to one account for one order."""
    dr, cr = connection.execute(
        select(
            func.coalesce(func.sum(journal_lines.c.debit_vnd), 0),
            func.coalesce(func.sum(journal_lines.c.credit_vnd), 0),
        ).where(journal_lines.c.order_id == order_id, journal_lines.c.account_code == account_code)
    ).one()
    return int(dr) - int(cr)


def next_document_number(uow: UnitOfWork, prefix: str) -> str:
    """The next gapless number of the series ``prefix`` for this year (Vietnam time)."""
    year = as_utc(uow.now()).astimezone(VIETNAM).year
    sequence = next_number(uow.connection, f"billing.{prefix}.{year}")
    return document_number(prefix, year, sequence)


def insert_invoice(
    uow: UnitOfWork,
    *,
    invoice_id: str,
    number: str,
    order_id: str,
    customer_id: str,
    lines: Sequence[InvoiceLine],
    amounts: Amounts,
) -> None:
    uow.connection.execute(
        _INSERT_INVOICE,
        {
            "id": invoice_id,
            "number": number,
            "order_id": order_id,
            "customer_id": customer_id,
            "state": "issued",
            "subtotal_vnd": amounts.net_vnd,
            "vat_vnd": amounts.vat_vnd,
            "total_vnd": amounts.total_vnd,
            "credited_vnd": 0,
            "issued_at": uow.now(),
        },
    )
    uow.connection.execute(
        _INSERT_INVOICE_LINES,
        [
            {
                "id": new_id("IL"),
                "invoice_id": invoice_id,
                "line_no": number,
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
            for number, line in enumerate(lines, start=1)
        ],
    )


def invoice_id_for_order(connection: Connection, order_id: str) -> str | None:
    """The id of the order's invoice, None when none was issued yet."""
    value = connection.execute(_INVOICE_OF_ORDER, {"order_id": order_id}).scalar()
    return None if value is None else str(value)


def lock_invoice_of_order(connection: Connection, order_id: str) -> str | None:
    """Lock the order's invoice row (see :func:`lock_invoice`); its id, None when none yet."""
    value = connection.execute(_LOCK_INVOICE_OF_ORDER, {"order_id": order_id}).scalar()
    return None if value is None else str(value)


def lock_invoice(connection: Connection, invoice_id: str) -> tuple[int, int, str]:
    """Lock the invoice row so credit notes on one invoice are sized one at a time.

    Returns (total, credited so far, state).
    """
    row = connection.execute(_LOCK_INVOICE, {"invoice_id": invoice_id}).one()
    return int(row.total_vnd), int(row.credited_vnd), str(row.state)


def credit_note_exists(connection: Connection, source_id: str) -> bool:
    query = select(credit_notes.c.id).where(credit_notes.c.source_id == source_id)
    return connection.execute(query).first() is not None


def credited_so_far(connection: Connection, invoice_id: str) -> dict[str, CreditedSoFar]:
    """Per invoice line: the quantity, net and VAT that earlier credit notes took off."""
    rows = connection.execute(
        select(
            credit_note_lines.c.invoice_line_id,
            func.sum(credit_note_lines.c.quantity),
            func.sum(credit_note_lines.c.net_vnd),
            func.sum(credit_note_lines.c.vat_vnd),
        )
        .join(invoice_lines, invoice_lines.c.id == credit_note_lines.c.invoice_line_id)
        .where(invoice_lines.c.invoice_id == invoice_id)
        .group_by(credit_note_lines.c.invoice_line_id)
    )
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
    connection.execute(credit_notes.insert().values(**note, issued_at=uow.now()))
    connection.execute(
        credit_note_lines.insert(),
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
    connection.execute(
        update(invoices)
        .where(invoices.c.id == note["invoice_id"])
        .values(credited_vnd=invoices.c.credited_vnd + note["total_vnd"], state=invoice_state)
    )
