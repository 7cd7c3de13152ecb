"""The KPI pages, the process map and the dashboard's alerts over HTTP, after real orders went
through the journey: who may see them, that the numbers shown are the analytics' own, that a
drill-down lists exactly the slice's orders, and that targets and rates are edited safely."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from lienmach.aftersales.queries import survey_for_order
from lienmach.aftersales.surveys import answer_survey
from lienmach.analytics import queries
from lienmach.analytics.alerts_targets import load_targets
from lienmach.analytics.costs import rates
from lienmach.analytics.queries import Window
from lienmach.analytics.services import set_target
from lienmach.analytics.tables import alerts as analytics_alerts
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.shipping.queries import shipments_for_order
from tests.api_client import form_token, page_client, row_counts
from tests.conftest import START
from tests.factories import seed_company, seed_staff
from tests.steps import DELIVERED, courier_reports, pick_and_pack

pytestmark = pytest.mark.integration
SINCE = START.date() - timedelta(days=1)
UNTIL = START.date() + timedelta(days=6)
WINDOW = Window(SINCE, UNTIL)
DATES = f"since={SINCE.isoformat()}&until={UNTIL.isoformat()}"


def _journey(runtime: Runtime, clock: SimulatedClock, carrier_sandbox) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Three orders: a shirt from the web shop and a cooker by API, both delivered and surveyed
    (10 and 2), and a book from the marketplace still waiting for its pick."""
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    lan, minh = company.customers["Lan"], company.customers["Minh"]

    def place(customer: str, sku: str, channel: str) -> str:
        lines = [{"product_id": company.products[sku], "quantity": 1}]
        return runtime.run(place_order, customer_id=customer, lines=lines, channel=channel).order_id

    orders = {
        "shirt": place(lan, "AO-001", "web"),
        "cooker": place(minh, "NOI-002", "api"),
        "book": place(lan, "SACH-003", "marketplace"),
    }
    for name, score in (("shirt", 10), ("cooker", 2)):
        clock.advance(timedelta(hours=1))
        pick_and_pack(runtime, orders[name])
        courier_reports(runtime, carrier_sandbox, clock, orders[name], DELIVERED)
        survey = runtime.read(survey_for_order, orders[name])
        runtime.run(answer_survey, token=survey.token, score=score)
    return {**orders, **{f"product:{sku}": pid for sku, pid in company.products.items()}}


def _clients(runtime: Runtime):  # type: ignore[no-untyped-def]
    staff = seed_staff(runtime)
    return {role: page_client(runtime, email=email) for role, email in staff.items()}


def _attributes(text: str, pattern: str) -> dict[str, str]:
    return dict(re.findall(pattern, text))


def _value(found: float | None) -> str:
    return "" if found is None else str(found)


def test_the_pages_open_for_owner_and_accountant_in_both_languages_and_never_for_warehouse(
    runtime, clock, carrier_sandbox
):
    _journey(runtime, clock, carrier_sandbox)
    clients = _clients(runtime)
    pages = [f"/app/kpis?{DATES}", f"/app/kpis/nps?{DATES}&dimension=product", "/app/process-map"]

    for role in ("owner", "accountant"):
        for path in pages:
            answer = clients[role].get(path)
            assert answer.status_code == 200, (role, path)
    owner = clients["owner"]
    assert "Thời gian xử lý đơn" in owner.get(pages[0]).text
    owner.cookies.set("lm_lang", "en")
    english = html.unescape(owner.get(pages[0]).text)
    assert "Order cycle time" in english and "Thời gian xử lý đơn" not in english
    assert "Where orders wait longest" in owner.get("/app/process-map").text
    process_map = owner.get("/app/process-map").text
    assert "<svg" in process_map and 'class="process-map"' in process_map
    assert "Placed" in process_map and "Delivered" in process_map

    assert clients["owner"].get("/app/kpis/targets").status_code == 200
    assert clients["accountant"].get("/app/kpis/targets").status_code == 403
    for path in [*pages, "/app/kpis/targets"]:
        refused = clients["warehouse"].get(path)
        assert refused.status_code == 403, path
        assert 'data-kpi="cycle_time"' not in refused.text and "<svg" not in refused.text
    assert clients["owner"].get("/app/kpis/speed").status_code == 404


def test_the_numbers_shown_are_the_analytics_values(runtime, clock, carrier_sandbox):
    _journey(runtime, clock, carrier_sandbox)
    owner = _clients(runtime)["owner"]

    overview = owner.get(f"/app/kpis?{DATES}").text
    shown = _attributes(
        overview, r'<article class="kpi-card[^"]*" data-kpi="(\w+)" data-value="([^"]*)"'
    )
    expected = runtime.read(queries.kpi_values, WINDOW)
    assert shown == {name: _value(value.value) for name, value in expected.items()}
    assert expected["nps"].value == 0.0 and expected["cycle_time"].count == 2
    assert f'data-window="{SINCE}/{UNTIL}"' in overview

    detail = owner.get(f"/app/kpis/nps?{DATES}&dimension=channel").text
    rows = re.findall(r'<tr data-slice-value="(\w+)"[^>]*>(.*?)</tr>', detail, re.S)
    table = runtime.read(queries.slice_table, WINDOW, "channel")
    assert [value for value, _cells in rows] == [value for value, _kpis in table]
    for (value, cells), (_same, kpis) in zip(rows, table, strict=True):
        cell_values = _attributes(cells, r'<td data-kpi="(\w+)" data-value="([^"]*)"')
        assert cell_values == {name: _value(k.value) for name, k in kpis.items()}, value
    assert dict(table)["web"]["nps"].value == 100.0 and dict(table)["api"]["nps"].value == -100.0

    window_b = Window(SINCE - timedelta(days=30), SINCE - timedelta(days=1))
    compared = owner.get(
        f"/app/kpis/nps?{DATES}&b_since={window_b.since}&b_until={window_b.until}"
    ).text
    expected_pairs = runtime.read(queries.compare_windows, WINDOW, window_b)
    a_cells = _attributes(
        compared, r'<tr data-kpi="(\w+)"><th scope="row">[^<]*</th>\s*<td data-a="([^"]*)"'
    )
    assert a_cells == {name: _value(pair[0].value) for name, pair in expected_pairs.items()}
    assert f'data-window-b="{window_b.since}/{window_b.until}"' in compared
    assert compared.count('data-b=""') == len(expected_pairs)  # nothing before the journey


def _drilled(owner, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    text = owner.get(f"/app/kpis/cycle_time?{DATES}&{query}").text
    found = set(re.findall(r'<tr data-order="(\w+)"><td><a href="/app/orders/(\w+)"', text))
    assert all(one == two for one, two in found)
    return {one for one, _two in found}


def test_a_drill_down_lists_exactly_the_orders_of_the_slice(runtime, clock, carrier_sandbox):
    orders = _journey(runtime, clock, carrier_sandbox)
    owner = _clients(runtime)["owner"]
    [shipment] = runtime.read(shipments_for_order, orders["cooker"])
    [shirt_shipment] = runtime.read(shipments_for_order, orders["shirt"])

    assert _drilled(owner, "dimension=channel&value=web") == {orders["shirt"]}
    assert _drilled(owner, "dimension=channel&value=marketplace") == {orders["book"]}
    product = orders["product:NOI-002"]
    assert _drilled(owner, f"dimension=product&value={product}") == {orders["cooker"]}
    carried = {orders["cooker"]}
    if shirt_shipment.carrier_id == shipment.carrier_id:
        carried.add(orders["shirt"])
    assert _drilled(owner, f"dimension=carrier&value={shipment.carrier_id}") == carried
    # Lan lives in Hà Nội (the north), Minh in Ho Chi Minh City (the south).
    assert _drilled(owner, "dimension=region&value=north") == {orders["shirt"], orders["book"]}
    assert _drilled(owner, "dimension=province&value=79") == {orders["cooker"]}
    # A window without the orders: the same slice lists none.
    later = "since=2026-12-01&until=2026-12-07&dimension=channel&value=web"
    assert "data-order=" not in owner.get(f"/app/kpis/cycle_time?{later}").text


def test_a_target_edit_writes_and_bad_input_names_the_field_and_writes_nothing(runtime):
    seed_company(runtime)
    owner = _clients(runtime)["owner"]
    token = form_token(owner, "/app/kpis/targets")

    saved = owner.post(
        "/app/kpis/targets/cycle_time",
        data={
            "csrf_token": token,
            "threshold": "36",
            "enabled": "1",
            "send_email": "1",
            "notify_email": "chu@cuahang.vn",
            "slice_by": ["carrier", "province"],
            "min_sample": "3",
        },
    )
    assert saved.status_code == 303
    target = runtime.read(load_targets)["cycle_time"]
    assert (target.threshold, target.notify_email, target.slice_by, target.min_sample) == (
        36 * 3600,
        "chu@cuahang.vn",
        ("carrier", "province"),
        3,
    )
    assert target.ticket_customer_id == ""

    before = row_counts(runtime)
    for field, data in (
        ("threshold", {"threshold": "nhanh"}),
        ("notify_email", {"threshold": "40", "send_email": "1", "notify_email": ""}),
        ("ticket_customer_id", {"threshold": "40", "open_ticket": "1", "ticket_customer_id": "x"}),
        ("min_sample", {"threshold": "40", "min_sample": "0"}),
    ):
        refused = owner.post("/app/kpis/targets/cycle_time", data={"csrf_token": token, **data})
        assert refused.status_code == 422, field
        assert f'data-field-error="{field}"' in refused.text, field
    refused = owner.post(
        "/app/kpis/targets/error_rate", data={"csrf_token": token, "threshold": "0.00001"}
    )
    assert refused.status_code == 422 and 'data-field-error="threshold"' in refused.text
    assert (
        owner.post("/app/kpis/targets/cycle_time", data={"threshold": "40"}).status_code == 403
    )  # no CSRF token
    assert row_counts(runtime) == before
    assert runtime.read(load_targets)["cycle_time"].threshold == 36 * 3600

    new_rates = {**runtime.read(rates), "packaging_vnd": "7500", "labour_vnd_per_hour": "x"}
    refused = owner.post("/app/kpis/targets/costs", data={"csrf_token": token, **new_rates})
    assert refused.status_code == 422 and 'data-field-error="labour_vnd_per_hour"' in refused.text
    assert row_counts(runtime) == before
    new_rates["labour_vnd_per_hour"] = "45000"
    assert (
        owner.post("/app/kpis/targets/costs", data={"csrf_token": token, **new_rates}).status_code
        == 303
    )
    assert runtime.read(rates)["packaging_vnd"] == 7500
    assert runtime.read(rates)["labour_vnd_per_hour"] == 45_000


def test_the_dashboard_shows_open_alerts_to_those_who_see_kpis(runtime, clock, carrier_sandbox):
    runtime.run(set_target, kpi="nps", threshold=70, slice_by=("channel",))
    _journey(runtime, clock, carrier_sandbox)
    clock.advance(timedelta(minutes=20))
    runtime.run_periodic()
    runtime.drain()
    alerts = {(a.kpi, a.dimension, a.value) for a in runtime.read(queries.alerts_for_dashboard)}
    assert ("nps", "all", "") in alerts and ("nps", "channel", "api") in alerts
    clients = _clients(runtime)

    owner_board = clients["owner"].get("/app/live/dashboard").text
    shown = set(re.findall(r'<tr data-alert="(\w+):(\w+):(\w*)">', owner_board))
    assert shown == alerts
    assert 'href="/app/kpis/nps?days=7&amp;dimension=channel&amp;value=api"' in owner_board
    assert "API" in owner_board and "0 / 70" in owner_board
    assert "data-alert=" not in clients["warehouse"].get("/app").text
    # What it measured when raised is kept; the panel measures again now.
    with runtime.engine.begin() as connection:
        connection.execute(analytics_alerts.update().values(measured=-50))
    owner_board = clients["owner"].get("/app/live/dashboard").text
    assert owner_board.count("lúc cảnh báo: -50") == len(alerts)  # Vietnamese by default
    assert owner_board.count('data-now="0"') >= 1 and "0 / 70" in owner_board
    assert "7 ngày gần nhất" in owner_board
    assert "data-alert=" in clients["accountant"].get("/app").text


def test_a_bad_window_is_named_and_the_default_window_shown(runtime):
    owner = _clients(runtime)["owner"]
    today = START.date()

    for query, field in (
        ("days=12", "days"),
        ("since=2026-11-09&until=2026-11-01", "until"),
        ("since=hôm-qua&until=2026-11-01", "since"),
    ):
        answer = owner.get(f"/app/kpis?{query}")
        assert answer.status_code == 422 and f'data-field-error="{field}"' in answer.text
        default = Window(today - timedelta(days=29), today)
        assert f'data-window="{default.since}/{default.until}"' in answer.text
    seven = owner.get("/app/kpis?days=7").text
    assert f'data-window="{today - timedelta(days=6)}/{today}"' in seven
