"""API writes go through group commit: each keeps its own outcome, and an Idempotency-Key is
claimed by the attempt that commits, even when an earlier attempt was undone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from lienmach.kernel.errors import ConcurrencyConflict, DomainError
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, idempotency_keys
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.deps import perform
from lienmach.web.idempotency import Claim, _current

pytestmark = pytest.mark.integration


def _stored_keys(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as connection:
        return list(connection.execute(select(idempotency_keys.c.key)).scalars())


def test_a_key_is_claimed_again_when_the_first_attempt_is_undone(runtime: Runtime) -> None:
    attempts: list[int] = []

    def conflicting_once(uow: UnitOfWork) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConcurrencyConflict("the order changed meanwhile")
        return "done"

    claim = Claim("POST /api/v1/test", "key-1", "hash")
    token = _current.set(claim)
    try:
        assert perform(runtime, "api:test", conflicting_once) == "done"
    finally:
        _current.reset(token)

    assert len(attempts) == 2
    assert claim.claimed
    assert _stored_keys(runtime) == ["key-1"]


def test_a_refused_write_claims_nothing_and_raises_to_its_caller(runtime: Runtime) -> None:
    def refused(uow: UnitOfWork) -> None:
        raise DomainError("scan refused")

    claim = Claim("POST /api/v1/test", "key-2", "hash")
    token = _current.set(claim)
    try:
        with pytest.raises(DomainError, match="scan refused"):
            perform(runtime, "api:test", refused)
    finally:
        _current.reset(token)

    assert not claim.claimed
    assert _stored_keys(runtime) == []


@dataclass(frozen=True)
class Noted(Event):
    """A test event: one per write."""

    n: int


def test_concurrent_writes_each_commit_once_with_their_own_actor(runtime: Runtime) -> None:
    barrier = threading.Barrier(8)

    def write(n: int) -> int:
        barrier.wait()

        def note(uow: UnitOfWork) -> int:
            uow.publish(Noted(n))
            return n

        return perform(runtime, f"api:writer-{n}", note)

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(write, range(8))) == list(range(8))

    with runtime.engine.connect() as connection:
        actors = connection.execute(
            select(event_log.c.actor, func.count())
            .where(event_log.c.type == Noted.type_name())
            .group_by(event_log.c.actor)
        ).all()
    assert sorted(actors) == sorted((f"api:writer-{n}", 1) for n in range(8))
