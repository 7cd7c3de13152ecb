"""Prepared statements give what SQLAlchemy gives: same rows, counts, conversions and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, event, select, update

from lienmach.bootstrap import create_schema
from lienmach.kernel.db import SavepointPerUnit
from lienmach.kernel.prepared import prepared
from lienmach.kernel.rows import Rows
from lienmach.kernel.tables import event_deliveries, jobs

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
BY_STATE = select(jobs).where(jobs.c.state == bindparam("state")).order_by(jobs.c.id)
BY_IDS = select(jobs.c.id, jobs.c.payload).where(
    jobs.c.id.in_(bindparam("ids", expanding=True)), jobs.c.state.in_(["pending", "done"])
)
FINISH = (
    update(jobs)
    .where(jobs.c.id == bindparam("b_id"), jobs.c.state == "pending")
    .values(state="done", finished_at=bindparam("b_now"), result=bindparam("b_result"))
)


def job(number: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"j{number}",
        "kind": "email",
        "key": f"k{number}",
        "payload": {"to": f"khach{number}@example.vn", "lines": [number, None], "ok": True},
        "state": "pending",
        "attempts": 0,
        "available_at": NOW + timedelta(minutes=number),
        "created_at": NOW,
        **changes,
    }


def rows_of(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in result]


def test_rows_counts_and_conversions_match_sqlalchemy(database: Any) -> None:
    create_schema(database.engine)
    with database.engine.begin() as connection:
        prepared(jobs.insert()).run(connection, [job(1), job(2), job(3, state="done")])
        connection.execute(jobs.insert(), [job(4), job(5, payload=None)])
        for state in ("pending", "done"):
            fast = prepared(BY_STATE).run(connection, {"state": state})
            assert rows_of(fast) == rows_of(connection.execute(BY_STATE, {"state": state}))
            assert [row._mapping for row in fast] == [
                dict(row._mapping) for row in connection.execute(BY_STATE, {"state": state})
            ]
        first = prepared(BY_STATE).run(connection, {"state": "pending"}).first()
        assert first.available_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=1)
        assert first.payload == {"to": "khach1@example.vn", "lines": [1, None], "ok": True}
        # None in a JSON column is stored as SQLAlchemy stores it (JSON null).
        stored = connection.execute(select(jobs.c.payload).where(jobs.c.id == "j5")).scalar()
        assert stored is None

        finish = prepared(FINISH)
        changed = finish.run(
            connection,
            [
                {"b_id": "j1", "b_now": NOW, "b_result": {"sent": 1}},
                {"b_id": "j3", "b_now": NOW, "b_result": {"sent": 3}},  # done already
                {"b_id": "j4", "b_now": NOW, "b_result": {"sent": 4}},
            ],
        )
        assert changed.rowcount == 2
        done = connection.execute(
            select(jobs.c.id, jobs.c.result).where(jobs.c.state == "done").order_by(jobs.c.id)
        ).all()
        assert [tuple(row) for row in done] == [
            ("j1", {"sent": 1}),
            ("j3", None),
            ("j4", {"sent": 4}),
        ]


def test_in_lists_of_any_length_match_sqlalchemy(database: Any) -> None:
    create_schema(database.engine)
    with database.engine.begin() as connection:
        prepared(jobs.insert()).run(connection, [job(n) for n in range(1, 6)])
        statement = prepared(BY_IDS)
        for ids in (["j2"], ["j1", "j3", "j5"], ["j9"], ["j4", "j1"], [], ["j2"]):
            fast = sorted(rows_of(statement.run(connection, {"ids": ids})))
            slow = sorted(rows_of(connection.execute(BY_IDS, {"ids": ids})))
            assert fast == slow
            assert len(fast) == len([i for i in ids if i != "j9"])


def test_left_to_sqlalchemy_what_it_does_not_handle(database: Any) -> None:
    create_schema(database.engine)
    with database.engine.connect() as connection:
        # Nothing begun yet: SQLAlchemy runs it (and begins), so it stays in the transaction.
        prepared(jobs.insert()).run(connection, job(1))
        assert connection.in_transaction()
        # A Python-side default (attempts=0) that the caller left out.
        row = {"event_id": "e1", "subscriber": "s", "state": "pending", "available_at": NOW}
        prepared(event_deliveries.insert()).run(connection, row)
        connection.rollback()
        assert connection.execute(select(sa.func.count()).select_from(jobs)).scalar() == 0
    with database.engine.begin() as connection:
        prepared(event_deliveries.insert()).run(connection, row)
        assert connection.execute(select(event_deliveries.c.attempts)).scalar() == 0


def test_errors_are_sqlalchemys_and_a_savepoint_undoes_them(database: Any) -> None:
    create_schema(database.engine)
    insert = prepared(jobs.insert())
    with database.engine.begin() as connection:
        insert.run(connection, job(1))
        savepoints = SavepointPerUnit(connection)
        savepoints.begin_unit()
        with pytest.raises(sa.exc.IntegrityError):
            insert.run(connection, job(2))
            insert.run(connection, job(3, id="j1"))  # the same id
        savepoints.undo()
        with pytest.raises(sa.exc.InvalidRequestError, match="b_now"):
            prepared(FINISH).run(connection, {"b_id": "j1", "b_result": {}})
        assert rows_of(connection.execute(select(jobs.c.id, jobs.c.state))) == [("j1", "pending")]


def test_listeners_see_each_statement(database: Any) -> None:
    create_schema(database.engine)
    seen: list[tuple[str, bool]] = []

    def note(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        seen.append((statement.split()[0], many))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.engine.begin() as connection:
            prepared(jobs.insert()).run(connection, [job(1), job(2)])
            result = prepared(BY_STATE).run(connection, {"state": "pending"})
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert ("INSERT", True) in seen and ("SELECT", False) in seen
    assert isinstance(result, Rows) and result.scalars() == ["j1", "j2"]
    assert result.one_or_none is not None and len(result.all()) == 2


def test_a_statement_planned_on_each_run_is_never_kept_prepared_by_postgresql(
    database: Any,
) -> None:
    """psycopg prepares a statement on the server after a few runs, and PostgreSQL then keeps
    one generic plan for it; ``plan_each_run`` statements must be planned for their values.
    (SQLite has no generic plans: there the option changes nothing.)"""
    create_schema(database.engine)
    kept, each_run = prepared(BY_STATE), prepared(BY_STATE, plan_each_run=True)
    with database.engine.begin() as connection:
        prepared(jobs.insert()).run(connection, [job(1), job(2)])
        for _ in range(8):
            assert each_run.run(connection, {"state": "pending"}).scalars() == ["j1", "j2"]
        if database.kind == "sqlite":
            assert kept.run(connection, {"state": "pending"}).scalars() == ["j1", "j2"]
            return
        assert _server_prepared_selects(connection) == 0
        for _ in range(8):
            kept.run(connection, {"state": "pending"})
        assert _server_prepared_selects(connection) == 1


def _server_prepared_selects(connection: Any) -> int:
    return int(
        connection.exec_driver_sql(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT%%'"
        ).scalar()
    )


def test_many_rows_with_returning_give_sqlalchemys_rows_and_count(database: Any) -> None:
    """On SQLite they run one driver execute a row; listeners hear of one many-rows statement."""
    create_schema(database.engine)
    ignoring = prepared(
        sa.dialects.sqlite.insert(jobs).on_conflict_do_nothing().returning(jobs.c.id)
        if database.kind == "sqlite"
        else sa.dialects.postgresql.insert(jobs).on_conflict_do_nothing().returning(jobs.c.id)
    )
    seen: list[bool] = []

    def note(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.startswith("INSERT"):
            seen.append(many)

    with database.engine.begin() as connection:
        prepared(jobs.insert()).run(connection, job(2))
        event.listen(database.engine, "before_cursor_execute", note)
        try:
            fast = ignoring.run(connection, [job(3), job(2, key="other"), job(1)])
        finally:
            event.remove(database.engine, "before_cursor_execute", note)
        slow = connection.execute(
            ignoring.statement, [job(5), job(4), job(1, key="again")]
        ).scalars()
        assert fast.scalars() == ["j3", "j1"]  # the duplicate j2 left out, the order kept
        assert list(slow) == ["j5", "j4"]
        if database.kind == "sqlite":  # psycopg counts no rows of an ON CONFLICT insert
            assert fast.rowcount == 2
    assert len(seen) == 1
    with database.engine.connect() as connection:
        assert connection.execute(select(sa.func.count()).select_from(jobs)).scalar() == 5
