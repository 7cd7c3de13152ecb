"""A drain told not to wait for job I/O returns while it is in flight; a later one records it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from lienmach.bootstrap import create_schema
from lienmach.kernel.bus import Bus
from lienmach.kernel.jobs import JobKind, JobRunner
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import jobs
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration


def test_a_drain_that_does_not_wait_leaves_the_io_to_a_later_one(database, clock) -> None:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    may_finish = threading.Event()

    def slow_call(payload: Any) -> dict[str, Any]:
        may_finish.wait(10)
        return {"ok": True}

    kinds = {"test.slow": JobKind("test.slow", perform=slow_call, timeout_seconds=15)}
    runtime = Runtime(
        engine=database.engine,
        clock=clock,
        bus=Bus([], {}),
        job_runner=JobRunner(kinds),
        inline_drain=False,
    )

    def record(uow: UnitOfWork) -> None:
        uow.record_job("test.slow", key="slow:1", payload={})

    try:
        runtime.run(record)
        runtime.drain(wait_for_io=False)  # claims the job, starts its call, does not wait

        def state() -> str:
            with database.engine.connect() as connection:
                return str(connection.execute(select(jobs.c.state)).scalar_one())

        assert state() == "running"
        may_finish.set()
        runtime.drain()  # waits for the call and records it
        assert state() == "done"
    finally:
        may_finish.set()
        runtime.job_runner.close()
