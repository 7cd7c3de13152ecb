"""Roles and what each may do: the one permission map the server checks on every page.

Pure data, no database. A page names the permission it needs; a user's role grants a set of
permissions. Nothing else decides who may see or change what.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"  # the owner or an administrator: everything
    SALES = "sales"
    WAREHOUSE = "warehouse"
    SUPPORT = "support"
    ACCOUNTANT = "accountant"
    CUSTOMER = "customer"  # a shop customer's account: never the back office


class Permission(StrEnum):
    DASHBOARD = "dashboard:read"
    ANALYTICS = "analytics:read"  # KPIs, process map, alerts, targets
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    WAREHOUSE = "warehouse:work"
    SHIPMENTS = "shipments:read"
    TICKETS = "tickets:work"
    CUSTOMERS = "customers:read"
    LEDGER = "ledger:read"
    SETTINGS = "settings"
    OWN_ORDERS = "shop:own-orders"  # a customer's own orders, tickets and surveys


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(set(P) - {P.OWN_ORDERS}),
    Role.SALES: frozenset(
        {P.DASHBOARD, P.ORDERS_READ, P.ORDERS_WRITE, P.SHIPMENTS, P.CUSTOMERS, P.TICKETS}
    ),
    Role.WAREHOUSE: frozenset({P.DASHBOARD, P.ORDERS_READ, P.WAREHOUSE, P.SHIPMENTS}),
    Role.SUPPORT: frozenset({P.DASHBOARD, P.ORDERS_READ, P.SHIPMENTS, P.TICKETS, P.CUSTOMERS}),
    Role.ACCOUNTANT: frozenset({P.DASHBOARD, P.ORDERS_READ, P.LEDGER, P.CUSTOMERS, P.ANALYTICS}),
    Role.CUSTOMER: frozenset({P.OWN_ORDERS}),
}
STAFF_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.CUSTOMER)


def permissions_of(role: str) -> frozenset[Permission]:
    """What a role may do; an unknown role may do nothing."""
    try:
        return PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


def may(role: str, permission: Permission) -> bool:
    """Whether a user with ``role`` may do what needs ``permission``."""
    return permission in permissions_of(role)
