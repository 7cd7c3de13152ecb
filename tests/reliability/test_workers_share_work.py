"""Several workers on PostgreSQL share the work: every effect happens once, none is lost."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from lienmach.billing.queries import trial_balance
from lienmach.billing.tables import invoices, journal_entries
from lienmach.kernel import feed
from lienmach.kernel.tables import event_deliveries
from lienmach.simulator.journey import place_random_order
from tests.reliability.workers import final_orders, shop_for_workers, start_worker, work_left

pytestmark = pytest.mark.reliability

ORDERS = 300
WORKERS = 3


def test_three_workers_at_once_process_each_event_and_job_exactly_once(
    postgres, settings, smtp_server, carrier_sandbox, tmp_path
) -> None:
    shop = shop_for_workers(postgres, settings, carrier_sandbox, units=1_000, seed=7)
    runtime, demo, rng, people = shop.runtime, shop.company, shop.rng, shop.people
    log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115 - closed at the end
    workers = [start_worker(postgres, settings, log) for _ in range(WORKERS)]
    try:
        for _ in range(ORDERS):
            place_random_order(runtime, demo, rng, pay_rate=1.0)
        deadline = time.monotonic() + 240
        while (
            final_orders(runtime) < ORDERS or work_left(runtime)
        ) and time.monotonic() < deadline:
            people.work_round(limit=500)
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        log.close()

    assert final_orders(runtime) == ORDERS
    with runtime.engine.connect() as connection:
        assert (
            connection.execute(
                select(func.count()).where(event_deliveries.c.state != "done")
            ).scalar_one()
            == 0
        )
        assert feed.lag(connection) == 0
        assert connection.execute(select(func.count()).select_from(invoices)).scalar_one() == ORDERS
        postings = connection.execute(
            select(
                journal_entries.c.source_type, journal_entries.c.source_id, journal_entries.c.kind
            )
        ).all()
        assert len(postings) == len(set(postings))
    assert runtime.read(trial_balance).balanced
    caught = Counter(message["message_id"] for message in smtp_server.messages())
    assert caught and max(caught.values()) == 1  # no e-mail sent twice when nobody was killed
