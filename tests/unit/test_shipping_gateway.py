"""The HTTP carrier gateway against the local carrier sandbox (loopback HTTP, no database)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from lienmach.kernel.clock import SimulatedClock
from lienmach.shipping.gateway import CarrierError, HttpCarrierGateway
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.shipping.webhooks import verify_callback

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def parcel(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "carrier_id": "ghn",
        "client_order_code": "shp_1",
        "to_name": "Nguyễn Văn An",
        "to_phone": "+84912345678",
        "to_address": "12 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
        "to_province_code": "01",
        "weight_grams": 900,
        "cod_amount_vnd": 220_000,
        "service_level": "standard",
    }
    return fields | overrides


@pytest.fixture
def gateway(carrier_sandbox: CarrierSandbox) -> Iterator[HttpCarrierGateway]:
    client = HttpCarrierGateway(carrier_sandbox.url, timeout=5)
    yield client
    client.close()


def test_booking_twice_with_the_same_client_code_gives_one_carrier_order(
    carrier_sandbox: CarrierSandbox, gateway: HttpCarrierGateway
) -> None:
    first = gateway.create_order(**parcel())
    again = gateway.create_order(**parcel())
    assert first == again
    assert re.fullmatch(r"GHN\d{9}", first["order_code"])
    assert first["total_fee"] == 25_000  # GHN standard, < 300 km, ≤ 1 kg
    assert carrier_sandbox.create_calls == 2
    assert list(carrier_sandbox.orders) == [first["order_code"]]
    order = carrier_sandbox.orders[first["order_code"]]
    assert order["to_province_name"] == "Thành phố Hà Nội"
    assert order["service_type_id"] == 2
    assert order["cod_amount"] == 220_000


def test_each_carrier_has_its_own_codes(gateway: HttpCarrierGateway) -> None:
    ghtk = gateway.create_order(**parcel(carrier_id="ghtk", service_level="express"))
    vtp = gateway.create_order(**parcel(carrier_id="vtp"))
    assert re.fullmatch(r"GHTK\d{9}", ghtk["order_code"])
    assert re.fullmatch(r"VTP\d{9}", vtp["order_code"])


def test_carrier_errors_are_raised_for_the_job_to_retry(
    carrier_sandbox: CarrierSandbox, gateway: HttpCarrierGateway
) -> None:
    carrier_sandbox.fail_next_creates = 1
    with pytest.raises(CarrierError, match="500"):
        gateway.create_order(**parcel())
    with pytest.raises(CarrierError, match="missing to_phone"):
        gateway.create_order(**parcel(to_phone=""))
    with pytest.raises(CarrierError, match="404"):
        gateway.create_order(**parcel(carrier_id="nope"))
    assert carrier_sandbox.orders == {}


def test_an_unreachable_carrier_is_a_carrier_error() -> None:
    closed = HttpCarrierGateway("http://127.0.0.1:9", timeout=1)
    with pytest.raises(CarrierError):
        closed.create_order(**parcel())


def test_the_sandbox_wants_a_token(carrier_sandbox: CarrierSandbox) -> None:
    url = f"{carrier_sandbox.url}/ghn/shiip/public-api/v2/shipping-order/create"
    answer = httpx.post(url, json={"client_order_code": "x"})
    assert answer.status_code == 401


def test_advancing_over_http_gives_a_signed_callback_and_the_detail_shows_it(
    carrier_sandbox: CarrierSandbox, gateway: HttpCarrierGateway
) -> None:
    carrier_sandbox.clock = SimulatedClock(NOW)
    code = gateway.create_order(**parcel())["order_code"]
    answer = httpx.post(
        f"{carrier_sandbox.url}/sandbox/advance",
        json={"tracking_code": code, "status": "picked"},
    ).json()
    headers, body = answer["data"]["headers"], answer["data"]["body"].encode()
    payload = verify_callback(
        "test-carrier-secret",
        timestamp=headers["X-Lienmach-Timestamp"],
        signature=headers["X-Lienmach-Signature"],
        body=body,
        now=NOW,
    )
    assert payload["OrderCode"] == code
    assert payload["Status"] == "picked"
    assert payload["ClientOrderCode"] == "shp_1"
    assert payload["Time"] == NOW.isoformat()
    assert carrier_sandbox.callbacks_for(code) == [(headers, body)]
    detail = gateway.order_detail(carrier_id="ghn", order_code=code)
    assert detail["status"] == "picked"
    assert [entry["status"] for entry in detail["log"]] == ["ready_to_pick", "picked"]


def test_a_configured_callback_url_receives_the_signed_callback(
    carrier_sandbox: CarrierSandbox, gateway: HttpCarrierGateway
) -> None:
    received: list[tuple[str, dict[str, str], bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # The app's base for carriers: callbacks go to /api/v1/carriers/{carrier_id}/callbacks.
        base = f"http://127.0.0.1:{server.server_address[1]}/api/v1/carriers"
        carrier_sandbox.callback_url = base
        code = gateway.create_order(**parcel())["order_code"]
        headers, body = carrier_sandbox.advance(code, "delivered")
    finally:
        server.shutdown()
        server.server_close()
    assert carrier_sandbox.callback_errors == []
    ((path, sent_headers, sent_body),) = received
    assert path == "/api/v1/carriers/ghn/callbacks"
    assert sent_body == body
    assert sent_headers["X-Lienmach-Signature"] == headers["X-Lienmach-Signature"]
    assert json.loads(sent_body)["Status"] == "delivered"
