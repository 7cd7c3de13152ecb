"""Customers read side: what other contexts and pages may know about a customer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select

from lienmach.customers.tables import customers
from lienmach.kernel.prepared import prepared

MAX_PAGE = 500


@dataclass(frozen=True)
class CustomerView:
    id: str
    name: str
    email: str
    phone: str
    province_code: str
    ward: str
    street: str
    tax_code: str | None
    tier: str
    blocked: bool
    credit_hold: bool
    language: str


def _select() -> Select[Any]:
    c = customers.c
    return select(
        c.id,
        c.name,
        c.email,
        c.phone,
        c.province_code,
        c.ward,
        c.street,
        c.tax_code,
        c.tier,
        c.blocked,
        c.credit_hold,
        c.language,
    )


def _view(row: Any) -> CustomerView:
    return CustomerView(
        id=row.id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        province_code=row.province_code,
        ward=row.ward,
        street=row.street,
        tax_code=row.tax_code,
        tier=row.tier,
        blocked=bool(row.blocked),
        credit_hold=bool(row.credit_hold),
        language=row.language,
    )


# Built once: every order placed reads its customer.
_BY_ID = prepared(_select().where(customers.c.id == bindparam("customer_id")))


def get_customer(connection: Connection, customer_id: str) -> CustomerView | None:
    """One customer by id, or None."""
    row = _BY_ID.run(connection, {"customer_id": customer_id}).first()
    return None if row is None else _view(row)


def get_customers(connection: Connection, ids: Iterable[str]) -> dict[str, CustomerView]:
    """Many customers by id in one query; unknown ids are left out."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(_select().where(customers.c.id.in_(wanted)))
    return {row.id: _view(row) for row in rows}


def find_customer_by_email(connection: Connection, email: str) -> CustomerView | None:
    """The customer registered with this e-mail address (any case), or None."""
    key = (email or "").strip().lower()
    row = connection.execute(_select().where(customers.c.email == key)).first()
    return None if row is None else _view(row)


def list_customers(
    connection: Connection, *, limit: int = 50, offset: int = 0
) -> list[CustomerView]:
    """A page of customers, oldest first."""
    limit = max(0, min(limit, MAX_PAGE))
    query = (
        _select()
        .order_by(customers.c.created_at, customers.c.id)
        .limit(limit)
        .offset(max(0, offset))
    )
    return [_view(row) for row in connection.execute(query)]


def search_customers(
    connection: Connection, *, text: str, limit: int = 50, offset: int = 0
) -> list[CustomerView]:
    """Customers whose name holds ``text`` (any case) or whose phone holds its digits; by name.

    A phone is stored as +84…, so a leading 0 of a typed national number is dropped first.
    """
    words = text.strip()
    digits = "".join(character for character in words if character.isdigit())
    matches = [customers.c.name.ilike(f"%{words}%")] if words else []
    if len(digits) >= 3:
        matches.append(customers.c.phone.like(f"%{digits.removeprefix('0')}%"))
    if not matches:
        return []
    query = (
        _select()
        .where(or_(*matches))
        .order_by(customers.c.name, customers.c.id)
        .limit(max(0, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    )
    return [_view(row) for row in connection.execute(query)]


def get_legacy_address(connection: Connection, customer_id: str) -> dict[str, str] | None:
    """The pre-2025 address the customer registered with, if it was given in that form."""
    value = connection.execute(
        select(customers.c.legacy_address).where(customers.c.id == customer_id)
    ).scalar()
    return dict(value) if value else None
