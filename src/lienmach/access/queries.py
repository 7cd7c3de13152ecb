"""Access read side: which key a request carries, the list of keys, users and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from lienmach.access.credentials import hash_token, normalize_email
from lienmach.access.model import allows, decode_scopes, hash_key
from lienmach.access.roles import Permission, permissions_of
from lienmach.access.tables import api_keys, users, web_sessions
from lienmach.kernel.clock import as_utc


@dataclass(frozen=True)
class ApiKeyView:
    id: str
    name: str
    key_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = None

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
        last_used_at=mapping["last_used_at"],
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


@dataclass(frozen=True)
class UserView:
    id: str
    email: str
    display_name: str
    role: str
    customer_id: str | None
    locale: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def actor(self) -> str:
        """Who the timeline says did what this user did."""
        return f"user:{self.email}"

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset() if self.disabled_at is not None else permissions_of(self.role)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class SessionView:
    id: str
    user: UserView
    csrf_token: str
    expires_at: datetime


_USER_COLUMNS = [users.c[name] for name in UserView.__dataclass_fields__]


def _user(mapping: Any) -> UserView:
    values = {name: mapping[name] for name in UserView.__dataclass_fields__}
    values["created_at"] = as_utc(values["created_at"])
    if values["disabled_at"] is not None:
        values["disabled_at"] = as_utc(values["disabled_at"])
    return UserView(**values)


def get_user(connection: Connection, user_id: str) -> UserView | None:
    row = connection.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return _user(row._mapping) if row is not None else None


def find_user_by_email(connection: Connection, email: str) -> UserView | None:
    """The account with this e-mail, however it is capitalised, or None."""
    row = connection.execute(
        select(*_USER_COLUMNS).where(users.c.email == normalize_email(email))
    ).first()
    return _user(row._mapping) if row is not None else None


def list_users(connection: Connection) -> list[UserView]:
    """Every account, staff first by role, then by e-mail."""
    rows = connection.execute(select(*_USER_COLUMNS).order_by(users.c.role, users.c.email))
    return [_user(row._mapping) for row in rows]


def session_of(connection: Connection, token: str, now: datetime) -> SessionView | None:
    """The live session ``token`` opens; None when unknown, expired, or its user is disabled."""
    if not token:
        return None
    row = connection.execute(
        select(
            web_sessions.c.id.label("session_id"),
            web_sessions.c.csrf_token,
            web_sessions.c.expires_at,
            *_USER_COLUMNS,
        )
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    mapping = row._mapping
    expires_at = as_utc(mapping["expires_at"])
    user = _user(mapping)
    if expires_at <= now or user.disabled_at is not None:
        return None
    return SessionView(
        id=mapping["session_id"],
        user=user,
        csrf_token=mapping["csrf_token"],
        expires_at=expires_at,
    )
