"""Money in Vietnamese đồng: whole integers, never floats (VND has no minor unit)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

VAT_RATES_PERCENT = (0, 5, 8, 10)


def vat_of(net_vnd: int, rate_percent: int) -> int:
    """VAT on a net amount, rounded half up to the whole đồng."""
    if rate_percent not in VAT_RATES_PERCENT:
        raise ValueError(f"VAT rate {rate_percent}% is not one of {VAT_RATES_PERCENT}")
    amount = Decimal(net_vnd) * Decimal(rate_percent) / Decimal(100)
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_vnd(amount_vnd: int) -> str:
    """1250000 -> '1.250.000 ₫' (Vietnamese grouping)."""
    sign = "-" if amount_vnd < 0 else ""
    return f"{sign}{abs(amount_vnd):,} ₫".replace(",", ".")
