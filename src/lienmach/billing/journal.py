"""The journal: postings written once per source (a unique key enforces it), their lines, and
the chart of accounts they post to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, select

from lienmach.billing.events import EntryPosted
from lienmach.billing.ledger import ACCOUNTS_BY_CODE, Posting
from lienmach.billing.tables import accounts, journal_entries, journal_lines
from lienmach.kernel import bulk
from lienmach.kernel.db import insert_ignoring_duplicates, inserted_keys
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork

# Built once with bind parameters: building a statement costs more than running it.
_INSERT_LINES = bulk.inserting(
    journal_lines, ["entry_id", "line_no", "account_code", "debit_vnd", "credit_vnd", "order_id"]
)
_POSTED_AMOUNT = prepared(
    select(journal_entries.c.amount_vnd).where(
        journal_entries.c.source_type == bindparam("source_type"),
        journal_entries.c.source_id == bindparam("source_id"),
        journal_entries.c.kind == bindparam("kind"),
    )
)
# Set in uow.scratch once this unit of work has made sure the whole chart exists.
_CHART_ENSURED = "billing.chart_ensured"


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


@dataclass(frozen=True)
class SourcedPosting:
    """A posting and the source it is written for: once per (source type, source id, kind)."""

    posting: Posting
    source_type: str
    source_id: str
    order_id: str | None


def post(
    uow: UnitOfWork, posting: Posting, *, source_type: str, source_id: str, order_id: str | None
) -> str | None:
    """Write ``posting`` once for (source, kind); returns the entry id, None if already posted."""
    return post_many(uow, [SourcedPosting(posting, source_type, source_id, order_id)])[0]


def post_many(uow: UnitOfWork, postings: Sequence[SourcedPosting]) -> list[str | None]:
    """:func:`post` for many postings, of one source or of many, in one statement per table.

    Returns, per posting, its entry id or None (empty, posted before, or a repeat of an
    earlier posting of the same source and kind in ``postings``).
    """
    entry_ids = [None if p.posting.is_empty else new_id("JE") for p in postings]
    now = uow.now()
    entries = [
        {
            "id": entry_id,
            "source_type": p.source_type,
            "source_id": p.source_id,
            "kind": p.posting.kind,
            "order_id": p.order_id,
            "description": p.posting.description[:300],
            "amount_vnd": p.posting.amount_vnd,
            "posted_at": now,
        }
        for entry_id, p in zip(entry_ids, postings, strict=True)
        if entry_id is not None
    ]
    if not entries:
        return [None for _ in postings]
    # In the unique key's order, so two workers posting for the same sources take the index's
    # locks in the same order (PostgreSQL) and cannot deadlock.
    entries.sort(key=lambda e: (e["source_type"], e["source_id"], e["kind"]))
    # The unique (source type, source id, kind) makes a second posting insert nothing; which
    # entries went in is told by RETURNING, not by the driver's rowcount.
    inserted = inserted_keys(uow.connection, journal_entries, entries)
    kept = [entry_id if entry_id in inserted else None for entry_id in entry_ids]
    written = [(entry_id, p) for entry_id, p in zip(kept, postings, strict=True) if entry_id]
    if not written:
        return kept
    _ensure_chart(uow)
    _INSERT_LINES.run(
        uow.connection,
        [
            {
                "entry_id": entry_id,
                "line_no": number,
                "account_code": line.account_code,
                "debit_vnd": line.debit_vnd,
                "credit_vnd": line.credit_vnd,
                "order_id": p.order_id,
            }
            for entry_id, p in written
            for number, line in enumerate(p.posting.lines, start=1)
        ],
    )
    for entry_id, p in written:
        uow.publish(
            EntryPosted(
                journal_entry_id=entry_id,
                source_type=p.source_type,
                source_id=p.source_id,
                kind=p.posting.kind,
                amount_vnd=p.posting.amount_vnd,
            )
        )
    return kept


def posted_amount(
    connection: Connection, *, source_type: str, source_id: str, kind: str
) -> int | None:
    """The amount of an earlier posting, or None when there was none."""
    parameters = {"source_type": source_type, "source_id": source_id, "kind": kind}
    value = _POSTED_AMOUNT.run(connection, parameters).scalar()
    return None if value is None else int(value)


_ACCOUNT_MOVEMENT = prepared(
    select(
        func.coalesce(func.sum(journal_lines.c.debit_vnd), 0),
        func.coalesce(func.sum(journal_lines.c.credit_vnd), 0),
    ).where(
        journal_lines.c.order_id == bindparam("order_id"),
        journal_lines.c.account_code == bindparam("account_code"),
    )
)


def order_account_movement(connection: Connection, order_id: str, account_code: str) -> int:
    """Debits minus credits posted to one account for one order."""
    parameters = {"order_id": order_id, "account_code": account_code}
    dr, cr = _ACCOUNT_MOVEMENT.run(connection, parameters).one()
    return int(dr) - int(cr)
