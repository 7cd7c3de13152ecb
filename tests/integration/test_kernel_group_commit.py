"""Group commit: many units of work, one transaction, one commit, each unit undone alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, event, select
from sqlalchemy.exc import IntegrityError

from lienmach.bootstrap import create_schema
from lienmach.kernel.bus import Bus
from lienmach.kernel.errors import ConcurrencyConflict, DomainError
from lienmach.kernel.group_commit import (
    GroupCommitter,
    Outcome,
    SkippedAfterFailure,
    Unit,
    step,
)
from lienmach.kernel.jobs import JobKind, JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, jobs
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration

effects_metadata = MetaData()
effects = Table(
    "test_group_effects",
    effects_metadata,
    Column("key", String(40), primary_key=True),
    Column("n", Integer),
)
reactions = Table(
    "test_group_reactions",
    effects_metadata,
    Column("key", String(40), primary_key=True),
)


@dataclass(frozen=True)
class EffectMade(Event):
    key: str


def on_effect_react(uow: UnitOfWork, event: EffectMade) -> None:
    uow.connection.execute(reactions.insert().values(key=event.key))


def make_effect(uow: UnitOfWork, *, key: str, fail: bool = False) -> str:
    """Insert a row, publish an event and record a job; refuse after writing when ``fail``."""
    uow.connection.execute(effects.insert().values(key=key, n=1))
    uow.publish(EffectMade(key=key))
    uow.record_job("test.io", key=key, payload={"key": key})
    if fail:
        raise DomainError(f"refused {key}")
    return key


class Commits:
    """Counts the transactions committed on an engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.engine = engine
        event.listen(engine, "commit", self._seen)

    def _seen(self, _connection: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "commit", self._seen)


def _runtime(database: Any, clock: Any, *, inline_drain: bool) -> Runtime:
    create_schema(database.engine)
    effects_metadata.create_all(database.engine)
    return Runtime(
        engine=database.engine,
        clock=clock,
        bus=Bus([{EffectMade: [on_effect_react]}], {}),
        job_runner=JobRunner(
            {
                "test.io": JobKind(
                    "test.io", perform=lambda _payload: {"ok": True}, timeout_seconds=5
                )
            }
        ),
        inline_drain=inline_drain,
    )


@pytest.fixture
def group_runtime(database, clock) -> Runtime:  # type: ignore[no-untyped-def]
    return _runtime(database, clock, inline_drain=False)


@pytest.fixture
def commits(database) -> Iterator[Commits]:  # type: ignore[no-untyped-def]
    counter = Commits(database.engine)
    yield counter
    counter.close()


def _keys(runtime: Runtime, table: Table) -> list[str]:
    with runtime.engine.connect() as connection:
        return sorted(connection.execute(select(table.c.key)).scalars())


def _event_actors(runtime: Runtime) -> dict[str, str]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(event_log.c.payload, event_log.c.actor)).all()
    return {payload["key"]: actor for payload, actor in rows}


def _job_keys(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as connection:
        return sorted(connection.execute(select(jobs.c.key)).scalars())


def test_a_failing_unit_is_undone_alone_and_the_others_commit_once(
    group_runtime: Runtime, commits: Commits
) -> None:
    outcomes = group_runtime.run_together(
        [
            Unit(step(make_effect, key="a"), actor="alice"),
            Unit(step(make_effect, key="b", fail=True), actor="bob"),
            Unit(step(make_effect, key="c"), actor="carol"),
        ]
    )

    assert [outcome.ok for outcome in outcomes] == [True, False, True]
    assert outcomes[0].result() == "a" and outcomes[2].result() == "c"
    with pytest.raises(DomainError, match="refused b"):
        outcomes[1].result()
    assert commits.count == 1
    assert _keys(group_runtime, effects) == ["a", "c"]
    # The refused unit's events and jobs went with its savepoint.
    assert _event_actors(group_runtime) == {"a": "alice", "c": "carol"}
    assert _job_keys(group_runtime) == ["a", "c"]


def test_a_unit_failing_inside_the_database_is_undone_alone(
    group_runtime: Runtime, commits: Commits
) -> None:
    # A duplicate key aborts a PostgreSQL transaction until its savepoint is rolled back.
    outcomes = group_runtime.run_together(
        [
            Unit(step(make_effect, key="a")),
            Unit(step(make_effect, key="a")),
            Unit(step(make_effect, key="c")),
        ]
    )

    assert [outcome.ok for outcome in outcomes] == [True, False, True]
    assert isinstance(outcomes[1].error, IntegrityError)
    assert commits.count == 1
    assert _keys(group_runtime, effects) == ["a", "c"]
    assert sorted(_event_actors(group_runtime)) == ["a", "c"]


def test_a_failed_step_skips_the_rest_of_its_chain_only(group_runtime: Runtime) -> None:
    outcomes = group_runtime.run_together(
        [
            Unit(step(make_effect, key="t1-scan", fail=True), chain="t1"),
            Unit(step(make_effect, key="t2-scan"), chain="t2"),
            Unit(step(make_effect, key="t1-close"), chain="t1"),
            Unit(step(make_effect, key="t2-close"), chain="t2"),
        ]
    )

    assert isinstance(outcomes[0].error, DomainError)
    assert isinstance(outcomes[2].error, SkippedAfterFailure)
    assert outcomes[1].ok and outcomes[3].ok
    assert _keys(group_runtime, effects) == ["t2-close", "t2-scan"]


def test_concurrent_submitters_get_their_own_results_and_commit_exactly_once(
    group_runtime: Runtime, commits: Commits
) -> None:
    threads, per_thread = 8, 25
    results: dict[str, list[tuple[str, object]]] = {}
    start = threading.Barrier(threads)

    def submitter(number: int) -> None:
        actor = f"clerk-{number}"
        start.wait()
        futures: list[tuple[str, Future[str]]] = []
        for index in range(per_thread):
            key = f"{number}-{index}"
            future = group_runtime.submit_as(actor, make_effect, key=key, fail=index % 10 == 9)
            futures.append((key, future))
        mine: list[tuple[str, object]] = []
        for key, future in futures:
            try:
                mine.append((key, future.result(timeout=60)))
            except DomainError as error:
                mine.append((key, error))
        results[actor] = mine

    workers = [threading.Thread(target=submitter, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    expected = sorted(f"{n}-{i}" for n in range(threads) for i in range(per_thread) if i % 10 != 9)
    for number in range(threads):
        for key, result in results[f"clerk-{number}"]:
            if key.endswith(("-9", "-19")):
                assert isinstance(result, DomainError) and str(result) == f"refused {key}"
            else:
                assert result == key
    assert _keys(group_runtime, effects) == expected
    assert _job_keys(group_runtime) == expected
    actors = _event_actors(group_runtime)
    assert sorted(actors) == expected
    assert all(actor == f"clerk-{key.split('-')[0]}" for key, actor in actors.items())
    assert commits.count < threads * per_thread  # grouped, not one commit each


def test_a_failed_commit_falls_back_to_running_each_unit_alone(
    group_runtime: Runtime, commits: Commits
) -> None:
    failures = iter([True])

    def fail_first_commit(_connection: Any) -> None:
        if next(failures, False):
            raise ConnectionError("the disk went away at commit")

    event.listen(group_runtime.engine, "commit", fail_first_commit)
    try:
        outcomes = group_runtime.run_together(
            [
                Unit(step(make_effect, key="a"), actor="alice"),
                Unit(step(make_effect, key="b", fail=True), actor="bob"),
                Unit(step(make_effect, key="c"), actor="carol"),
            ]
        )
    finally:
        event.remove(group_runtime.engine, "commit", fail_first_commit)

    assert [outcome.ok for outcome in outcomes] == [True, False, True]
    assert isinstance(outcomes[1].error, DomainError)
    assert _keys(group_runtime, effects) == ["a", "c"]
    assert _event_actors(group_runtime) == {"a": "alice", "c": "carol"}
    assert commits.count == 1 + 2  # the failed group, then a and c alone


def test_a_transient_conflict_in_one_unit_reruns_the_units_alone(group_runtime: Runtime) -> None:
    conflicts = iter([True])

    def conflicting_once(uow: UnitOfWork) -> str:
        if next(conflicts, False):
            raise ConcurrencyConflict("someone else moved it first")
        return make_effect(uow, key="b")

    outcomes = group_runtime.run_together(
        [Unit(step(make_effect, key="a")), Unit(conflicting_once), Unit(step(make_effect, key="c"))]
    )

    assert [outcome.result() for outcome in outcomes] == ["a", "b", "c"]
    assert _keys(group_runtime, effects) == ["a", "b", "c"]


def test_an_inline_runtime_drains_once_after_the_group(database, clock) -> None:  # type: ignore[no-untyped-def]
    runtime = _runtime(database, clock, inline_drain=True)
    drains: list[int] = []
    drain = runtime.drain
    runtime.drain = lambda **kwargs: drains.append(drain(**kwargs)) or 0  # type: ignore[method-assign]

    runtime.run_together([Unit(step(make_effect, key=key)) for key in ("a", "b", "c")])

    assert len(drains) == 1
    assert _keys(runtime, reactions) == ["a", "b", "c"]


def test_a_cancelled_submission_is_not_run_and_the_committer_goes_on() -> None:
    entered, release = threading.Event(), threading.Event()
    groups: list[list[str]] = []

    def run_together(units: Sequence[Unit[Any]]) -> list[Outcome[Any]]:
        entered.set()
        release.wait(timeout=30)
        groups.append([unit.actor for unit in units])
        return [Outcome(value=unit.actor) for unit in units]

    committer = GroupCommitter(run_together)
    first = committer.submit(Unit(step(make_effect, key="1"), actor="first"))
    assert entered.wait(timeout=30)  # the writer is busy with the first: the second waits
    second = committer.submit(Unit(step(make_effect, key="2"), actor="second"))
    assert second.cancel()
    release.set()

    assert first.result(timeout=30) == "first"
    assert committer.submit(Unit(step(make_effect, key="3"), actor="third")).result(30) == "third"
    assert "second" not in [actor for group in groups for actor in group]


def test_a_groups_events_and_jobs_are_written_in_one_statement_each(
    group_runtime: Runtime,
) -> None:
    written: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO EVENT_LOG", "INSERT INTO JOBS")):
            written.append(statement.split()[2].lower())

    event.listen(group_runtime.engine, "before_cursor_execute", seen)
    try:
        outcomes = group_runtime.run_together(
            [
                Unit(step(make_effect, key=key, fail=key == "k2"), actor=key)
                for key in ["k0", "k1", "k2", "k3"]
            ]
        )
    finally:
        event.remove(group_runtime.engine, "before_cursor_execute", seen)

    assert [outcome.ok for outcome in outcomes] == [True, True, False, True]
    assert sorted(written) == ["event_log", "jobs"]
    assert _event_actors(group_runtime) == {"k0": "k0", "k1": "k1", "k3": "k3"}
    assert _job_keys(group_runtime) == ["k0", "k1", "k3"]


def test_a_group_where_no_unit_fails_takes_no_savepoints(
    group_runtime: Runtime, commits: Commits
) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.upper())

    event.listen(group_runtime.engine, "before_cursor_execute", seen)
    try:
        outcomes = group_runtime.run_together(
            [Unit(step(make_effect, key=key), actor=key) for key in ["s0", "s1", "s2"]]
        )
    finally:
        event.remove(group_runtime.engine, "before_cursor_execute", seen)

    assert [outcome.result() for outcome in outcomes] == ["s0", "s1", "s2"]
    assert not [statement for statement in statements if "SAVEPOINT" in statement]
    assert commits.count == 1
    assert _keys(group_runtime, effects) == ["s0", "s1", "s2"]
    assert _event_actors(group_runtime) == {"s0": "s0", "s1": "s1", "s2": "s2"}
