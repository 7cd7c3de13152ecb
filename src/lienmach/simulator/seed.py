"""A Vietnamese demo company: products, two warehouses, carriers, accounts, customers."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from lienmach.billing.postings import seed_chart_of_accounts
from lienmach.catalog.services import create_product
from lienmach.customers.geography import PROVINCES, wards_of
from lienmach.customers.services import register_customer
from lienmach.inventory.services import create_warehouse, receive_stock
from lienmach.kernel.runtime import Runtime
from lienmach.shipping.carrier_setup import seed_carriers

# (Vietnamese name, English name, net price, cost, VAT %, grams, warranty months)
PRODUCT_FAMILIES = [
    ("Áo thun cotton", "Cotton T-shirt", 150_000, 80_000, 10, 250, 0),
    ("Quần jean", "Jeans", 420_000, 250_000, 10, 600, 0),
    ("Nồi cơm điện", "Rice cooker", 890_000, 600_000, 10, 2_600, 12),
    ("Quạt đứng", "Standing fan", 650_000, 420_000, 10, 4_500, 12),
    ("Sách tiếng Việt", "Vietnamese book", 120_000, 70_000, 5, 400, 0),
    ("Cà phê rang xay", "Ground coffee", 180_000, 95_000, 8, 500, 0),
    ("Nước mắm", "Fish sauce", 65_000, 38_000, 8, 900, 0),
    ("Tai nghe không dây", "Wireless earbuds", 1_250_000, 800_000, 10, 150, 6),
    ("Bình giữ nhiệt", "Thermos flask", 230_000, 120_000, 10, 450, 6),
    ("Gạo ST25", "ST25 rice", 210_000, 150_000, 5, 5_000, 0),
    ("Sữa rửa mặt", "Face wash", 145_000, 70_000, 10, 200, 0),
    ("Balo laptop", "Laptop backpack", 560_000, 300_000, 10, 900, 12),
]
VARIANTS = ["S", "M", "L", "XL", "Đỏ"]
FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh"]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Trang",
    "Tuấn",
    "Vy",
]
MOBILE_PREFIXES = [
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "035",
    "070",
    "077",
    "081",
    "086",
    "088",
]
STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Chu Trinh",
]


@dataclass
class DemoCompany:
    warehouses: dict[str, str] = field(default_factory=dict)  # province code -> warehouse id
    products: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return (
        "".join(ch for ch in folded if unicodedata.category(ch) != "Mn").lower().replace(" ", ".")
    )


def seed_demo_company(
    runtime: Runtime, *, rng: random.Random, customers: int = 220, stock_per_product: int = 40
) -> DemoCompany:
    """Idempotent only on a fresh database; the demo recreates its file each time."""
    company = DemoCompany()
    runtime.run(seed_chart_of_accounts)
    runtime.run(seed_carriers)
    for code, name, province_code, ward, street in [
        ("HN1", "Kho Hà Nội (Long Biên)", "01", "Phường Long Biên", "KCN Sài Đồng B"),
        ("SG1", "Kho TP.HCM (Thủ Đức)", "79", "Phường Thủ Đức", "Lô C, KCN Cát Lái"),
    ]:
        company.warehouses[province_code] = runtime.run(
            create_warehouse,
            code=code,
            name=name,
            province_code=province_code,
            ward=ward,
            street=street,
        )
    for family_index, (name_vi, name_en, price, cost, vat, grams, warranty) in enumerate(
        PRODUCT_FAMILIES
    ):
        for variant_index, variant in enumerate(VARIANTS):
            product_id = runtime.run(
                create_product,
                sku=f"SP{family_index + 1:02d}-{variant_index + 1}",
                barcode=f"893{family_index + 1:04d}{variant_index + 1:05d}0",
                name_vi=f"{name_vi} {variant}",
                name_en=f"{name_en} {variant}",
                price_vnd=price + 10_000 * variant_index,
                cost_vnd=cost + 6_000 * variant_index,
                vat_rate_percent=vat,
                weight_grams=grams,
                warranty_months=warranty,
            )
            company.products.append(product_id)
            for warehouse_id in company.warehouses.values():
                runtime.run(
                    receive_stock,
                    warehouse_id=warehouse_id,
                    product_id=product_id,
                    quantity=rng.randint(stock_per_product // 2, stock_per_product),
                    unit_cost_vnd=cost + 6_000 * variant_index,
                )
    for index in range(customers):
        province = PROVINCES[index % len(PROVINCES)]
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
        company.customers.append(
            runtime.run(
                register_customer,
                name=name,
                email=f"{_ascii(name)}.{index}@example.vn",
                phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}",
                province=province.name_vi,
                ward=rng.choice(wards_of(province.code)),
                street=f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
                tier=rng.choices(["standard", "silver", "gold"], weights=[80, 15, 5])[0],
                language="en" if rng.random() < 0.1 else "vi",
            )
        )
    return company
