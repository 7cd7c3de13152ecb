"""Database migrations through Alembic, with the scripts shipped inside the package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select

from lienmach.kernel.db import make_engine
from lienmach.kernel.tables import event_log

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
# Upgrades that leave the KPI state of an existing event log to be rebuilt from it: 0007
# creates the analytics tables and 0009 the rollups, both empty however long the log.
REBUILD_ANALYTICS_AFTER = frozenset({"0007", "0009"})


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> list[str]:
    """Bring the database at ``database_url`` to ``revision`` (the latest by default);
    returns the revisions applied, oldest first."""
    config = alembic_config(database_url)
    before = current_revision(database_url)
    command.upgrade(config, revision)
    after = current_revision(database_url)
    if after is None or after == before:
        return []
    scripts = ScriptDirectory.from_config(config)
    applied = [script.revision for script in scripts.iterate_revisions(after, before)]
    return list(reversed(applied))


def current_revision(database_url: str) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    return _read(database_url, lambda c: MigrationContext.configure(c).get_current_revision())


def needs_analytics_rebuild(database_url: str, applied: list[str]) -> bool:
    """Whether the upgrade just made left an event log whose KPIs must be rebuilt."""
    if not REBUILD_ANALYTICS_AFTER.intersection(applied):
        return False
    has_events = select(event_log.c.id).limit(1)
    return _read(database_url, lambda c: c.execute(has_events).first() is not None)


def _read(database_url: str, query: Callable[[Connection], T]) -> T:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return query(connection)
    finally:
        engine.dispose()
