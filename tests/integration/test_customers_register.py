"""Registering, blocking and credit-holding customers, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lienmach.customers.queries import (
    CustomerView,
    find_customer_by_email,
    get_customer,
    get_legacy_address,
    list_customers,
)
from lienmach.customers.services import block_customer, register_customer, set_credit_hold
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log

pytestmark = pytest.mark.integration

LAN: dict[str, Any] = {
    "name": "Nguyễn Thị Lan",
    "email": "Lan.Nguyen@Example.VN",
    "phone": "0912 345 678",
    "province": "TP. Hồ Chí Minh",
    "ward": "phuong sai gon",
    "street": "12 Lê Lợi",
}


def _events(runtime: Runtime, type_name: str) -> list[dict[str, Any]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(event_log.c.payload).where(event_log.c.type == type_name))
        return [dict(row.payload) for row in rows]


def _event_count(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(event_log)).scalar_one())


def test_a_valid_customer_is_registered_normalised_and_announced(runtime: Runtime) -> None:
    customer_id = runtime.run(register_customer, **LAN, tax_code="0100233488001", tier="gold")

    assert runtime.read(get_customer, customer_id) == CustomerView(
        id=customer_id,
        name="Nguyễn Thị Lan",
        email="lan.nguyen@example.vn",
        phone="+84912345678",
        province_code="79",
        ward="Phường Sài Gòn",
        street="12 Lê Lợi",
        tax_code="0100233488-001",
        tier="gold",
        blocked=False,
        credit_hold=False,
        language="vi",
    )
    assert runtime.read(find_customer_by_email, "LAN.NGUYEN@example.vn") is not None
    assert runtime.read(get_legacy_address, customer_id) is None
    assert _events(runtime, "CustomerRegistered") == [
        {"customer_id": customer_id, "province_code": "79"}
    ]


def test_an_old_address_is_stored_as_the_new_one_with_the_old_kept(runtime: Runtime) -> None:
    customer_id = runtime.run(
        register_customer,
        **{
            **LAN,
            "province": "Tỉnh Bình Dương",
            "district": "TP Thủ Dầu Một",
            "ward": "Phường Phú Cường",
            "language": "en",
        },
    )

    customer = runtime.read(get_customer, customer_id)
    assert customer is not None
    assert (customer.province_code, customer.ward, customer.language) == (
        "79",
        "Phường Thủ Dầu Một",
        "en",
    )
    assert runtime.read(get_legacy_address, customer_id) == {
        "province": "Tỉnh Bình Dương",
        "district": "Thành phố Thủ Dầu Một",
        "ward": "Phường Phú Cường",
    }


def test_every_bad_field_is_named_at_once_and_nothing_is_written(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput) as refused:
        runtime.run(
            register_customer,
            name="  ",
            email="lan-at-example.vn",
            phone="12345",
            province="Hà Nội",
            ward="Phường Không Có",
            street="",
            tax_code="0100233489",
            tier="platinum",
            language="fr",
        )

    assert set(refused.value.errors) == {
        "name",
        "email",
        "phone",
        "ward",
        "street",
        "tax_code",
        "tier",
        "language",
    }
    assert runtime.read(list_customers) == []
    assert _event_count(runtime) == 0  # no event either


def test_a_second_customer_with_the_same_email_is_refused(runtime: Runtime) -> None:
    first = runtime.run(register_customer, **LAN)

    with pytest.raises(InvalidInput) as refused:
        runtime.run(
            register_customer,
            **{**LAN, "email": " LAN.NGUYEN@example.vn ", "name": "Someone Else"},
        )

    assert set(refused.value.errors) == {"email"}
    assert "already registered" in refused.value.errors["email"]
    assert [customer.id for customer in runtime.read(list_customers)] == [first]
    assert len(_events(runtime, "CustomerRegistered")) == 1


def test_blocking_is_announced_once_and_credit_hold_toggles(runtime: Runtime) -> None:
    customer_id = runtime.run(register_customer, **LAN)

    runtime.run(block_customer, customer_id=customer_id, reason="chargeback fraud")
    runtime.run(block_customer, customer_id=customer_id, reason="again")
    runtime.run(set_credit_hold, customer_id=customer_id, on=True)

    customer = runtime.read(get_customer, customer_id)
    assert customer is not None and customer.blocked and customer.credit_hold
    assert _events(runtime, "CustomerBlocked") == [
        {"customer_id": customer_id, "reason": "chargeback fraud"}
    ]
    runtime.run(set_credit_hold, customer_id=customer_id, on=False)
    lifted = runtime.read(get_customer, customer_id)
    assert lifted is not None and not lifted.credit_hold and lifted.blocked


def test_blocking_needs_a_reason_and_an_existing_customer(runtime: Runtime) -> None:
    customer_id = runtime.run(register_customer, **LAN)

    with pytest.raises(InvalidInput) as no_reason:
        runtime.run(block_customer, customer_id=customer_id, reason=" ")
    with pytest.raises(NotFound):
        runtime.run(block_customer, customer_id="C-missing", reason="fraud")
    with pytest.raises(NotFound):
        runtime.run(set_credit_hold, customer_id="C-missing", on=True)

    assert set(no_reason.value.errors) == {"reason"}
    customer = runtime.read(get_customer, customer_id)
    assert customer is not None and not customer.blocked
    assert _events(runtime, "CustomerBlocked") == []
