"""`lienmach migrate` builds exactly the schema the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lienmach.bootstrap import TABLE_MODULES
from lienmach.kernel.db import metadata
from lienmach.migrate import upgrade

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
