"""The OCEL 2.0 JSON format, written as the events stream past: events first (the key order
of a JSON object carries no meaning), then objects, then the type declarations seen on the way."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from lienmach.analytics.ocel import (
    ObjectIndex,
    OcelEvent,
    Progress,
    TypeSchema,
    attribute_history,
    events_between,
    object_schema,
    time_text,
    typed,
)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _event(event: OcelEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "time": time_text(event.time),
        "attributes": [
            {"name": name, "value": value}
            for name, value in event.attributes.items()
            if value is not None
        ],
        "relationships": [
            {"objectId": object_id, "qualifier": qualifier}
            for object_id, _kind, qualifier in event.relationships
        ],
    }


def _types(schema: TypeSchema) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "attributes": [{"name": a, "type": kind} for a, kind in attributes.items()],
        }
        for name, attributes in sorted(schema.attributes.items())
    ]


def write_ocel_json(
    connection: Connection,
    path: Path,
    *,
    since: datetime,
    until: datetime,
    progress: Progress = lambda _done: None,
) -> tuple[int, int]:
    """Write the window's log to ``path`` as OCEL 2.0 JSON; returns (events, objects)."""
    event_schema = TypeSchema()
    objects = ObjectIndex()
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"events":[')
        for chunk in events_between(connection, since, until):
            for event in chunk:
                event_schema.attributes.setdefault(event.type, {})
                for name, value in event.attributes.items():
                    if value is not None:
                        event_schema.see(event.type, name, value)
                objects.see(event)
                out.write(("," if written else "") + "\n" + _dump(_event(event)))
                written += 1
            progress(len(chunk))
        out.write("\n],\n")
        history = attribute_history(connection, since, until)
        schema = object_schema(objects.types, history)
        _write_objects(out, objects, history, schema)
        out.write(',\n"objectTypes":' + _dump(_types(schema)))
        out.write(',\n"eventTypes":' + _dump(_types(event_schema)) + "}\n")
    return written, len(objects.types)


def _write_objects(
    out: IO[str],
    objects: ObjectIndex,
    history: dict[str, list[tuple[str, str, datetime]]],
    schema: TypeSchema,
) -> None:
    related: dict[str, list[dict[str, str]]] = {}
    for source, target, qualifier in sorted(objects.relations):
        related.setdefault(source, []).append({"objectId": target, "qualifier": qualifier})
    out.write('"objects":[')
    for index, (object_id, kind) in enumerate(sorted(objects.types.items())):
        kinds = schema.attributes.get(kind, {})
        item = {
            "id": object_id,
            "type": kind,
            "attributes": [
                {
                    "name": name,
                    "time": time_text(at),
                    "value": typed(value) if kinds.get(name) == "integer" else value,
                }
                for name, value, at in history.get(object_id, [])
            ],
            "relationships": related.get(object_id, []),
        }
        out.write(("," if index else "") + "\n" + _dump(item))
    out.write("\n]")
