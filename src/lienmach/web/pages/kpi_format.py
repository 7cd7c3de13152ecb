"""KPI numbers written for people, in either language: durations as "3 giờ 20 phút", cost in
đồng, error rate in per cent, NPS in points; slice values by name rather than by id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from lienmach.catalog.queries import get_products
from lienmach.customers.geography import PROVINCES
from lienmach.inventory.queries import list_warehouses
from lienmach.shipping.queries import list_carriers
from lienmach.web.pages import i18n
from lienmach.web.pages.catalogue import MESSAGES
from lienmach.web.pages.kpi_views import HOURS_KPIS

_MINUTE, _HOUR, _DAY = 60, 3600, 86_400


def duration(seconds: float | None, locale: str) -> str:
    """A wait in at most two units: "2 ngày 3 giờ", "3 giờ 20 phút", "12 phút", "40 giây";
    a zero between them is skipped, so 48 h 30 min reads "2 ngày 30 phút", not "2 ngày"."""
    if seconds is None:
        return ""
    whole = round(abs(seconds))
    sign = "−" if seconds < 0 else ""
    days, rest = divmod(whole, _DAY)
    hours, rest = divmod(rest, _HOUR)
    minutes, secs = divmod(rest, _MINUTE)
    units = [("days", days), ("hours", hours), ("minutes", minutes), ("seconds", secs)]
    present = [(name, amount) for name, amount in units if amount]
    if not present:
        return i18n.translate(locale, "kpi.unit.minutes", n=0)
    first = next(index for index, (name, _amount) in enumerate(units) if name == present[0][0])
    kept = [(name, amount) for name, amount in units[first : first + 3] if amount][:2]
    return sign + " ".join(i18n.translate(locale, f"kpi.unit.{name}", n=n) for name, n in kept)


def show_value(kpi: str, value: float | None, locale: str) -> str:
    """A KPI in its shown unit (hours for the times) written out; "—" when not measured."""
    if value is None:
        return "—"
    if kpi in HOURS_KPIS:
        return duration(value * 3600, locale)
    if kpi == "cost_per_order":
        return i18n.money(round(value), locale)
    if kpi == "error_rate":
        return i18n.number(round(value, 3), locale) + " %"
    return i18n.number(round(value, 1), locale)


def show_change(kpi: str, change: float | None, locale: str) -> str:
    """A difference between two windows, with its sign."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + show_value(kpi, abs(change), locale)


def show_alert_amount(kpi: str, amount: int, locale: str) -> str:
    """A measured value or threshold of an alert, in the unit alerts compare."""
    if kpi in HOURS_KPIS:
        return duration(amount, locale)
    if kpi == "error_rate":
        return i18n.number(round(amount / 10_000, 3), locale) + " %"
    if kpi == "cost_per_order":
        sign = "+" if amount > 0 else ""
        return sign + i18n.number(round(amount / 100, 2), locale) + " %"
    return i18n.number(amount, locale)


def slice_labels(
    connection: Connection, dimension: str, values: Iterable[str], locale: str
) -> dict[str, str]:
    """Each slice value by its name in ``locale`` (the value itself when nothing names it)."""
    wanted = sorted(set(values))
    names: dict[str, str] = {}
    if dimension == "channel":
        names = {
            v: i18n.translate(locale, f"channel.{v}") for v in wanted if f"channel.{v}" in MESSAGES
        }
    elif dimension == "region":
        names = {
            v: i18n.translate(locale, f"kpi.region.{v}")
            for v in wanted
            if f"kpi.region.{v}" in MESSAGES
        }
    elif dimension == "province":
        names = {
            item.code: item.name_vi if locale == "vi" else item.name_en
            for item in PROVINCES
            if item.code in wanted
        }
    elif dimension == "product":
        names = {
            product_id: f"{item.sku} · {item.name_vi if locale == 'vi' else item.name_en}"
            for product_id, item in get_products(connection, wanted).items()
        }
    elif dimension == "warehouse":
        names = {item.id: item.name for item in list_warehouses(connection) if item.id in wanted}
    elif dimension == "carrier":
        names = {item.id: item.name for item in list_carriers(connection) if item.id in wanted}
    return {value: names.get(value) or value for value in wanted}
