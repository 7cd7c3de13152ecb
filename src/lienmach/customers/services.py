"""Customers use cases: the only way to write customers."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import null, select, update
from sqlalchemy.exc import IntegrityError

from lienmach.customers.events import CustomerBlocked, CustomerRegistered
from lienmach.customers.geography import NormalizedAddress, normalize_address
from lienmach.customers.model import (
    MAX_REASON_LENGTH,
    CustomerTier,
    Language,
    choice_problem,
    name_problem,
)
from lienmach.customers.tables import customers
from lienmach.customers.validation import normalize_email, normalize_phone, normalize_tax_code
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork

EMAIL_TAKEN = "is already registered to another customer; log in, or use another e-mail address"


def register_customer(
    uow: UnitOfWork,
    *,
    name: str,
    email: str,
    phone: str,
    province: str,
    ward: str,
    street: str,
    district: str | None = None,
    tax_code: str | None = None,
    tier: str = "standard",
    language: str = "vi",
) -> str:
    """Register a customer after checking every field; returns the new customer id.

    The address may be today's province + ward, or an old province + district + ward, which is
    mapped to today's and kept. Raises InvalidInput naming every bad field (a duplicate e-mail
    included) and writes nothing then. Publishes CustomerRegistered.
    """
    errors: dict[str, str] = {}
    problem = name_problem(name or "")
    if problem:
        errors["name"] = problem
    email_key = _checked(errors, "email", normalize_email, email)
    phone_e164 = _checked(errors, "phone", normalize_phone, phone)
    tax = None
    if tax_code is not None and tax_code.strip():
        tax = _checked(errors, "tax_code", normalize_tax_code, tax_code)
    address: NormalizedAddress | None = None
    try:
        address = normalize_address(province=province, ward=ward, street=street, district=district)
    except InvalidInput as refused:
        errors.update(refused.errors)
    for field, value, allowed in (("tier", tier, CustomerTier), ("language", language, Language)):
        problem = choice_problem(value, allowed)
        if problem:
            errors[field] = problem
    if email_key is not None and _email_taken(uow, email_key):
        errors["email"] = EMAIL_TAKEN
    if errors:
        raise InvalidInput(errors)
    assert address is not None and email_key is not None and phone_e164 is not None
    customer_id = new_id("C")
    row = {
        "id": customer_id,
        "name": " ".join(name.split()),
        "email": email_key,
        "phone": phone_e164,
        "tax_code": tax,
        "province_code": address.province_code,
        "ward": address.ward,
        "street": address.street,
        "legacy_address": address.legacy if address.legacy is not None else null(),
        "tier": tier,
        "language": language,
        "blocked": False,
        "credit_hold": False,
        "version": 1,
        "created_at": uow.now(),
    }
    try:
        # A savepoint, so a concurrent registration of the same e-mail leaves this transaction
        # usable and is reported like any other duplicate.
        with uow.connection.begin_nested():
            uow.connection.execute(customers.insert().values(**row))
    except IntegrityError:
        raise InvalidInput({"email": EMAIL_TAKEN}) from None
    uow.publish(CustomerRegistered(customer_id=customer_id, province_code=address.province_code))
    return customer_id


def block_customer(uow: UnitOfWork, *, customer_id: str, reason: str) -> None:
    """Block a customer from ordering; blocking a blocked customer again changes nothing.

    Publishes CustomerBlocked the first time.
    """
    reason_text = " ".join((reason or "").split())
    if not reason_text:
        raise InvalidInput({"reason": "is required: say why the customer is blocked"})
    if len(reason_text) > MAX_REASON_LENGTH:
        raise InvalidInput({"reason": f"is too long: keep it to {MAX_REASON_LENGTH} characters"})
    changed = uow.connection.execute(
        update(customers)
        .where(customers.c.id == customer_id, customers.c.blocked.is_(False))
        .values(blocked=True, blocked_reason=reason_text, version=customers.c.version + 1)
    ).rowcount
    if changed:
        uow.publish(CustomerBlocked(customer_id=customer_id, reason=reason_text))
    else:
        _require(uow, customer_id)


def set_credit_hold(uow: UnitOfWork, *, customer_id: str, on: bool) -> None:
    """Put a customer on credit hold (cash on delivery refused) or lift it."""
    changed = uow.connection.execute(
        update(customers)
        .where(customers.c.id == customer_id, customers.c.credit_hold != on)
        .values(credit_hold=on, version=customers.c.version + 1)
    ).rowcount
    if not changed:
        _require(uow, customer_id)


def _checked(
    errors: dict[str, str], field: str, normalize: Callable[[str], str], raw: str
) -> str | None:
    try:
        value = normalize(raw if raw is not None else "")
    except ValueError as error:
        errors[field] = str(error)
        return None
    return value


def _email_taken(uow: UnitOfWork, email: str) -> bool:
    query = select(customers.c.id).where(customers.c.email == email)
    return uow.connection.execute(query).first() is not None


def _require(uow: UnitOfWork, customer_id: str) -> None:
    query = select(customers.c.id).where(customers.c.id == customer_id)
    if uow.connection.execute(query).first() is None:
        raise NotFound("customer", customer_id)
