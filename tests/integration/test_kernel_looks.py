"""A worker's "anything to do?" looks: one statement, and on PostgreSQL no transaction
around it (no BEGIN and COMMIT round trips), while reads that need one keep it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from lienmach.kernel.db import look_connection, read_connection

pytestmark = pytest.mark.integration


def _driver_in_transaction(connection: Any, kind: str) -> bool:
    driver = connection.connection.dbapi_connection
    if kind == "sqlite":
        return bool(driver.in_transaction)
    from psycopg.pq import TransactionStatus

    return driver.info.transaction_status != TransactionStatus.IDLE


def test_a_look_opens_no_transaction_on_postgresql_and_a_read_does(database) -> None:  # type: ignore[no-untyped-def]
    with look_connection(database.engine) as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
        looked_inside = _driver_in_transaction(connection, database.kind)
    with read_connection(database.engine) as connection:
        assert connection.execute(text("SELECT 2")).scalar() == 2
        read_inside = _driver_in_transaction(connection, database.kind)
    # SQLite: both are read transactions (they never take the write lock).
    assert looked_inside is (database.kind == "sqlite")
    assert read_inside is True
