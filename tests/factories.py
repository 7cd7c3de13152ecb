"""Test factories: a small Vietnamese company, built through the real services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lienmach.access.roles import STAFF_ROLES
from lienmach.access.services import create_user
from lienmach.billing.postings import seed_chart_of_accounts
from lienmach.catalog.services import create_product
from lienmach.customers.services import register_customer
from lienmach.inventory.services import create_warehouse, receive_stock
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.shipping.carrier_setup import seed_carriers

HANOI = "01"
HCMC = "79"


@dataclass
class Company:
    hanoi_warehouse: str
    hcmc_warehouse: str
    products: dict[str, str] = field(default_factory=dict)  # sku -> id
    customers: dict[str, str] = field(default_factory=dict)  # name -> id


def seed_company(runtime: Runtime, *, stock: dict[str, tuple[int, int]] | None = None) -> Company:
    """Two warehouses (Hà Nội, TP.HCM), three carriers, the chart of accounts, a few products.

    ``stock`` gives units per sku as (Hà Nội, TP.HCM); by default 10 of each in each.
    """
    runtime.run(seed_chart_of_accounts)
    runtime.run(seed_carriers)
    company = Company(
        hanoi_warehouse=runtime.run(
            create_warehouse,
            code="HN1",
            name="Kho Hà Nội",
            province_code=HANOI,
            ward="Phường Hoàn Kiếm",
            street="1 Tràng Tiền",
        ),
        hcmc_warehouse=runtime.run(
            create_warehouse,
            code="SG1",
            name="Kho TP.HCM",
            province_code=HCMC,
            ward="Phường Sài Gòn",
            street="2 Lê Lợi",
        ),
    )
    catalog = [
        ("AO-001", "8930000000011", "Áo thun cotton", 150_000, 80_000, 10, 250, 0),
        ("NOI-002", "8930000000028", "Nồi cơm điện 1.8L", 890_000, 600_000, 10, 2_500, 12),
        ("SACH-003", "8930000000035", "Sách Lịch sử Việt Nam", 120_000, 70_000, 5, 400, 0),
    ]
    for sku, barcode, name, price, cost, vat, grams, warranty in catalog:
        company.products[sku] = runtime.run(
            create_product,
            sku=sku,
            barcode=barcode,
            name_vi=name,
            name_en=name,
            price_vnd=price,
            cost_vnd=cost,
            vat_rate_percent=vat,
            weight_grams=grams,
            warranty_months=warranty,
        )
    for sku, product_id in company.products.items():
        in_hanoi, in_hcmc = (stock or {}).get(sku, (10, 10))
        for warehouse_id, units in (
            (company.hanoi_warehouse, in_hanoi),
            (company.hcmc_warehouse, in_hcmc),
        ):
            if units:
                runtime.run(
                    receive_stock,
                    warehouse_id=warehouse_id,
                    product_id=product_id,
                    quantity=units,
                    unit_cost_vnd=_cost(catalog, sku),
                )
    company.customers["Lan"] = runtime.run(
        register_customer,
        name="Nguyễn Thị Lan",
        email="lan@example.vn",
        phone="0912 345 678",
        province="Hà Nội",
        ward="Phường Ba Đình",
        street="12 Phan Đình Phùng",
    )
    company.customers["Minh"] = runtime.run(
        register_customer,
        name="Trần Văn Minh",
        email="minh@example.vn",
        phone="0987 654 321",
        province="Thành phố Hồ Chí Minh",
        ward="Phường Bến Thành",
        street="45 Lê Thánh Tôn",
        language="en",
    )
    return company


def _cost(catalog: list[tuple[str, str, str, int, int, int, int, int]], sku: str) -> int:
    return next(row[4] for row in catalog if row[0] == sku)


STAFF_PASSWORD = "mat-khau-thu-nghiem"  # the test staff's password (≥ 10 characters)


def seed_staff(runtime: Runtime, *, password: str = STAFF_PASSWORD) -> dict[str, str]:
    """One back-office account per staff role (``<role>@shop.test``); role → e-mail."""
    accounts = {}
    for role in STAFF_ROLES:
        email = f"{role.value}@shop.test"
        runtime.run(
            create_user,
            email=email,
            display_name=f"Nhân viên {role.value}",
            password=password,
            role=role.value,
        )
        accounts[role.value] = email
    return accounts


def customer_in_saigon(
    runtime: Runtime, email: str, *, tier: str = "standard", language: str = "vi"
) -> str:
    """A registered customer in Hồ Chí Minh City (province 79); returns the customer id."""
    customer_id: str = runtime.run(
        register_customer,
        name="Nguyễn Văn An",
        email=email,
        phone="0912345678",
        province="79",
        ward="Phường Bến Thành",
        street="12 Lê Lợi",
        tier=tier,
        language=language,
    )
    return customer_id


def order_of(runtime: Runtime, customer_id: str, lines: dict[str, int], **options: Any) -> str:
    """An order placed for ``lines`` (product id → quantity); returns the order id."""
    placed = runtime.run(
        place_order,
        customer_id=customer_id,
        lines=[{"product_id": pid, "quantity": qty} for pid, qty in lines.items()],
        **options,
    )
    return str(placed.order_id)


def warehouse_in(runtime: Runtime, code: str, province_code: str = "79") -> str:
    """A warehouse named after ``code`` in the given province; returns its id."""
    warehouse_id: str = runtime.run(
        create_warehouse,
        code=code,
        name=f"Kho {code}",
        province_code=province_code,
        ward="Phường Bến Thành",
        street="1 Lê Lợi",
    )
    return warehouse_id
