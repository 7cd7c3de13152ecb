"""Events: published facts, named in the past tense, touching named business objects.

An event is a frozen dataclass. The objects it touches (for the object-centric event log) are
read from its fields: a field ``order_id`` touches the object of type ``order``; a field
``line_ids`` touches each ``line``. An event may override :meth:`Event.touches` to say more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

ObjectRef = tuple[str, str, str]  # (object type, object id, role)

E = TypeVar("E", bound="Event")


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every published fact."""

    #: Extra object types per field name when the field name alone does not say it,
    #: e.g. ``{"source_warehouse_id": "warehouse"}``.
    OBJECT_FIELDS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls: type[E], payload: Mapping[str, Any]) -> E:
        names = {field.name for field in dataclasses.fields(cls)}
        values = {}
        for key, value in payload.items():
            if key in names:
                values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def touches(self) -> list[ObjectRef]:
        refs: list[ObjectRef] = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or value == "":
                continue
            if field.name in self.OBJECT_FIELDS:
                kind = self.OBJECT_FIELDS[field.name]
                role = field.name.removesuffix("_ids").removesuffix("_id")
            elif field.name.endswith("_ids"):
                kind = role = field.name.removesuffix("_ids")
            elif field.name.endswith("_id"):
                kind = role = field.name.removesuffix("_id")
            else:
                continue
            values: Iterable[Any] = value if isinstance(value, list | tuple) else (value,)
            refs.extend((kind, str(item), role) for item in values)
        return refs


def event_types(*modules: Any) -> dict[str, type[Event]]:
    """Every Event subclass defined in the given ``events`` modules, by type name."""
    found: dict[str, type[Event]] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Event) and value is not Event:
                found[value.type_name()] = value
    return found
