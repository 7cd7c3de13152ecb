"""`lienmach migrate` builds exactly the schema the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import DBAPIError

from lienmach.bootstrap import TABLE_MODULES
from lienmach.kernel import feed
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


def test_events_logged_before_the_feed_count_as_read_by_it(database) -> None:  # type: ignore[no-untyped-def]
    """Their projection deliveries still run through rows (ADR 0015): the feed must not fold
    them a second time."""
    url = database.url
    if database.schema:
        url = f"{url}?options=-csearch_path%3D{database.schema}"
    upgrade(url, "0011")
    with database.engine.begin() as connection:
        for event_id in ("E1", "E2"):
            connection.exec_driver_sql(
                "INSERT INTO event_log (id, type, occurred_at, actor, payload)"
                f" VALUES ('{event_id}', 'OrderPlaced', '2026-11-01 08:00:00+00', 'test', '{{}}')"
            )

    assert upgrade(url) == ["0012", "0013", "0014", "0015", "0016"]

    with database.engine.connect() as connection:
        assert feed.read_position(connection) == feed.Position(0, "E2")
        assert feed.lag(connection) == 0
