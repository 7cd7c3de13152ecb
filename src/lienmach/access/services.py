"""Access use cases: issue and revoke API keys."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select, update

from lienmach.access.model import (
    KEY_PREFIX,
    NAME_MAX_LENGTH,
    SCOPES,
    SHOWN_PREFIX_LENGTH,
    encode_scopes,
    hash_key,
    unknown_scopes,
)
from lienmach.access.tables import api_keys
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork


def create_api_key(uow: UnitOfWork, *, name: str, scopes: Sequence[str]) -> tuple[str, str]:
    """Issue a key named ``name`` with ``scopes``; returns (id, the key), the key only this once."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "give the key a name that says who uses it, e.g. 'shop-sync'"
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"at most {NAME_MAX_LENGTH} characters"
    scopes = [scope.strip() for scope in scopes if scope.strip()]
    unknown = unknown_scopes(scopes)
    if unknown:
        errors["scopes"] = (
            f"unknown scope(s) {', '.join(unknown)}; use some of {', '.join(sorted(SCOPES))}"
        )
    elif not scopes:
        errors["scopes"] = f"give at least one scope of {', '.join(sorted(SCOPES))}"
    if errors:
        raise InvalidInput(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = new_id("key_")
    uow.connection.execute(
        api_keys.insert().values(
            id=key_id,
            name=name,
            key_prefix=key[:SHOWN_PREFIX_LENGTH],
            key_hash=hash_key(key),
            scopes=encode_scopes(scopes),
            created_at=uow.now(),
            revoked_at=None,
        )
    )
    return key_id, key


def revoke_api_key(uow: UnitOfWork, *, key_id: str) -> None:
    """Revoke a key: from now on it is refused. Revoking it again changes nothing."""
    found = uow.connection.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first()
    if found is None:
        raise NotFound("API key", key_id)
    uow.connection.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=uow.now())
    )
