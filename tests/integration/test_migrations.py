"""`lienmach migrate` builds exactly the schema the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import DBAPIError

from lienmach.bootstrap import TABLE_MODULES
from lienmach.kernel.db import metadata
from lienmach.kernel.tables import event_log, event_objects
from lienmach.migrate import upgrade
from tests.conftest import START

pytestmark = pytest.mark.integration


def test_migrations_create_the_declared_schema(database) -> None:  # type: ignore[no-untyped-def]
    url = database.url
    if database.schema:
        url = f"{url}?options=-csearch_path%3D{database.schema}"
    assert TABLE_MODULES

    upgrade(url)
    upgrade(url)  # a second run changes nothing and does not fail

    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_migrated_event_log_refuses_changes(database) -> None:  # type: ignore[no-untyped-def]
    url = database.url
    if database.schema:
        url = f"{url}?options=-csearch_path%3D{database.schema}"
    upgrade(url)
    with database.engine.begin() as connection:
        connection.execute(
            event_log.insert().values(
                id="E1", type="OrderPlaced", occurred_at=START, actor="test", payload={}
            )
        )
        connection.execute(
            event_objects.insert().values(
                event_id="E1", object_type="order", object_id="O1", role="order"
            )
        )

    for statement in ("UPDATE event_log SET actor = 'forger'", "DELETE FROM event_objects"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
            connection.exec_driver_sql(statement)
