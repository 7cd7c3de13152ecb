"""A local stand-in for every carrier's API, for tests and the demo.

Serves the GHN-like order API under ``/{carrier_id}/shiip/public-api/v2/shipping-order/...``
for each default carrier, and lets a test or the simulator move a parcel along
(:meth:`CarrierSandbox.advance`, or ``POST /sandbox/advance``), producing the signed status
callback the real carrier would send. Timestamps come from ``clock``, so a simulated clock
keeps callbacks fresh in simulated time. ``shipping-order/detail`` answers the parcel's status
and log, as the poll asks it. With ``callback_url`` (the app's ``…/api/v1/carriers``) each
callback is posted to ``{callback_url}/{carrier_id}/callbacks``; ``lose_callbacks`` makes the
sandbox drop the callbacks it would post, as an unreliable carrier does.
"""

from __future__ import annotations

import json
import random
import threading
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from lienmach.kernel.clock import Clock, SystemClock, as_utc
from lienmach.kernel.local_server import LocalServer, QuietHandler
from lienmach.shipping.defaults import CARRIERS, default_rate_cards
from lienmach.shipping.model import CARRIER_STATUSES, DistanceBand
from lienmach.shipping.webhooks import signed_headers

SERVICE_DAYS = {1: 1, 2: 3}  # service_type_id → days to expected delivery
SERVICE_LEVELS = {1: "express", 2: "standard"}
Headers = dict[str, str]


class CarrierSandbox(LocalServer):
    """Every default carrier's API on one local port; see the module docstring."""

    def __init__(
        self,
        secret: str,
        *,
        clock: Clock | None = None,
        callback_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.secret = secret
        self.clock: Clock = clock or SystemClock()
        self.callback_url = callback_url
        self.orders: dict[str, dict[str, Any]] = {}  # by tracking code
        self.create_calls = 0
        self.detail_calls = 0
        self.fail_next_creates = 0  # answer this many creates with an error (retry tests)
        self.lose_callbacks = False  # never post callbacks to callback_url (polling tests)
        self.callbacks: list[tuple[str, Headers, bytes]] = []
        self.callback_errors: list[str] = []
        self._by_client_code: dict[tuple[str, str], str] = {}
        self._random = random.Random()
        self._lock = threading.Lock()

    def start(self) -> None:
        sandbox = self

        class Handler(_Handler):
            owner = sandbox

        self._serve(Handler, "carrier-sandbox")

    def create_order(self, carrier_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The create-order endpoint: idempotent on (carrier, client_order_code)."""
        with self._lock:
            self.create_calls += 1
            if self.fail_next_creates > 0:
                self.fail_next_creates -= 1
                return 500, {"code": 500, "message": "sandbox: temporary failure"}
            missing = [
                name
                for name in ("client_order_code", "to_name", "to_phone", "to_address", "weight")
                if not body.get(name)
            ]
            if missing:
                return 400, {"code": 400, "message": f"missing {', '.join(missing)}"}
            service_type = int(body.get("service_type_id") or 2)
            if service_type not in SERVICE_DAYS:
                return 400, {"code": 400, "message": "service_type_id must be 1 or 2"}
            client_code = str(body["client_order_code"])
            tracking = self._by_client_code.get((carrier_id, client_code))
            if tracking is None:
                tracking = self._new_tracking_code(carrier_id)
                self._by_client_code[(carrier_id, client_code)] = tracking
                now = as_utc(self.clock.now())
                self.orders[tracking] = {
                    **body,
                    "carrier_id": carrier_id,
                    "order_code": tracking,
                    "status": "ready_to_pick",
                    "created_at": now.isoformat(),
                    "expected_delivery_time": (
                        now + timedelta(days=SERVICE_DAYS[service_type])
                    ).isoformat(),
                    "total_fee": _fee(carrier_id, service_type, int(body["weight"])),
                    "log": [{"status": "ready_to_pick", "updated_date": now.isoformat()}],
                }
            order = self.orders[tracking]
            data = {
                key: order[key] for key in ("order_code", "expected_delivery_time", "total_fee")
            }
            return 200, {"code": 200, "message": "Success", "data": data}

    def detail(self, carrier_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The order-detail endpoint: the parcel with its current status and status log."""
        with self._lock:
            self.detail_calls += 1
            order = self.orders.get(str(body.get("order_code", "")))
            if order is None or order["carrier_id"] != carrier_id:
                return 400, {"code": 400, "message": "order not found"}
            data = {**order, "log": [dict(entry) for entry in order["log"]]}
            return 200, {"code": 200, "message": "Success", "data": data}

    def advance(
        self, tracking_code: str, status: str, *, reason: str = "", at: datetime | None = None
    ) -> tuple[Headers, bytes]:
        """Move a parcel to carrier ``status``; returns (and posts, if configured) the callback."""
        if status not in CARRIER_STATUSES:
            raise ValueError(f"unknown carrier status {status!r}")
        moment = as_utc(at or self.clock.now())
        with self._lock:
            order = self.orders[tracking_code]
            order["status"] = status
            order["log"].append({"status": status, "updated_date": moment.isoformat()})
            payload = {
                "Type": "switch_status",
                "OrderCode": tracking_code,
                "ClientOrderCode": order["client_order_code"],
                "Status": status,
                "Time": moment.isoformat(),
                "Reason": reason,
                "CODAmount": int(order.get("cod_amount") or 0),
                "Weight": int(order["weight"]),
            }
            body = json.dumps(payload, separators=(",", ":")).encode()
            headers = signed_headers(self.secret, int(moment.timestamp()), body)
            self.callbacks.append((tracking_code, headers, body))
            target = None if self.lose_callbacks else self.callback_url
        if target:
            url = f"{target.rstrip('/')}/{order['carrier_id']}/callbacks"
            self._post_callback(url, headers, body)
        return headers, body

    def callbacks_for(self, tracking_code: str) -> list[tuple[Headers, bytes]]:
        """Every signed callback produced for this parcel, oldest first."""
        with self._lock:
            return [(h, b) for code, h, b in self.callbacks if code == tracking_code]

    def order_for(self, client_order_code: str) -> dict[str, Any] | None:
        with self._lock:
            for order in self.orders.values():
                if order["client_order_code"] == client_order_code:
                    return order
            return None

    def _post_callback(self, url: str, headers: Headers, body: bytes) -> None:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                answer.read()
        except Exception as error:  # a sandbox keeps going; the test inspects callback_errors
            self.callback_errors.append(f"{url}: {error}")

    def _new_tracking_code(self, carrier_id: str) -> str:
        while True:
            code = f"{carrier_id.upper()}{self._random.randrange(10**9):09d}"
            if code not in self.orders:
                return code


def _fee(carrier_id: str, service_type: int, weight_grams: int) -> int:
    level = SERVICE_LEVELS[service_type]
    for card in default_rate_cards():
        if (card.carrier_id, card.service_level) == (carrier_id, level) and (
            card.distance_band == DistanceBand.UNDER_300
        ):
            return card.shipping_fee(weight_grams)
    return 0


class _Handler(QuietHandler):
    owner: CarrierSandbox
    carrier_ids = frozenset(carrier.id for carrier in CARRIERS)

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._answer(400, {"code": 400, "message": "body is not JSON"})
            return
        parts = [part for part in self.path.split("?")[0].split("/") if part]
        if parts == ["sandbox", "advance"]:
            self._advance(body)
            return
        if len(parts) < 2 or parts[0] not in self.carrier_ids:
            self._answer(404, {"code": 404, "message": "unknown carrier or path"})
            return
        if not self.headers.get("Token"):
            self._answer(401, {"code": 401, "message": "Token header missing"})
            return
        path = "/" + "/".join(parts[1:])
        if path.endswith("/shipping-order/create"):
            self._answer(*self.owner.create_order(parts[0], body))
        elif path.endswith("/shipping-order/detail"):
            self._answer(*self.owner.detail(parts[0], body))
        else:
            self._answer(404, {"code": 404, "message": "unknown path"})

    def _advance(self, body: dict[str, Any]) -> None:
        try:
            headers, data = self.owner.advance(
                str(body["tracking_code"]), str(body["status"]), reason=str(body.get("reason", ""))
            )
        except (KeyError, ValueError) as error:
            self._answer(400, {"code": 400, "message": f"cannot advance: {error}"})
            return
        answer = {"headers": headers, "body": data.decode()}
        self._answer(200, {"code": 200, "message": "Success", "data": answer})
