"""Phone numbers, tax codes and e-mail addresses as customers type them."""

from __future__ import annotations

import pytest

from lienmach.customers.validation import normalize_email, normalize_phone, normalize_tax_code

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 91 234 5678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),  # a Hà Nội landline
    ],
)
def test_vietnamese_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw", ["", "   ", "12345", "091234567", "0012 345 678", "not a phone", "+1 650 253 0000"]
)
def test_bad_or_foreign_phone_numbers_are_refused_with_how_to_write_them(raw: str) -> None:
    with pytest.raises(ValueError) as refused:
        normalize_phone(raw)

    assert "0912 345 678" in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("0100233488", "0100233488"),
        (" 0100233488 ", "0100233488"),
        ("0100233488-001", "0100233488-001"),
        ("0100233488001", "0100233488-001"),
        ("001085012345", "001085012345"),  # personal ID number, registered in Hà Nội
        ("096 185 012 345", "096185012345"),
    ],
)
def test_valid_tax_codes_are_normalised(raw: str, canonical: str) -> None:
    assert normalize_tax_code(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "0100233489",  # wrong check digit
        "0100233488-000",  # branch 000 does not exist
        "01002334",
        "000085012345",  # personal ID with province 000
        "097085012345",  # personal ID with province 097
        "01002334AB",
        "",
    ],
)
def test_invalid_tax_codes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_tax_code(raw)


def test_an_email_address_is_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Lan.Nguyen@Example.VN ") == "lan.nguyen@example.vn"


@pytest.mark.parametrize("raw", ["", "lan", "lan@example", "lan@@example.vn", "la n@x.vn", "@x.vn"])
def test_bad_email_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_email(raw)
