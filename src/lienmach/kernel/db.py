"""The database handle: one MetaData for every context, engines for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Engine, MetaData, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB

from lienmach.kernel.bulk import dialect_insert
from lienmach.kernel.prepared import Prepared, prepared

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JsonColumn = JSON().with_variant(JSONB(), "postgresql")


def json_text(value: Any) -> str:
    """``value`` as JSON text for SQLite: orjson, several times faster than the json module
    (every event, job, fact and trace is JSON), the same values back (keys that are numbers
    become strings, UTF-8 rather than \\u escapes); what orjson refuses (an integer past 64
    bits, a lone surrogate) is written by the json module as before."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def json_value(text: str | bytes) -> Any:
    """What :func:`json_text` wrote (or the json module before it), read back."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, a lone surrogate: what only the json module writes
        return json.loads(text)


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pool_size: int = 10, schema: str | None = None) -> Engine:
    """An engine tuned for Lienmach's use: SQLite in WAL with durable commits, or PostgreSQL.

    ``schema`` (PostgreSQL only) puts every table in that schema; tests use one per test.
    """
    if is_sqlite_url(url):
        # Pooled: opening a SQLite connection costs PRAGMAs, and closing the last one
        # checkpoints the WAL; both are too dear to pay per transaction.
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=2 * pool_size,
            json_serializer=json_text,
            json_deserializer=json_value,
        )
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE below applies.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Take the write lock up front: a deferred transaction that later writes can fail with
        # "database is locked" without waiting, which would break concurrent reservations.
        # Reads that will never write say so and do not queue behind writers.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "lienmach_read_only"


@contextlib.contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only: on SQLite it does not take the write lock."""
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY: True})
        with connection.begin():  # begun, so that prepared statements run on the driver
            yield connection


@contextlib.contextmanager
def look_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for a single read statement (a worker's "anything to do?"): like
    :func:`read_connection`, but on PostgreSQL without the BEGIN and COMMIT round trips (the
    statement commits on its own). Not for server-side cursors, which need a transaction."""
    if engine.dialect.name != "postgresql":
        with read_connection(engine) as connection:
            yield connection
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with connection.begin():  # begun, so that prepared statements run on the driver
            yield connection


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any]
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either database; returns rows actually inserted.

    Counted through RETURNING: psycopg reports no row count for ON CONFLICT inserts.
    """
    if isinstance(rows, Mapping):
        rows = [rows]
    if not rows:
        return 0
    statement = _insert_ignoring(table, connection.dialect.name, None)
    return len(statement.run(connection, rows[0] if len(rows) == 1 else list(rows)))


def inserted_keys(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str | None = None,
) -> set[Any]:
    """INSERT ... ON CONFLICT DO NOTHING of many rows in one statement; returns the ``key``
    column (default: the primary key) of the rows that went in, so a caller acts on those
    only. Give the rows in a fixed order: concurrent inserts of the same keys then wait on
    each other in one order (no deadlock)."""
    if not rows:
        return set()
    statement = _insert_ignoring(table, connection.dialect.name, key)
    return set(statement.run(connection, rows[0] if len(rows) == 1 else list(rows)).scalars())


@functools.cache
def _insert_ignoring(table: Table, dialect: str, key: str | None) -> Prepared:
    insert = dialect_insert(table, dialect)
    returned = table.c[key] if key else next(iter(table.primary_key.columns))
    return prepared(insert.on_conflict_do_nothing().returning(returned))


def is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


class SavepointPerUnit:
    """Savepoints for units of work run one after another in one transaction: each unit's
    replaces the last one's (released, not nested), and :meth:`undo` rolls back what the
    current unit wrote. On PostgreSQL the release and the new savepoint go in one round trip;
    the last savepoint goes with the commit.

    Written as plain SQL: ``Connection.begin_nested`` costs ~150 µs of bookkeeping per use,
    a prepared statement a few, and a group commit takes one per unit.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._open = False

    def begin_unit(self) -> None:
        if self._open and is_postgresql(self._connection):
            # No parameters: psycopg sends both statements as one simple query.
            cursor = self._connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(_RELEASE_AND_BEGIN)
            finally:
                cursor.close()
            return
        if self._open:
            _RELEASE_SAVEPOINT.run(self._connection)
        _SAVEPOINT.run(self._connection)
        self._open = True

    def undo(self) -> None:
        """Roll back to the current unit's savepoint (which stays, for the next to release)."""
        _ROLLBACK_TO_SAVEPOINT.run(self._connection)


_RELEASE_AND_BEGIN = "RELEASE SAVEPOINT lienmach_unit; SAVEPOINT lienmach_unit"
_SAVEPOINT = prepared(text("SAVEPOINT lienmach_unit"))
_ROLLBACK_TO_SAVEPOINT = prepared(text("ROLLBACK TO SAVEPOINT lienmach_unit"))
_RELEASE_SAVEPOINT = prepared(text("RELEASE SAVEPOINT lienmach_unit"))
