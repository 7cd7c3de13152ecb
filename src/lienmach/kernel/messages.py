"""Events: published facts, named in the past tense, touching named business objects.

An event is a frozen dataclass. The objects it touches (for the object-centric event log) are
read from its fields: a field ``order_id`` touches the object of type ``order``; a field
``line_ids`` touches each ``line``. An event may override :meth:`Event.touches` to say more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
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
        values = {name: getattr(self, name) for name in _field_names(type(self))}
        if all(_is_flat(value) for value in values.values()):
            return values  # what asdict gives for flat fields, without its deep copies
        return dataclasses.asdict(self)

    @classmethod
    def from_payload(cls: type[E], payload: Mapping[str, Any]) -> E:
        names = _field_names(cls)
        values = {}
        for key, value in payload.items():
            if key in names:
                values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def touches(self) -> list[ObjectRef]:
        return _refs(type(self), self.__dict__.get)

    @classmethod
    def touched_in(cls, payload: Mapping[str, Any]) -> list[ObjectRef]:
        """What :meth:`touches` gives for the event ``payload`` came from, without the event."""
        return _refs(cls, payload.get)


def _refs(event_type: type[Event], value_of: Callable[[str], Any]) -> list[ObjectRef]:
    refs: list[ObjectRef] = []
    for name, kind, role in _object_fields(event_type):
        value = value_of(name)
        if value is None or value == "":
            continue
        values: Iterable[Any] = value if isinstance(value, list | tuple) else (value,)
        refs.extend((kind, str(item), role) for item in values)
    return refs


_ATOMS = (str, int, float, bool, type(None))


def _is_flat(value: Any) -> bool:
    if isinstance(value, _ATOMS):
        return True
    return type(value) is tuple and all(isinstance(item, _ATOMS) for item in value)


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}
_OBJECT_FIELDS: dict[type[Any], tuple[tuple[str, str, str], ...]] = {}


def _field_names(event_type: type[Event]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(event_type)
    if names is None:
        names = _FIELD_NAMES[event_type] = tuple(f.name for f in dataclasses.fields(event_type))
    return names


def _object_fields(event_type: type[Event]) -> tuple[tuple[str, str, str], ...]:
    """(field, object type, role) of each field naming business objects, worked out once."""
    known = _OBJECT_FIELDS.get(event_type)
    if known is not None:
        return known
    found = []
    for name in _field_names(event_type):
        if name in event_type.OBJECT_FIELDS:
            kind = event_type.OBJECT_FIELDS[name]
            role = name.removesuffix("_ids").removesuffix("_id")
        elif name.endswith("_ids"):
            kind = role = name.removesuffix("_ids")
        elif name.endswith("_id"):
            kind = role = name.removesuffix("_id")
        else:
            continue
        found.append((name, kind, role))
    _OBJECT_FIELDS[event_type] = tuple(found)
    return _OBJECT_FIELDS[event_type]


def event_types(*modules: Any) -> dict[str, type[Event]]:
    """Every Event subclass defined in the given ``events`` modules, by type name."""
    found: dict[str, type[Event]] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Event) and value is not Event:
                found[value.type_name()] = value
    return found
