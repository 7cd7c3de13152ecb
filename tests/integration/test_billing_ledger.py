"""Billing on both databases: invoices, payments, cancellations, receipts and the ledger."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import Connection, exc, func, select

from lienmach.billing import invoicing, payments, postings, queries
from lienmach.billing.handlers import (
    on_order_cancelled_issue_credit_note,
    on_order_paid_post_payment,
    on_order_placed_issue_invoice,
)
from lienmach.billing.queries import JournalLineView
from lienmach.billing.tables import accounts, journal_entries
from lienmach.bootstrap import build_runtime
from lienmach.catalog import services as catalog
from lienmach.customers import services as customers
from lienmach.inventory import services as inventory
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import services as orders
from lienmach.orders.events import OrderCancelled, OrderPaid, OrderPlaced
from lienmach.orders.placing import place_order
from lienmach.settings import Settings
from tests.conftest import Database
from tests.steps import pay

pytestmark = pytest.mark.integration

# 2 kettles at 150 000 (VAT 10 %), a book at 99 000 (VAT 0 %), a lamp at 12 345 (VAT 8 %),
# delivery 30 000 (VAT 8 %).
NET = 2 * 150_000 + 99_000 + 12_345 + 30_000
VAT = 30_000 + 0 + 988 + 2_400
TOTAL = NET + VAT


# --- given ------------------------------------------------------------------------------------


def product(runtime: Runtime, sku: str, price: int, cost: int, vat: int) -> str:
    product_id: str = runtime.run(
        catalog.create_product,
        sku=sku,
        barcode=f"8930000{sku}",
        name_vi=f"Sản phẩm {sku}",
        price_vnd=price,
        cost_vnd=cost,
        vat_rate_percent=vat,
        weight_grams=500,
    )
    return product_id


def shop(runtime: Runtime) -> dict[str, str]:
    """A warehouse with kettles, books and lamps received at cost, and one customer."""
    ids = {
        "w1": runtime.run(
            inventory.create_warehouse,
            code="HCM1",
            name="Kho HCM1",
            province_code="79",
            ward="Phường Bến Thành",
            street="1 Lê Lợi",
        ),
        "kettle": product(runtime, "KETTLE", 150_000, 90_000, 10),
        "book": product(runtime, "BOOK", 99_000, 60_000, 0),
        "lamp": product(runtime, "LAMP", 12_345, 7_000, 8),
    }
    for name, cost in (("kettle", 90_000), ("book", 60_000), ("lamp", 7_000)):
        runtime.run(
            inventory.receive_stock,
            warehouse_id=ids["w1"],
            product_id=ids[name],
            quantity=50,
            unit_cost_vnd=cost,
        )
    ids["customer"] = runtime.run(
        customers.register_customer,
        name="Nguyễn Văn An",
        email="an@example.vn",
        phone="0912345678",
        province="79",
        ward="Phường Bến Thành",
        street="12 Lê Lợi",
    )
    return ids


def place(runtime: Runtime, ids: dict[str, str], **options: Any) -> str:
    lines = [(ids["kettle"], 2), (ids["book"], 1), (ids["lamp"], 1)]
    placed = runtime.run(
        place_order,
        customer_id=ids["customer"],
        lines=[{"product_id": pid, "quantity": qty} for pid, qty in lines],
        shipping_fee_vnd=30_000,
        **options,
    )
    order_id: str = placed.order_id
    return order_id


def events_of(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    def read(connection: Connection) -> list[dict[str, Any]]:
        rows = connection.execute(
            select(event_log.c.payload).where(event_log.c.type == kind).order_by(event_log.c.id)
        )
        return [dict(row.payload) for row in rows]

    return runtime.read(read)


def entry_kinds(runtime: Runtime, order_id: str) -> list[str]:
    return [entry.kind for entry in runtime.read(queries.entries_for_order, order_id)]


def balance(runtime: Runtime, code: str, order_id: str | None = None) -> int:
    return runtime.read(queries.account_balance, code, order_id=order_id)


# --- invoice on placement ---------------------------------------------------------------------


def test_a_placed_order_is_invoiced_and_posted_exactly_once(runtime: Runtime) -> None:
    # given a shop
    ids = shop(runtime)
    # when a cash-on-delivery order is placed
    order_id = place(runtime, ids)
    # then its invoice carries each line's VAT at its own rate and delivery at 8 %
    invoice = runtime.read(queries.invoice_for_order, order_id)
    assert invoice is not None
    assert (invoice.number, invoice.state, invoice.customer_id) == (
        "HD-2026-000001",
        "issued",
        ids["customer"],
    )
    assert (invoice.subtotal_vnd, invoice.vat_vnd, invoice.total_vnd) == (NET, VAT, TOTAL)
    assert sorted(
        (x.kind, x.quantity, x.vat_rate_percent, x.net_vnd, x.vat_vnd) for x in invoice.lines
    ) == [
        ("goods", 1, 0, 99_000, 0),
        ("goods", 1, 8, 12_345, 988),
        ("goods", 2, 10, 300_000, 30_000),
        ("shipping", 1, 8, 30_000, 2_400),
    ]
    # and the sale is posted Dr 131 / Cr 511, 3331
    (entry,) = runtime.read(queries.entries_for_order, order_id)
    assert (entry.source_type, entry.source_id, entry.kind) == (
        "invoice",
        invoice.id,
        "invoice_issued",
    )
    assert entry.lines == [
        JournalLineView("131", TOTAL, 0),
        JournalLineView("511", 0, NET),
        JournalLineView("3331", 0, VAT),
    ]
    assert [e["number"] for e in events_of(runtime, "InvoiceIssued")] == ["HD-2026-000001"]

    # when the same OrderPlaced is handled again, twice, each in its own unit of work
    event = OrderPlaced(
        order_id=order_id,
        customer_id=ids["customer"],
        channel="web",
        payment_method="cod",
        line_ids=tuple(line.order_line_id or "" for line in invoice.lines if line.order_line_id),
        total_vnd=TOTAL,
    )
    runtime.run(on_order_placed_issue_invoice, [event])
    runtime.run(on_order_placed_issue_invoice, [event])
    # then nothing more was issued or posted
    assert runtime.read(queries.count_invoices) == 1
    assert entry_kinds(runtime, order_id) == ["invoice_issued"]
    assert len(events_of(runtime, "InvoiceIssued")) == 1
    assert balance(runtime, "131") == TOTAL
    assert balance(runtime, "511") == NET
    assert balance(runtime, "3331") == VAT


def test_invoice_numbers_follow_each_other_without_gaps(runtime: Runtime) -> None:
    ids = shop(runtime)
    order_ids = [place(runtime, ids) for _ in range(3)]
    numbers = [runtime.read(queries.invoice_for_order, oid).number for oid in order_ids]  # type: ignore[union-attr]
    assert numbers == ["HD-2026-000001", "HD-2026-000002", "HD-2026-000003"]
    assert runtime.read(queries.invoice_numbers) == numbers


# --- payments ---------------------------------------------------------------------------------


def test_a_prepayment_moves_the_receivable_to_the_bank_once(runtime: Runtime) -> None:
    # given a prepaid order, invoiced
    ids = shop(runtime)
    order_id = place(runtime, ids, payment_method="prepaid")
    # when the gateway confirms the payment
    pay(runtime, order_id, "VNP-42")
    # then Dr 112 / Cr 131 for the amount, and the customer owes nothing
    entries = runtime.read(queries.entries_for_order, order_id)
    assert [e.kind for e in entries] == ["invoice_issued", "payment_received"]
    assert entries[1].source_id == "vnpay:VNP-42"
    assert entries[1].lines == [JournalLineView("112", TOTAL, 0), JournalLineView("131", 0, TOTAL)]
    assert balance(runtime, "131", order_id) == 0
    assert balance(runtime, "112") == TOTAL
    # when the same OrderPaid is delivered again
    again = OrderPaid(
        order_id=order_id, amount_vnd=TOTAL, gateway="vnpay", gateway_reference="VNP-42"
    )
    runtime.run(on_order_paid_post_payment, again)
    # then no second payment is posted
    assert entry_kinds(runtime, order_id) == ["invoice_issued", "payment_received"]
    assert balance(runtime, "112") == TOTAL


# --- cancellation -----------------------------------------------------------------------------


def test_cancelling_a_cod_order_credits_the_whole_invoice_and_refunds_nothing(
    runtime: Runtime,
) -> None:
    # given an invoiced cash-on-delivery order not yet packed
    ids = shop(runtime)
    order_id = place(runtime, ids)
    # when it is cancelled
    runtime.run(orders.cancel_order, order_id=order_id, reason="khách đổi ý")
    # then one credit note takes off the whole invoice, delivery included
    (note,) = runtime.read(queries.credit_notes_for_order, order_id)
    assert (note.number, note.cause, note.source_id, note.reason) == (
        "DC-2026-000001",
        "cancellation",
        order_id,
        "khách đổi ý",
    )
    assert (note.subtotal_vnd, note.vat_vnd, note.total_vnd) == (NET, VAT, TOTAL)
    invoice = runtime.read(queries.invoice_for_order, order_id)
    assert invoice is not None and (invoice.state, invoice.credited_vnd) == ("cancelled", TOTAL)
    # and the sale is reversed Dr 511, 3331 / Cr 131, with no refund (nothing was paid)
    entries = runtime.read(queries.entries_for_order, order_id)
    assert [e.kind for e in entries] == ["invoice_issued", "credit_note"]
    assert entries[1].lines == [
        JournalLineView("511", NET, 0),
        JournalLineView("3331", VAT, 0),
        JournalLineView("131", 0, TOTAL),
    ]
    for code in ("131", "511", "3331", "112"):
        assert balance(runtime, code) == 0, code
    # when the cancellation is delivered again
    again = OrderCancelled(order_id=order_id, reason="khách đổi ý", line_ids=())
    runtime.run(on_order_cancelled_issue_credit_note, again)
    # then there is still one note and one reversal
    assert len(runtime.read(queries.credit_notes_for_order, order_id)) == 1
    assert entry_kinds(runtime, order_id) == ["invoice_issued", "credit_note"]
    assert len(events_of(runtime, "CreditNoteIssued")) == 1


def test_cancelling_a_paid_prepaid_order_refunds_the_payment(runtime: Runtime) -> None:
    # given a prepaid order, invoiced and paid
    ids = shop(runtime)
    order_id = place(runtime, ids, payment_method="prepaid")
    pay(runtime, order_id)
    # when it is cancelled before packing
    runtime.run(orders.cancel_order, order_id=order_id, reason="hết nhu cầu")
    # then the invoice is credited and the money goes back: Dr 131 / Cr 112
    entries = runtime.read(queries.entries_for_order, order_id)
    assert [e.kind for e in entries] == [
        "invoice_issued",
        "payment_received",
        "credit_note",
        "refund",
    ]
    assert entries[3].lines == [JournalLineView("131", TOTAL, 0), JournalLineView("112", 0, TOTAL)]
    for code in ("131", "112", "511", "3331"):
        assert balance(runtime, code, order_id) == 0, code


def test_cancelling_an_unpaid_prepaid_order_refunds_nothing(runtime: Runtime) -> None:
    ids = shop(runtime)
    order_id = place(runtime, ids, payment_method="prepaid")
    runtime.run(orders.cancel_order, order_id=order_id, reason="không thanh toán")
    assert entry_kinds(runtime, order_id) == ["invoice_issued", "credit_note"]
    assert balance(runtime, "112") == 0


# --- goods received and the trial balance -------------------------------------------------------


def test_received_stock_is_posted_at_its_unit_cost(runtime: Runtime) -> None:
    # given / when a shop receives 50 kettles at 90 000, 50 books at 60 000, 50 lamps at 7 000
    shop(runtime)
    # then stock is worth what was bought, owed to the suppliers
    worth = 50 * (90_000 + 60_000 + 7_000)
    assert balance(runtime, "156") == worth
    assert balance(runtime, "331") == worth
    assert len(events_of(runtime, "EntryPosted")) == 3


def test_the_trial_balance_balances_after_a_mixed_day(runtime: Runtime) -> None:
    # given receipts, a COD order, a paid prepaid order and a cancelled one
    ids = shop(runtime)
    place(runtime, ids)
    paid = place(runtime, ids, payment_method="prepaid")
    pay(runtime, paid, "VNP-7")
    cancelled = place(runtime, ids)
    runtime.run(orders.cancel_order, order_id=cancelled, reason="đặt nhầm")
    # when the trial balance is drawn
    trial = runtime.read(queries.trial_balance)
    # then debits equal credits and each account shows what happened
    assert trial.balanced and trial.total_debit == trial.total_credit > 0
    rows = {row.account_code: row for row in trial.rows}
    assert rows["131"].balance == TOTAL  # the open COD order
    assert rows["112"].balance == TOTAL
    assert rows["511"].balance == 2 * NET
    assert rows["3331"].balance == 2 * VAT
    assert rows["3331"].name_vi == "Thuế GTGT phải nộp"
    assert rows["111"].debit == rows["111"].credit == 0


def test_stock_received_without_a_cost_is_posted_at_standard_cost(runtime: Runtime) -> None:
    # given a shop, when 4 more kettles arrive with no cost on the receipt
    ids = shop(runtime)
    before = balance(runtime, "156")
    runtime.run(
        inventory.receive_stock, warehouse_id=ids["w1"], product_id=ids["kettle"], quantity=4
    )
    # then they are valued at the kettle's standard cost
    assert balance(runtime, "156") - before == 4 * 90_000
    assert runtime.read(queries.trial_balance).balanced


def test_bad_input_is_refused_by_field_and_writes_nothing(runtime: Runtime) -> None:
    ids = shop(runtime)
    order_id = place(runtime, ids)
    entries_before = len(runtime.read(queries.entries_for_order, order_id))
    with pytest.raises(InvalidInput) as refused:
        runtime.run(
            payments.record_payment,
            order_id=order_id,
            amount_vnd=0,
            gateway="vnpay",
            gateway_reference="VNP-0",
        )
    assert set(refused.value.errors) == {"amount_vnd"}
    with pytest.raises(InvalidInput) as refused:
        runtime.run(
            postings.record_goods_received,
            receipt_id="R-1",
            product_id=ids["kettle"],
            quantity=0,
            unit_cost_vnd=-1,
        )
    assert set(refused.value.errors) == {"quantity", "unit_cost_vnd"}
    with pytest.raises(NotFound):
        runtime.run(invoicing.issue_invoice, order_id="O-NOPE")
    assert len(runtime.read(queries.entries_for_order, order_id)) == entries_before
    assert runtime.read(queries.count_invoices) == 1


def test_the_chart_of_accounts_is_seeded_once(runtime: Runtime) -> None:
    assert runtime.run(postings.seed_chart_of_accounts) == 10
    assert runtime.run(postings.seed_chart_of_accounts) == 0
    count = runtime.read(lambda c: c.execute(select(func.count()).select_from(accounts)).scalar())
    assert count == 10


# --- concurrency ------------------------------------------------------------------------------


def test_invoice_numbers_stay_unique_and_gapless_under_8_concurrent_threads(
    runtime: Runtime, database: Database, clock: SimulatedClock, settings: Settings
) -> None:
    # given 24 placed orders whose invoices are not issued yet (no worker running)
    ids = shop(runtime)
    quiet = build_runtime(settings, engine=database.engine, clock=clock, inline_drain=False)
    order_ids = [place(quiet, ids) for _ in range(24)]
    assert runtime.read(queries.count_invoices) == 0
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    # when 8 threads, each on its own engine, all try to invoice every order, in their own order
    def invoice_all(seed: int) -> None:
        engine = database.new_engine()
        mine = order_ids[:]
        random.Random(seed).shuffle(mine)
        try:
            barrier.wait()
            for order_id in mine:
                for _attempt in range(5):
                    try:
                        with UnitOfWork(
                            engine, clock=clock, subscribers_of=quiet.bus.subscribers_of
                        ) as uow:
                            invoicing.issue_invoice(uow, order_id=order_id)
                            uow.commit()
                        break
                    except exc.IntegrityError:
                        continue  # another thread invoiced this order first; retry finds it
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=invoice_all, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runtime.drain()  # the pending OrderPlaced reactions find the invoices already there
    # then every order has exactly one invoice, numbered 1..24 without a gap or a repeat
    assert errors == []
    assert runtime.read(queries.count_invoices) == 24
    assert runtime.read(queries.invoice_numbers) == [f"HD-2026-{n:06d}" for n in range(1, 25)]
    for order_id in order_ids:
        assert entry_kinds(runtime, order_id) == ["invoice_issued"]
    posted = runtime.read(
        lambda c: c.execute(
            select(func.count()).where(journal_entries.c.kind == "invoice_issued")
        ).scalar()
    )
    assert posted == 24
    assert runtime.read(queries.trial_balance).balanced
