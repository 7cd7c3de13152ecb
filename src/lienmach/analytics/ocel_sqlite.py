"""The OCEL 2.0 SQLite format: event, object, event_object, object_object, event_map_type,
object_map_type, and one event_<Type> / object_<Type> table per type, written chunk by chunk.

An event table is created when its type is first met, and grows a column when an attribute
appears that earlier events of the type did not have.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from lienmach.analytics.ocel import (
    ObjectIndex,
    Progress,
    TypeSchema,
    attribute_history,
    events_between,
    object_schema,
    typed,
)
from lienmach.kernel.clock import as_utc

_COLUMN_TYPES = {"integer": "INTEGER", "float": "REAL", "boolean": "INTEGER", "time": "TIMESTAMP"}
_BEFORE_ANYTHING = "1970-01-01 00:00:00"

_SCHEMA = """
CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT,
    FOREIGN KEY (ocel_type) REFERENCES event_map_type (ocel_type));
CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT,
    FOREIGN KEY (ocel_type) REFERENCES object_map_type (ocel_type));
CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT,
    PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier),
    FOREIGN KEY (ocel_event_id) REFERENCES event (ocel_id),
    FOREIGN KEY (ocel_object_id) REFERENCES object (ocel_id));
CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT,
    PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier),
    FOREIGN KEY (ocel_source_id) REFERENCES object (ocel_id),
    FOREIGN KEY (ocel_target_id) REFERENCES object (ocel_id));
"""


def type_map(name: str) -> str:
    """The table-name form of a type: ``pick_task`` → ``PickTask``; ``OrderPlaced`` stays."""
    parts = re.split(r"[^0-9A-Za-z]+", name)
    return "".join(part[:1].upper() + part[1:] for part in parts if part) or "Unnamed"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _time(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M:%S.%f")


def _cell(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


class _EventTables:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.schema = TypeSchema()
        self.columns: dict[str, list[str]] = {}

    def table(self, kind: str, attributes: dict[str, Any]) -> str:
        name = "event_" + type_map(kind)
        if kind not in self.columns:
            self.db.execute("INSERT INTO event_map_type VALUES (?, ?)", (kind, type_map(kind)))
            self.db.execute(
                f"CREATE TABLE {_quote(name)} (ocel_id TEXT PRIMARY KEY, ocel_time TIMESTAMP,"
                " FOREIGN KEY (ocel_id) REFERENCES event (ocel_id))"
            )
            self.columns[kind] = []
        for attribute, value in attributes.items():
            if value is not None:
                self.schema.see(kind, attribute, value)
            if attribute not in self.columns[kind]:
                kinds = self.schema.attributes.get(kind, {})
                column_type = _COLUMN_TYPES.get(kinds.get(attribute, "string"), "TEXT")
                self.db.execute(
                    f"ALTER TABLE {_quote(name)} ADD COLUMN {_quote(attribute)} {column_type}"
                )
                self.columns[kind].append(attribute)
        return name


def write_ocel_sqlite(
    connection: Connection,
    path: Path,
    *,
    since: datetime,
    until: datetime,
    progress: Progress = lambda _done: None,
) -> tuple[int, int]:
    """Write the window's log to a new SQLite file at ``path``; returns (events, objects)."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        tables = _EventTables(db)
        objects = ObjectIndex()
        written = 0
        for chunk in events_between(connection, since, until):
            for event in chunk:
                table = tables.table(event.type, event.attributes)
                names = list(event.attributes)
                db.execute("INSERT INTO event VALUES (?, ?)", (event.id, event.type))
                db.execute(
                    f"INSERT INTO {_quote(table)} (ocel_id, ocel_time"
                    + "".join(f", {_quote(n)}" for n in names)
                    + ") VALUES (?, ?"
                    + ", ?" * len(names)
                    + ")",
                    (event.id, _time(event.time), *(_cell(event.attributes[n]) for n in names)),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO event_object VALUES (?, ?, ?)",
                    [(event.id, object_id, role) for object_id, _k, role in event.relationships],
                )
                objects.see(event)
                written += 1
            db.commit()
            progress(len(chunk))
        _write_objects(db, objects, attribute_history(connection, since, until))
        db.commit()
    finally:
        db.close()
    return written, len(objects.types)


def _write_objects(
    db: sqlite3.Connection,
    objects: ObjectIndex,
    history: dict[str, list[tuple[str, str, datetime]]],
) -> None:
    schema = object_schema(objects.types, history)
    for kind, attributes in sorted(schema.attributes.items()):
        db.execute("INSERT INTO object_map_type VALUES (?, ?)", (kind, type_map(kind)))
        columns = "".join(
            f", {_quote(name)} {_COLUMN_TYPES.get(column_type, 'TEXT')}"
            for name, column_type in attributes.items()
        )
        db.execute(
            f"CREATE TABLE {_quote('object_' + type_map(kind))} (ocel_id TEXT,"
            f" ocel_time TIMESTAMP, ocel_changed_field TEXT{columns},"
            " FOREIGN KEY (ocel_id) REFERENCES object (ocel_id))"
        )
    db.executemany("INSERT INTO object VALUES (?, ?)", sorted(objects.types.items()))
    for object_id, kind in sorted(objects.types.items()):
        table = _quote("object_" + type_map(kind))
        db.execute(
            f"INSERT INTO {table} (ocel_id, ocel_time) VALUES (?, ?)", (object_id, _BEFORE_ANYTHING)
        )
        kinds = schema.attributes.get(kind, {})
        for name, value, at in history.get(object_id, []):
            cell = typed(value) if kinds.get(name) == "integer" else value
            db.execute(
                f"INSERT INTO {table} (ocel_id, ocel_time, ocel_changed_field, {_quote(name)})"
                " VALUES (?, ?, ?, ?)",
                (object_id, _time(at), name, cell),
            )
    db.executemany(
        "INSERT OR IGNORE INTO object_object VALUES (?, ?, ?)", sorted(objects.relations)
    )
