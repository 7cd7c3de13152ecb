"""The one map of role → permissions the back office enforces."""

from __future__ import annotations

import pytest

from lienmach.access.roles import PERMISSIONS, STAFF_ROLES, Permission, Role, may, permissions_of

pytestmark = pytest.mark.unit


def test_every_role_has_its_permissions_and_the_owner_everything_staff_may_do() -> None:
    assert set(PERMISSIONS) == set(Role)
    staff_permissions = set(Permission) - {Permission.OWN_ORDERS}
    assert PERMISSIONS[Role.OWNER] == staff_permissions
    for role in STAFF_ROLES:
        assert may(role, Permission.DASHBOARD) and may(role, Permission.ORDERS_READ)
        assert not may(role, Permission.OWN_ORDERS)


def test_each_role_does_its_own_job_only() -> None:
    assert may("warehouse", Permission.WAREHOUSE) and not may("warehouse", Permission.LEDGER)
    assert may("accountant", Permission.LEDGER) and not may("accountant", Permission.WAREHOUSE)
    assert may("support", Permission.TICKETS) and not may("support", Permission.LEDGER)
    assert may("sales", Permission.ORDERS_WRITE) and not may("sales", Permission.SETTINGS)
    assert [role for role in Role if may(role, Permission.SETTINGS)] == [Role.OWNER]


def test_customers_and_unknown_roles_never_enter_the_back_office() -> None:
    assert permissions_of("customer") == {Permission.OWN_ORDERS}
    assert Role.CUSTOMER not in STAFF_ROLES
    assert permissions_of("boss") == frozenset()
    assert not may("boss", Permission.DASHBOARD)
