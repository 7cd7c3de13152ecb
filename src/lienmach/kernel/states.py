"""Workflows declared as data: states as StrEnums with a table of allowed transitions."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from lienmach.kernel.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


def check_transition(
    kind: str, identifier: str, transitions: Mapping[S, frozenset[S]], current: S, wanted: S
) -> None:
    """Raise InvalidTransition unless ``current -> wanted`` is in the table."""
    if wanted not in transitions.get(current, frozenset()):
        raise InvalidTransition(kind, identifier, current.value, wanted.value)
