"""Kill-safety: a worker killed with SIGKILL at random moments, again and again, loses nothing.

1,000 orders run through the whole journey on PostgreSQL while `lienmach worker` processes are
killed at least 20 times. After a last worker finishes, every order has reached a final state,
and there is no duplicate invoice, posting or e-mail.
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from lienmach.billing.queries import trial_balance
from lienmach.billing.tables import invoices, journal_entries
from lienmach.kernel.tables import event_deliveries, jobs
from lienmach.notifications.tables import outbound_messages
from lienmach.simulator.journey import place_random_order
from tests.reliability.workers import final_orders, shop_for_workers, start_worker, work_left

pytestmark = pytest.mark.reliability

ORDERS = 1_000
KILLS = 20


def test_a_worker_killed_twenty_times_loses_and_doubles_nothing(
    postgres, settings, smtp_server, carrier_sandbox, tmp_path
) -> None:
    shop = shop_for_workers(postgres, settings, carrier_sandbox, units=3_000, seed=2026)
    runtime, demo, rng, people = shop.runtime, shop.company, shop.rng, shop.people
    people.behaviour.wrong_scan_rate = 0.0

    # When: orders arrive while workers are killed at random moments.
    log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115 - closed at the end
    placed = 0
    kills = 0
    worker = start_worker(postgres, settings, log)
    while kills < KILLS or placed < ORDERS:
        for _ in range(min(60, ORDERS - placed)):
            place_random_order(runtime, demo, rng, pay_rate=1.0)
            placed += 1
        people.work_round(limit=400)
        time.sleep(rng.uniform(0.05, 0.6))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        worker = start_worker(postgres, settings, log)

    # Then a last worker finishes the work, and every order reaches a final state.
    deadline = time.monotonic() + 240
    while (final_orders(runtime) < ORDERS or work_left(runtime)) and time.monotonic() < deadline:
        people.work_round(limit=500)
        time.sleep(0.2)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    log.close()
    assert kills >= KILLS
    assert final_orders(runtime) == ORDERS

    with runtime.engine.connect() as connection:
        # Nothing left behind or parked as dead.
        unfinished = connection.execute(
            select(
                event_deliveries.c.subscriber,
                event_deliveries.c.state,
                event_deliveries.c.last_error,
            ).where(event_deliveries.c.state != "done")
        ).all()
        assert unfinished == []
        assert (
            connection.execute(
                select(jobs.c.kind, jobs.c.last_error).where(jobs.c.state != "done")
            ).all()
            == []
        )
        # One invoice per order, never two; no posting twice for the same source.
        assert connection.execute(select(func.count()).select_from(invoices)).scalar_one() == ORDERS
        assert (
            connection.execute(select(func.count(func.distinct(invoices.c.order_id)))).scalar_one()
            == ORDERS
        )
        postings = connection.execute(
            select(
                journal_entries.c.source_type, journal_entries.c.source_id, journal_entries.c.kind
            )
        ).all()
        assert len(postings) == len(set(postings))
        sent = (
            connection.execute(
                select(outbound_messages.c.id).where(outbound_messages.c.channel == "email")
            )
            .scalars()
            .all()
        )
    assert runtime.read(trial_balance).balanced

    # Every e-mail arrived, exactly once by its Message-ID (see docs/adr/0004).
    caught = Counter(message["message_id"] for message in smtp_server.messages())
    assert len(caught) == len(sent)
    repeats = sum(count - 1 for count in caught.values())
    print(f"kills={kills} e-mails={len(sent)} raw repeats collapsed by Message-ID={repeats}")
    # A kill repeats at most the e-mails sent but not yet recorded: those in flight on the
    # runner's I/O threads, plus those finished within its recording interval.
    assert repeats <= kills * 2 * runtime.job_runner.io_threads
