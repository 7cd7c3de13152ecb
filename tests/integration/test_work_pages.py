"""The work pages over HTTP on both databases: the warehouse's queue and packing station, the
shipments, the tickets with their SLA countdown, the customer's one timeline, and the public
tracking and survey pages (no login, no personal data, one answer per survey)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from lienmach.access.roles import Role, may
from lienmach.aftersales.queries import get_ticket, list_tickets, survey_for_order
from lienmach.aftersales.tickets import open_ticket
from lienmach.fulfilment.queries import get_pick_task, parcels_for_order
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order, order_timeline
from lienmach.shipping.queries import shipments_for_order
from tests.api_client import form_token, order_waiting_for_pick, page_client, row_counts
from tests.factories import seed_staff
from tests.steps import DELIVERED, courier_reports, pick_and_pack

pytestmark = pytest.mark.integration

AO_BARCODE = "8930000000011"


def _text(answer) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(answer.text)


def _delivered_order(runtime, carrier_sandbox, clock, customer_id, product_id) -> str:  # type: ignore[no-untyped-def]
    placed = runtime.run(
        place_order,
        customer_id=customer_id,
        lines=[{"product_id": product_id, "quantity": 2}],
        shipping_fee_vnd=30_000,
    )
    pick_and_pack(runtime, placed.order_id)
    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, DELIVERED)
    return placed.order_id


def test_each_work_page_opens_for_the_roles_allowed_and_is_refused_to_the_others(
    runtime, carrier_sandbox, clock
):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    delivered = _delivered_order(
        runtime, carrier_sandbox, clock, waiting.customer_id, waiting.product_id
    )
    [shipment] = runtime.read(shipments_for_order, delivered)
    ticket_id = runtime.run(
        open_ticket, customer_id=waiting.customer_id, subject="Hộp bị móp", body="Hộp móp góc"
    )
    pages = {
        "/app/warehouse": "warehouse",
        f"/app/warehouse/pack/{waiting.pick_task_id}": "warehouse",
        "/app/shipments": "shipments",
        f"/app/shipments/{shipment.id}": "shipments",
        "/app/tickets": "tickets",
        f"/app/tickets/{ticket_id}": "tickets",
        "/app/customers": "customers",
        f"/app/customers/{waiting.customer_id}": "customers",
    }
    permissions = {
        "warehouse": "warehouse:work",
        "shipments": "shipments:read",
        "tickets": "tickets:work",
        "customers": "customers:read",
    }

    for role in (Role.OWNER, Role.SALES, Role.WAREHOUSE, Role.SUPPORT, Role.ACCOUNTANT):
        client = page_client(runtime, email=staff[role.value])
        menu = client.get("/app").text
        for path, area in pages.items():
            answer = client.get(path)
            allowed = may(role.value, permissions[area])  # type: ignore[arg-type]
            assert answer.status_code == (200 if allowed else 403), (role, path)
            assert (f'data-nav="{area}.nav"' in menu) == allowed, (role, area)
            if not allowed:
                assert 'data-page="forbidden"' in answer.text
                assert AO_BARCODE not in answer.text and "Hộp bị móp" not in answer.text

    # The accountant is refused the warehouse's forms too, and nothing is written.
    accountant = page_client(runtime, email=staff["accountant"])
    before = row_counts(runtime)
    token = form_token(accountant, "/app")
    for action in ("pick", "scan"):
        path = (
            f"/app/warehouse/tasks/{waiting.pick_task_id}/pick"
            if action == "pick"
            else f"/app/warehouse/pack/{waiting.pick_task_id}/scan"
        )
        refused = accountant.post(path, data={"csrf_token": token, "code": AO_BARCODE})
        assert refused.status_code == 403
    assert row_counts(runtime) == before
    assert runtime.read(get_pick_task, waiting.pick_task_id).state == "queued"


def test_the_packing_station_refuses_wrong_and_extra_scans_and_closes_only_when_complete(
    runtime,
):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    client = page_client(runtime, email=staff["warehouse"])
    queue = client.get("/app/warehouse")
    assert f'data-task="{waiting.pick_task_id}"' in queue.text
    token = form_token(client, "/app/warehouse")
    task_id = waiting.pick_task_id

    picked = client.post(f"/app/warehouse/tasks/{task_id}/pick", data={"csrf_token": token})
    assert picked.status_code == 303
    assert picked.headers["location"] == f"/app/warehouse/pack/{task_id}"
    assert runtime.read(get_pick_task, task_id).state == "picked"
    again = client.post(f"/app/warehouse/tasks/{task_id}/pick", data={"csrf_token": token})
    assert again.status_code == 409
    assert f"Phiếu {task_id} không còn chờ lấy" in _text(again)
    station = client.get(picked.headers["location"])
    assert 'id="scan-code"' in station.text and "autofocus" in station.text

    as_json = {"Accept": "application/json"}
    scan = f"/app/warehouse/pack/{task_id}/scan"
    wrong = client.post(scan, data={"csrf_token": token, "code": "8930000000099"}, headers=as_json)
    assert wrong.status_code == 422
    assert wrong.json()["accepted"] is False
    assert wrong.json()["message"] == (
        "Mã 8930000000099 không thuộc kiện này. Để riêng sản phẩm này ra."
    )
    assert wrong.json()["verified"] == 0

    closed_early = client.post(
        f"/app/warehouse/pack/{task_id}/close", data={"csrf_token": token, "weight_grams": "400"}
    )
    assert closed_early.status_code == 422
    assert "còn thiếu AO-001 ×1" in _text(closed_early)
    assert runtime.read(get_pick_task, task_id).state == "picked"
    assert runtime.read(parcels_for_order, waiting.order_id) == []

    right = client.post(scan, data={"csrf_token": token, "code": AO_BARCODE}, headers=as_json)
    assert right.status_code == 200
    assert right.json() | {"lines": None} == {
        "accepted": True,
        "message": "Đúng ✓ AO-001: 1/1",
        "verified": 1,
        "total": 1,
        "complete": True,
        "lines": None,
    }
    # Without JavaScript the form posts and the station answers after a redirect, in English.
    client.cookies.set("lm_lang", "en")
    extra = client.post(scan, data={"csrf_token": token, "code": "ao-001"})
    assert extra.status_code == 303
    shown = client.get(extra.headers["location"])
    assert 'class="scan-answer error"' in shown.text
    assert "All 1 units of AO-001 are already scanned. This one is extra" in _text(shown)
    assert runtime.read(get_pick_task, task_id).scanned_units == 1

    no_weight = client.post(
        f"/app/warehouse/pack/{task_id}/close", data={"csrf_token": token, "weight_grams": "abc"}
    )
    assert no_weight.status_code == 422
    assert 'data-error-field="weight_grams"' in no_weight.text
    assert "Weight (grams): weigh the parcel" in _text(no_weight)
    assert runtime.read(parcels_for_order, waiting.order_id) == []

    closed = client.post(
        f"/app/warehouse/pack/{task_id}/close",
        data={"csrf_token": token, "weight_grams": "350", "length_cm": "20"},
    )
    assert closed.status_code == 303
    [parcel] = runtime.read(parcels_for_order, waiting.order_id)
    assert (parcel.weight_grams, parcel.length_cm, parcel.packed_by) == (
        350,
        20,
        "Nhân viên warehouse",
    )
    [shipment] = runtime.read(shipments_for_order, waiting.order_id)
    packed = client.get(closed.headers["location"])
    assert f'data-shipment="{shipment.id}"' in packed.text
    assert shipment.tracking_code and shipment.tracking_code in packed.text


def test_a_shipment_shows_its_carrier_the_reason_it_was_chosen_and_its_history(
    runtime, carrier_sandbox, clock
):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    order_id = _delivered_order(
        runtime, carrier_sandbox, clock, waiting.customer_id, waiting.product_id
    )
    [shipment] = runtime.read(shipments_for_order, order_id)
    client = page_client(runtime, email=staff["support"])

    listing = client.get("/app/shipments?state=delivered")
    detail = client.get(f"/app/shipments/{shipment.id}")

    assert f'data-shipment="{shipment.id}"' in listing.text
    assert 'data-count="1"' in listing.text
    assert 'data-count="0"' in client.get("/app/shipments?state=returned").text
    text = _text(detail)
    assert shipment.carrier_name in text and shipment.tracking_code in text
    assert shipment.choice_reason and shipment.choice_reason in text
    statuses = re.findall(r'data-status="([a-z_]+)"', detail.text)
    assert statuses[-4:] == list(DELIVERED)
    assert "Giao thành công" in text
    assert client.get("/app/shipments/nope").status_code == 404


def test_the_tracking_page_shows_the_journey_without_personal_data(runtime, carrier_sandbox, clock):
    waiting = order_waiting_for_pick(runtime)
    order_id = _delivered_order(
        runtime, carrier_sandbox, clock, waiting.customer_id, waiting.product_id
    )
    order = runtime.read(get_order, order_id)
    [shipment] = runtime.read(shipments_for_order, order_id)
    visitor = page_client(runtime)

    for code in (order.tracking_token, shipment.tracking_code):
        answer = visitor.get(f"/track/{code}")
        assert answer.status_code == 200, code
        text = _text(answer)
        assert order.number in text and shipment.carrier_name in text
        assert "Giao thành công" in text and "Đang luân chuyển" in text
        assert "09xx xxx 678" in text and "N. T. Lan" in text
        for secret in ("lan@example.vn", "345678", "345 678", "Phan Đình Phùng", "₫", "Ba Đình"):
            assert secret not in text, secret
        assert "/app/logout" not in text

    english = visitor.get(f"/track/{shipment.tracking_code}?lang=en")
    assert '<html lang="en">' in english.text and "Delivered" in english.text
    assert '<html lang="en">' in visitor.get(f"/track/{order.tracking_token}").text
    missing = visitor.get("/track/KHONGCO123")
    assert missing.status_code == 404
    assert "No order or parcel has this code" in _text(missing)


def _survey_form(client, token: str) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/survey/{token}").text)
    assert found
    return found.group(1)


def test_a_survey_is_answered_once_and_a_detractor_gets_a_ticket_support_resolves(
    runtime, carrier_sandbox, clock
):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    order_id = _delivered_order(
        runtime, carrier_sandbox, clock, waiting.customer_id, waiting.product_id
    )
    survey = runtime.read(survey_for_order, order_id)
    visitor = page_client(runtime)
    path = f"/survey/{survey.token}"
    before = row_counts(runtime)

    forged = visitor.post(path, data={"score": "3", "csrf_token": "forged"})
    token = _survey_form(visitor, survey.token)
    other_survey = visitor.post(path, data={"score": "3", "csrf_token": token + "0"})
    bad_score = visitor.post(path, data={"score": "11", "comment": "x", "csrf_token": token})

    assert forged.status_code == other_survey.status_code == 403
    assert bad_score.status_code == 422
    assert "Điểm: hãy chọn một số từ 0 đến 10." in _text(bad_score)
    assert row_counts(runtime) == before
    assert runtime.read(survey_for_order, order_id).answered_at is None

    answered = visitor.post(
        path, data={"score": "3", "comment": "Giao chậm quá", "csrf_token": token}
    )
    assert answered.status_code == 303
    assert "Cảm ơn bạn!" in _text(visitor.get(answered.headers["location"]))
    again = visitor.post(path, data={"score": "10", "csrf_token": token})
    assert again.status_code == 409
    assert "đã được trả lời" in _text(again)
    recorded = runtime.read(survey_for_order, order_id)
    assert (recorded.score, recorded.comment) == (3, "Giao chậm quá")
    [ticket] = runtime.read(list_tickets, now=clock.now(), customer_id=waiting.customer_id)
    assert ticket.source == "survey" and ticket.order_id == order_id

    # Support sees it with its countdown, then breached, then resolves it.
    support = page_client(runtime, email=staff["support"])
    clock.advance(timedelta(minutes=40))
    listing = _text(support.get("/app/tickets"))
    assert ticket.number in listing and "còn 23 giờ 20 phút" in listing
    clock.advance(timedelta(hours=25))
    support = page_client(runtime, email=staff["support"])  # the first session has ended
    support.cookies.set("lm_lang", "en")
    breached = _text(support.get("/app/tickets?view=breached"))
    assert ticket.number in breached and "1 h 40 min overdue" in breached
    assert ticket.number not in _text(support.get("/app/tickets?view=resolved"))

    form = form_token(support, f"/app/tickets/{ticket.id}")
    blank = support.post(
        f"/app/tickets/{ticket.id}/resolve", data={"csrf_token": form, "resolution": "  "}
    )
    assert blank.status_code == 422 and "How it was solved:" in _text(blank)
    assert runtime.read(get_ticket, ticket.id, clock.now()).state == "open"
    resolved = support.post(
        f"/app/tickets/{ticket.id}/resolve",
        data={"csrf_token": form, "resolution": "Gọi xin lỗi, tặng mã giảm giá"},
    )
    assert resolved.status_code == 303
    assert runtime.read(get_ticket, ticket.id, clock.now()).state == "resolved"
    timeline = [entry.type for entry in runtime.read(order_timeline, order_id)]
    assert "TicketResolved" in timeline

    customer = _text(support.get(f"/app/customers/{waiting.customer_id}"))
    kinds = re.findall(
        r'data-kind="([a-z_]+)"', support.get(f"/app/customers/{waiting.customer_id}").text
    )
    # Newest first: the resolution, with the e-mail telling the customer at the same moment.
    assert set(kinds[:2]) == {"ticket_resolved", "email"}
    assert {"order", "email", "ticket_opened", "survey"} <= set(kinds)
    assert "Gọi xin lỗi, tặng mã giảm giá" in customer and "Survey answer: 3/10" in customer
    assert "Giao chậm quá" in customer


def test_customers_are_found_by_name_or_phone(runtime):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    client = page_client(runtime, email=staff["sales"])

    by_name = client.get("/app/customers", params={"q": "lan"}).text
    by_phone = client.get("/app/customers", params={"q": "0987 654"}).text
    nobody = client.get("/app/customers", params={"q": "Không Ai"}).text

    assert f'data-customer="{waiting.customer_id}"' in by_name and 'data-count="1"' in by_name
    assert "Trần Văn Minh" in by_phone and 'data-count="1"' in by_phone
    assert 'data-count="0"' in nobody
    assert client.get("/app/customers/nope").status_code == 404
