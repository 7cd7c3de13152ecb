"""OCEL 2.0 export: the object-centric event log of a time window, read in chunks, for the JSON
and SQLite writers (analytics/ocel_json.py, analytics/ocel_sqlite.py).

Events are the log's events in [since, until); their objects are the objects they touch, with
the role as the qualifier. Object attributes over time come from the analytics attribute history.
Object-to-object relations: every object an event touches together with an order is related to
that order, qualified by its role (order → line, order → shipment, order → customer...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, or_, select

from lienmach.analytics.queries import object_attribute_changes
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.tables import event_log, event_objects

CHUNK = 1_000
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
ORDER = "order"

Progress = Callable[[int], None]  # called with the number of events just written


@dataclass(frozen=True)
class OcelEvent:
    id: str
    type: str
    time: datetime
    attributes: dict[str, Any]
    relationships: list[tuple[str, str, str]]  # (object id, object type, qualifier)


@dataclass
class TypeSchema:
    """Attribute names and OCEL types seen for each event or object type, in first-seen order."""

    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    def see(self, type_name: str, name: str, value: Any) -> None:
        known = self.attributes.setdefault(type_name, {})
        kind = ocel_type_of(value)
        if name not in known or known[name] == kind:
            known[name] = kind
        elif value is not None:
            known[name] = "string"


@dataclass
class ObjectIndex:
    """Objects met while the events stream past, and their relations to orders."""

    types: dict[str, str] = field(default_factory=dict)  # object id -> type
    relations: set[tuple[str, str, str]] = field(default_factory=set)

    def see(self, event: OcelEvent) -> None:
        orders = [object_id for object_id, kind, _ in event.relationships if kind == ORDER]
        for object_id, kind, qualifier in event.relationships:
            self.types.setdefault(object_id, kind)
            for order_id in orders:
                if object_id != order_id:
                    self.relations.add((order_id, object_id, qualifier))


def ocel_type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, datetime):
        return "time"
    return "string"


def plain(value: Any) -> Any:
    """An attribute value OCEL can hold: lists and mappings become JSON text."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _is_reference(name: str) -> bool:
    return name.endswith("_id") or name.endswith("_ids")


def count_events(connection: Connection, since: datetime, until: datetime) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(event_log)
            .where(event_log.c.occurred_at >= since, event_log.c.occurred_at < until)
        ).scalar_one()
    )


def events_between(
    connection: Connection, since: datetime, until: datetime, *, chunk: int = CHUNK
) -> Iterator[list[OcelEvent]]:
    """The window's events in time order, ``chunk`` at a time, each with its objects."""
    after: tuple[datetime, str] | None = None
    while True:
        statement = (
            select(event_log)
            .where(event_log.c.occurred_at >= since, event_log.c.occurred_at < until)
            .order_by(event_log.c.occurred_at, event_log.c.id)
            .limit(chunk)
        )
        if after is not None:
            statement = statement.where(
                or_(
                    event_log.c.occurred_at > after[0],
                    and_(event_log.c.occurred_at == after[0], event_log.c.id > after[1]),
                )
            )
        rows = connection.execute(statement).all()
        if not rows:
            return
        touched: dict[str, list[tuple[str, str, str]]] = {row.id: [] for row in rows}
        links = connection.execute(
            select(event_objects)
            .where(event_objects.c.event_id.in_(list(touched)))
            .order_by(
                event_objects.c.event_id, event_objects.c.object_type, event_objects.c.object_id
            )
        )
        for link in links:
            touched[link.event_id].append((link.object_id, link.object_type, link.role))
        yield [
            OcelEvent(
                id=row.id,
                type=row.type,
                time=as_utc(row.occurred_at),
                attributes={
                    "actor": row.actor,
                    **{
                        name: plain(value)
                        for name, value in (row.payload or {}).items()
                        if not _is_reference(name)
                    },
                },
                relationships=touched[row.id],
            )
            for row in rows
        ]
        after = (rows[-1].occurred_at, rows[-1].id)


def attribute_history(
    connection: Connection, since: datetime, until: datetime
) -> dict[str, list[tuple[str, str, datetime]]]:
    """Object id → its attribute changes (name, value, time) in the window, oldest first."""
    history: dict[str, list[tuple[str, str, datetime]]] = {}
    for _kind, object_id, name, value, at in object_attribute_changes(connection, since, until):
        history.setdefault(object_id, []).append((name, value, at))
    return history


def typed(value: str) -> int | str:
    """Attribute history holds text; whole numbers go out as numbers."""
    stripped = value.strip()
    if stripped.lstrip("-").isdigit() and len(stripped) < 19:
        return int(stripped)
    return value


def object_schema(
    types: dict[str, str], history: dict[str, list[tuple[str, str, datetime]]]
) -> TypeSchema:
    schema = TypeSchema()
    for object_type in sorted(set(types.values())):
        schema.attributes.setdefault(object_type, {})
    for object_id, changes in history.items():
        kind = types.get(object_id)
        if kind is None:
            continue
        for name, value, _at in changes:
            schema.see(kind, name, typed(value))
    return schema


def time_text(moment: datetime) -> str:
    """UTC, ISO 8601 with offset, as the OCEL 2.0 JSON format wants it."""
    return as_utc(moment).isoformat()


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = ("json", "sqlite")


def parse_window(since: str | None, until: str | None) -> tuple[datetime, datetime]:
    """[since, until) from the command line: a date (a whole day in Việt Nam; ``until`` is
    included) or an ISO date-time; an empty side is open."""
    errors: dict[str, str] = {}
    bounds: dict[str, datetime] = {}
    for name, text, default in (("since", since, BEGINNING), ("until", until, END_OF_TIME)):
        if not text:
            bounds[name] = default
            continue
        try:
            if len(text.strip()) == 10:
                day = date.fromisoformat(text.strip())
                if name == "until":
                    day += timedelta(days=1)
                bounds[name] = datetime.combine(day, time(), VIETNAM).astimezone(UTC)
            else:
                moment = datetime.fromisoformat(text.strip())
                bounds[name] = (
                    moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
                ).astimezone(UTC)
        except ValueError:
            errors[name] = "give a date as YYYY-MM-DD or a date-time as YYYY-MM-DDTHH:MM"
    if not errors and bounds["since"] >= bounds["until"]:
        errors["until"] = "must be after since"
    if errors:
        raise InvalidInput(errors)
    return bounds["since"], bounds["until"]
