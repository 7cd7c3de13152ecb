"""Alembic environment: runs against the URL the caller configured (``lienmach migrate``)."""

from __future__ import annotations

from alembic import context

from lienmach.kernel.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "set sqlalchemy.url (lienmach migrate does)"
connectable = config.attributes.get("connection")
# Only `scripts/new-migration` passes the code's tables, to autogenerate a revision from them.
target_metadata = config.attributes.get("target_metadata")

if connectable is not None:
    context.configure(
        connection=connectable,
        target_metadata=target_metadata,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
