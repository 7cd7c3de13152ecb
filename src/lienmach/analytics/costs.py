"""Operating cost per order: the cost model (rates per stage) and the cost of summed drivers.

The sums keep cost *drivers* (orders picked, parcels, carrier fees, amounts paid, tickets
opened), not costs, so an edited rate applies at once to every window, past ones included,
and upkeep and recompute never disagree because of a rate change.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, select

from lienmach.analytics.tables import cost_rates
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork

# Shipped defaults; what the business sets in the table replaces them one by one.
DEFAULT_RATES: dict[str, int] = {
    "labour_vnd_per_hour": 40_000,
    "order_handling_minutes": 3,  # per order: checking, answering, data entry
    "picking_minutes": 6,  # per picked order
    "packing_minutes": 4,  # per parcel
    "packaging_vnd": 6_000,  # per parcel
    "prepaid_fee_basis_points": 110,  # gateway fee: 1.1 % of the amount paid
    "cod_fee_basis_points": 50,  # carrier's cash collection fee: 0.5 % of the COD amount
    "support_minutes": 20,  # per ticket opened or reopened
}

# Cost components by stage, in the order shown.
COST_STAGES = ("data_entry", "picking", "packing", "delivery", "payment", "customer_care")


def rates(connection: Connection) -> dict[str, int]:
    """The cost model in force: defaults overlaid with what the business set."""
    current = dict(DEFAULT_RATES)
    for name, value in connection.execute(select(cost_rates.c.name, cost_rates.c.value)):
        current[name] = int(value)
    return current


def set_cost_rate(uow: UnitOfWork, *, name: str, value: int) -> None:
    """Change one rate of the cost model (e.g. ``packaging_vnd``); applies to every window."""
    errors: dict[str, str] = {}
    if name not in DEFAULT_RATES:
        errors["name"] = "choose one of: " + ", ".join(DEFAULT_RATES)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        errors["value"] = "give a whole number, 0 or more"
    if errors:
        raise InvalidInput(errors)
    connection = uow.connection
    if not insert_ignoring_duplicates(connection, cost_rates, {"name": name, "value": value}):
        connection.execute(cost_rates.update().where(cost_rates.c.name == name).values(value=value))


def cost_by_stage(sums: Mapping[str, int], rates: Mapping[str, int]) -> dict[str, int]:
    """VND spent per stage on the orders behind ``sums`` (whole đồng, rounded down)."""
    per_minute_times_60 = rates["labour_vnd_per_hour"]

    def labour(minutes: int) -> int:
        return minutes * per_minute_times_60 // 60

    parcels = sums.get("parcels", 0)
    return {
        "data_entry": labour(sums.get("orders_final", 0) * rates["order_handling_minutes"]),
        "picking": labour(sums.get("picked_orders", 0) * rates["picking_minutes"]),
        "packing": labour(parcels * rates["packing_minutes"]) + parcels * rates["packaging_vnd"],
        "delivery": sums.get("carrier_fee_vnd", 0)
        + sums.get("cod_vnd", 0) * rates["cod_fee_basis_points"] // 10_000,
        "payment": sums.get("prepaid_vnd", 0) * rates["prepaid_fee_basis_points"] // 10_000,
        "customer_care": labour(sums.get("support_opens", 0) * rates["support_minutes"]),
    }
