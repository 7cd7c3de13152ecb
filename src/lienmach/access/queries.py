"""Access read side: which key a request carries, and the list of keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, select

from lienmach.access.model import allows, decode_scopes, hash_key
from lienmach.access.tables import api_keys


@dataclass(frozen=True)
class ApiKeyView:
    id: str
    name: str
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def actor(self) -> str:
        """Who the timeline says did what this key did."""
        return f"api-key:{self.name}"

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and allows(self.scopes, scope)


def _view(row: Row[tuple[object, ...]]) -> ApiKeyView:
    mapping = row._mapping
    return ApiKeyView(
        id=mapping["id"],
        name=mapping["name"],
        key_prefix=mapping["key_prefix"],
        scopes=decode_scopes(mapping["scopes"]),
        created_at=mapping["created_at"],
        revoked_at=mapping["revoked_at"],
    )


def authenticate(connection: Connection, key: str) -> ApiKeyView | None:
    """The live key ``key`` is; None when it is unknown or revoked.

    Looked up by its hash, so no comparison of secrets happens here that timing could leak.
    """
    row = connection.execute(
        select(api_keys).where(
            api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None)
        )
    ).first()
    return _view(row) if row is not None else None


def list_api_keys(connection: Connection) -> list[ApiKeyView]:
    """Every key, revoked ones too, oldest first (only the prefix of each key is known)."""
    rows = connection.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
    return [_view(row) for row in rows]
