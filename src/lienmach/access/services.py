"""Access use cases: issue and revoke API keys; user accounts, logins and sessions."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from lienmach.access.credentials import (
    LOCALES,
    SESSION_LIFETIME,
    LoginRefused,
    email_problem,
    hash_password,
    hash_token,
    needs_rehash,
    new_csrf_token,
    new_session_token,
    normalize_email,
    password_problem,
    unknown_user_hash,
    verify_password,
)
from lienmach.access.credentials import NAME_MAX_LENGTH as USER_NAME_MAX_LENGTH
from lienmach.access.events import (
    ApiKeyCreated,
    ApiKeyRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
)
from lienmach.access.model import (
    KEY_PREFIX,
    NAME_MAX_LENGTH,
    SCOPES,
    SHOWN_PREFIX_LENGTH,
    encode_scopes,
    hash_key,
    unknown_scopes,
)
from lienmach.access.queries import UserView, find_user_by_email, get_user
from lienmach.access.roles import Role
from lienmach.access.tables import api_keys, users, web_sessions
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
    uow.publish(ApiKeyCreated(api_key_id=key_id, name=name, scopes=tuple(scopes)))
    return key_id, key


def revoke_api_key(uow: UnitOfWork, *, key_id: str) -> None:
    """Revoke a key: from now on it is refused. Revoking it again changes nothing."""
    found = uow.connection.execute(
        select(api_keys.c.name, api_keys.c.revoked_at).where(api_keys.c.id == key_id)
    ).first()
    if found is None:
        raise NotFound("API key", key_id)
    if found.revoked_at is not None:
        return
    uow.connection.execute(
        update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=uow.now())
    )
    uow.publish(ApiKeyRevoked(api_key_id=key_id, name=found.name))


def note_api_key_used(uow: UnitOfWork, *, key_id: str) -> None:
    """Remember when a key was last used (callers do it at most once a minute per key)."""
    uow.connection.execute(
        update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=uow.now())
    )


def create_user(
    uow: UnitOfWork,
    *,
    email: str,
    display_name: str,
    password: str,
    role: str,
    customer_id: str | None = None,
    locale: str = "vi",
) -> str:
    """Open an account that logs in with ``email`` and ``password``; returns its id (usr_…).

    Staff roles decide what the back office lets the person see and do; a ``customer`` account
    belongs to one customer (``customer_id``) and never enters the back office.
    """
    email = normalize_email(email)
    display_name = display_name.strip()
    errors: dict[str, str] = {}
    problem = email_problem(email)
    if problem:
        errors["email"] = problem
    elif find_user_by_email(uow.connection, email) is not None:
        errors["email"] = "this e-mail already has an account; use another or log in with it"
    if not display_name:
        errors["display_name"] = "give the name colleagues know the person by"
    elif len(display_name) > USER_NAME_MAX_LENGTH:
        errors["display_name"] = f"at most {USER_NAME_MAX_LENGTH} characters"
    if role not in set(Role):
        errors["role"] = f"unknown role {role!r}; use one of {', '.join(Role)}"
    elif role == Role.CUSTOMER and not customer_id:
        errors["customer_id"] = "a customer account needs the customer it belongs to"
    elif role != Role.CUSTOMER and customer_id:
        errors["customer_id"] = "only customer accounts belong to a customer; leave it empty"
    if locale not in LOCALES:
        errors["locale"] = f"use one of {', '.join(LOCALES)}"
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors)
    user_id = new_id("usr_")
    uow.connection.execute(
        users.insert().values(
            id=user_id,
            email=email,
            display_name=display_name,
            password_hash=hash_password(password),
            role=role,
            customer_id=customer_id or None,
            locale=locale,
            created_at=uow.now(),
            disabled_at=None,
        )
    )
    uow.publish(UserCreated(user_id=user_id, email=email, role=role))
    return user_id


def authenticate(uow: UnitOfWork, *, email: str, password: str) -> UserView:
    """The user these credentials belong to; LoginRefused otherwise.

    An unknown e-mail costs the same argon2 work as a wrong password and gets the same answer.
    A hash made with older parameters is replaced by a stronger one on a successful login.
    """
    user = find_user_by_email(uow.connection, email)
    stored = None
    if user is not None:
        stored = uow.connection.execute(
            select(users.c.password_hash).where(users.c.id == user.id)
        ).scalar_one()
    matches = verify_password(stored or unknown_user_hash(), password)
    if user is None or stored is None or not matches:
        raise LoginRefused("credentials")
    if user.disabled_at is not None:
        raise LoginRefused("disabled")
    if needs_rehash(stored):
        uow.connection.execute(
            update(users).where(users.c.id == user.id).values(password_hash=hash_password(password))
        )
    return user


@dataclass(frozen=True)
class NewSession:
    """What the browser keeps (the token, in a cookie) and what forms echo (the CSRF token)."""

    token: str
    csrf_token: str
    expires_at: datetime


def start_session(uow: UnitOfWork, *, user_id: str) -> NewSession:
    """Open a session for a user who just logged in; only the token's hash is stored."""
    now = uow.now()
    found = uow.connection.execute(select(users.c.disabled_at).where(users.c.id == user_id)).first()
    if found is None:
        raise NotFound("user", user_id)
    if found.disabled_at is not None:
        raise LoginRefused("disabled")
    # Expired sessions of this user are of no use to anyone: clear them on the way.
    uow.connection.execute(
        delete(web_sessions).where(
            web_sessions.c.user_id == user_id, web_sessions.c.expires_at <= now
        )
    )
    session = NewSession(
        token=new_session_token(), csrf_token=new_csrf_token(), expires_at=now + SESSION_LIFETIME
    )
    uow.connection.execute(
        web_sessions.insert().values(
            id=new_id("ses_"),
            token_hash=hash_token(session.token),
            user_id=user_id,
            csrf_token=session.csrf_token,
            created_at=now,
            expires_at=session.expires_at,
        )
    )
    return session


def end_session(uow: UnitOfWork, *, token: str) -> None:
    """Log out: the session's token opens nothing any more. Ending it twice changes nothing."""
    uow.connection.execute(
        delete(web_sessions).where(web_sessions.c.token_hash == hash_token(token))
    )


def disable_user(uow: UnitOfWork, *, user_id: str) -> None:
    """Lock an account out: its sessions end now and it can no longer log in."""
    if get_user(uow.connection, user_id) is None:
        raise NotFound("user", user_id)
    uow.connection.execute(
        update(users)
        .where(users.c.id == user_id, users.c.disabled_at.is_(None))
        .values(disabled_at=uow.now())
    )
    uow.connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
    uow.publish(UserDisabled(user_id=user_id))


def enable_user(uow: UnitOfWork, *, user_id: str) -> None:
    """Let a disabled account log in again."""
    if get_user(uow.connection, user_id) is None:
        raise NotFound("user", user_id)
    uow.connection.execute(update(users).where(users.c.id == user_id).values(disabled_at=None))
    uow.publish(UserEnabled(user_id=user_id))
