"""Slowing down password guessing: failed logins are counted per e-mail and per client.

After ``LIMITS[kind]`` failures within ``WINDOW`` the key is refused until the window ends,
without checking the password (so a guesser learns nothing and spends no argon2 work of ours).
A successful login clears its e-mail's count; a client's count only ages out.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, select

from lienmach.access.credentials import LoginRefused, normalize_email
from lienmach.access.tables import login_failures
from lienmach.kernel.bulk import dialect_insert
from lienmach.kernel.clock import as_utc
from lienmach.kernel.uow import UnitOfWork

WINDOW = timedelta(minutes=15)
LIMITS = {"email": 5, "client": 50}


def throttle_keys(email: str, client: str) -> list[str]:
    """The counters a login attempt with ``email`` from ``client`` (an IP address) touches."""
    keys = [f"email:{normalize_email(email)[:254]}"]
    if client:
        keys.append(f"client:{client[:100]}")
    return keys


def refused_for(connection: Connection, keys: Sequence[str], now: datetime) -> timedelta | None:
    """How long these keys must still wait, or None when a login may be tried."""
    rows = connection.execute(
        select(login_failures).where(login_failures.c.key.in_(list(keys)))
    ).all()
    waits = [
        as_utc(row.window_started_at) + WINDOW - now
        for row in rows
        if row.failures >= LIMITS[row.key.split(":", 1)[0]]
        and as_utc(row.window_started_at) + WINDOW > now
    ]
    return max(waits) if waits else None


def record_failed_login(uow: UnitOfWork, *, keys: Sequence[str]) -> None:
    """Count one failed attempt on each key; a window that has ended starts again at one."""
    now = uow.now()
    statement = _count(uow.connection.dialect.name)
    for key in keys:
        uow.connection.execute(
            statement,
            {"key": key, "window_started_at": now, "failures": 1, "restart": now - WINDOW},
        )


def check_not_throttled(uow: UnitOfWork, *, keys: Sequence[str]) -> None:
    """Refuse the attempt (LoginRefused "throttled") while any of its keys is over its limit."""
    wait = refused_for(uow.connection, keys, uow.now())
    if wait is not None:
        raise LoginRefused("throttled", wait_minutes=max(1, math.ceil(wait.total_seconds() / 60)))


def clear_failed_logins(uow: UnitOfWork, *, key: str) -> None:
    """A successful login forgets its e-mail's failures."""
    uow.connection.execute(delete(login_failures).where(login_failures.c.key == key))


@functools.cache
def _count(dialect: str) -> Any:
    statement = dialect_insert(login_failures, dialect)
    expired = login_failures.c.window_started_at <= bindparam("restart")
    return statement.on_conflict_do_update(
        index_elements=[login_failures.c.key],
        set_={
            "failures": case((expired, 1), else_=login_failures.c.failures + 1),
            "window_started_at": case(
                (expired, statement.excluded.window_started_at),
                else_=login_failures.c.window_started_at,
            ),
        },
    )
