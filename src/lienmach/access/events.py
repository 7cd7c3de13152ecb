"""Access events: the audit trail of API keys and accounts (who issued or revoked what, when)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class ApiKeyCreated(Event):
    OBJECT_FIELDS: ClassVar = {"api_key_id": "api_key"}
    api_key_id: str
    name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class ApiKeyRevoked(Event):
    OBJECT_FIELDS: ClassVar = {"api_key_id": "api_key"}
    api_key_id: str
    name: str


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: str
    email: str
    role: str


@dataclass(frozen=True)
class UserDisabled(Event):
    user_id: str


@dataclass(frozen=True)
class UserEnabled(Event):
    user_id: str
