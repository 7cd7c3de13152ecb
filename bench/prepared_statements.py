"""Benchmark: one statement run through SQLAlchemy's ``Connection.execute`` and as a prepared
statement (kernel.prepared), on SQLite and PostgreSQL.

    python bench/prepared_statements.py [--runs 3000]

Prints µs per run of a few of the journey's statements: a read by key, a read with an IN
list, a version-checked update, and executemany inserts of event rows (µs per row).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, select, update

from lienmach.bootstrap import create_schema
from lienmach.kernel.db import make_engine
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import event_objects, jobs

POSTGRES = os.environ.get(
    "LIENMACH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
NOW = datetime.now(UTC)
STATEMENTS: dict[str, tuple[Any, dict[str, Any]]] = {
    "read by key": (select(jobs).where(jobs.c.id == bindparam("id")), {"id": "j7"}),
    "read, IN list of 5": (
        select(jobs.c.id, jobs.c.payload).where(jobs.c.id.in_(bindparam("ids", expanding=True))),
        {"ids": ["j1", "j2", "j3", "j4", "j5"]},
    ),
    "update by key and version": (
        update(jobs)
        .where(jobs.c.id == bindparam("b_id"), jobs.c.attempts == bindparam("b_attempts"))
        .values(locked_until=bindparam("b_until")),
        {"b_id": "j3", "b_attempts": 0, "b_until": NOW},
    ),
}


def timed(runs: int, work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        work()
    return (time.perf_counter() - started) / runs * 1e6


def _through_sqlalchemy(connection: sa.Connection, statement: Any, parameters: Any) -> Any:
    def run() -> Any:
        result = connection.execute(statement, parameters)
        return result.all() if result.returns_rows else result.rowcount

    return run


def _prepared(connection: sa.Connection, statement: Any, parameters: Any) -> Any:
    fast = prepared(statement)
    return lambda: fast.run(connection, parameters)


def measure(engine: sa.Engine, runs: int) -> None:
    create_schema(engine)
    rows = [
        {
            "id": f"j{n}",
            "kind": "email",
            "key": f"k{n}",
            "payload": {"to": "a@example.vn"},
            "state": "pending",
            "attempts": 0,
            "available_at": NOW,
            "created_at": NOW,
        }
        for n in range(20)
    ]
    with engine.begin() as connection:
        connection.execute(jobs.insert(), rows)
    for name, (statement, parameters) in STATEMENTS.items():
        with engine.begin() as connection:
            sqlalchemy = timed(runs, _through_sqlalchemy(connection, statement, parameters))
            ours = timed(runs, _prepared(connection, statement, parameters))
        print(f"  {name:28} {sqlalchemy:8.1f} µs   prepared {ours:8.1f} µs")
    insert, fast_insert = event_objects.insert(), prepared(event_objects.insert())
    for label, run in (
        ("SQLAlchemy", lambda batch: connection.execute(insert, batch)),
        ("prepared", lambda batch: fast_insert.run(connection, batch)),
    ):
        batch = [
            {"event_id": uuid.uuid4().hex, "object_type": "order", "object_id": f"o{n}", "role": ""}
            for n in range(runs)
        ]
        with engine.begin() as connection:
            per_row = timed(1, lambda batch=batch, run=run: run(batch)) / runs  # type: ignore[misc]
        print(f"  executemany insert, {label:10}  {per_row:8.1f} µs a row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("sqlite")
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        measure(engine, arguments.runs)
        engine.dispose()
    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        print("postgresql")
        engine = make_engine(POSTGRES, schema=schema)
        measure(engine, arguments.runs)
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


if __name__ == "__main__":
    main()
