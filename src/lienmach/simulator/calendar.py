"""The business calendar of a Vietnamese online shop: how many orders a day brings (weekdays,
Tết, the double-digit shopping days) and when the warehouse works."""

from __future__ import annotations

from datetime import date, timedelta

# First day of the lunar new year (Tết Nguyên Đán).
TET = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
# Monday … Sunday: people shop more at the end of the week.
WEEKDAY_DEMAND = (1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.2)
# Marketplace sale days (month, day): 11.11 and 12.12 are the big ones.
SALE_DAYS = {(9, 9): 1.6, (10, 10): 1.6, (11, 11): 3.0, (12, 12): 2.5}
OPENING_HOUR, CLOSING_HOUR = 8, 17  # warehouse, Việt Nam time
SUNDAY_CLOSING_HOUR = 12


def tet_of(day: date) -> date | None:
    """The Tết nearest to ``day`` (this year's or next year's)."""
    for year in (day.year, day.year + 1):
        tet = TET.get(year)
        if tet is not None and day <= tet + timedelta(days=5):
            return tet
    return None


def is_tet_holiday(day: date) -> bool:
    """From the eve of Tết to its fifth day shops and carriers rest."""
    tet = tet_of(day)
    return tet is not None and tet - timedelta(days=1) <= day <= tet + timedelta(days=4)


def demand_factor(day: date) -> float:
    """How many times an ordinary Monday's orders this day brings."""
    factor = WEEKDAY_DEMAND[day.weekday()]
    factor *= SALE_DAYS.get((day.month, day.day), 1.0)
    yesterday = day - timedelta(days=1)
    if (yesterday.month, yesterday.day) in SALE_DAYS:
        factor *= 1.3  # the sale's late orders and paid-late carts
    tet = tet_of(day)
    if tet is not None:
        if is_tet_holiday(day):
            factor *= 0.25
        elif tet - timedelta(days=21) <= day < tet - timedelta(days=1):
            factor *= 1.7  # gifts and the year-end shopping before Tết
    return factor


def warehouse_hours(day: date) -> range:
    """The hours (Việt Nam time) the warehouse picks and packs that day; empty when closed."""
    if is_tet_holiday(day):
        return range(0)
    if day.weekday() == 6:
        return range(OPENING_HOUR, SUNDAY_CLOSING_HOUR)
    return range(OPENING_HOUR, CLOSING_HOUR)


def carriers_work(day: date) -> bool:
    return not is_tet_holiday(day)
