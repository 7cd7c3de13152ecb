"""A tiny local payment gateway for tests and the demo, on 127.0.0.1 in a background thread.

``GET /pay?…`` (a signed pay request, see :mod:`payment_gateway`) shows the customer the order
number and amount with "Pay" and "Cancel". Pay POSTs a signed callback to the request's
``notify_url`` and sends the browser back to its ``return_url`` with ``payment=paid`` (or
``payment=failed`` when the shop refused the callback); Cancel goes back with
``payment=cancelled`` and tells the shop nothing. ``GET /payments`` lists what it did.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from lienmach.billing.payment_gateway import REQUEST_FIELDS, callback_headers, request_is_signed
from lienmach.kernel.clock import Clock, SystemClock
from lienmach.kernel.local_server import LocalServer, QuietHandler

CALLBACK_TIMEOUT_SECONDS = 10.0

_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox Pay</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<h1>Sandbox Pay</h1>
<p>Đơn hàng / Order <strong data-order>{order}</strong></p>
<p>Số tiền / Amount <strong data-amount>{amount} VND</strong></p>
<form method="post" action="/pay/confirm">{fields}
<button type="submit" name="pay" style="font-size:1.2rem">Thanh toán / Pay</button></form>
<form method="post" action="/pay/cancel">{fields}
<button type="submit" name="cancel">Hủy / Cancel</button></form>
</body></html>"""


def _with_query(url: str, **values: str) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}{urlencode(values)}"


class PaymentGatewaySandbox(LocalServer):
    """The gateway the shop sends customers to when they pay online (port 0: a free port)."""

    def __init__(
        self,
        secret: str,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.secret = secret
        self.clock = clock or SystemClock()
        self._payments: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def payments(self) -> list[dict[str, Any]]:
        """Every payment attempted, oldest first, with the shop's answer to its callback."""
        with self._lock:
            return list(self._payments)

    def pay(self, fields: dict[str, str]) -> str:
        """Take the payment and tell the shop; returns where the browser goes next."""
        reference = "SBX" + secrets.token_hex(8).upper()
        body = json.dumps(
            {
                "order_number": fields["order"],
                "amount_vnd": int(fields["amount"]),
                "reference": reference,
                "status": "paid",
            }
        ).encode()
        timestamp = int(self.clock.now().timestamp())
        try:
            answer = httpx.post(
                fields["notify_url"],
                content=body,
                headers=callback_headers(self.secret, timestamp, body),
                timeout=CALLBACK_TIMEOUT_SECONDS,
            )
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        with self._lock:
            self._payments.append(
                {
                    "order": fields["order"],
                    "amount_vnd": int(fields["amount"]),
                    "reference": reference,
                    "callback_status": status,
                }
            )
        outcome = "paid" if 200 <= status < 300 else "failed"
        return _with_query(fields["return_url"], payment=outcome, reference=reference)

    def start(self) -> PaymentGatewaySandbox:
        sandbox = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path == "/payments":
                    self._json(200, {"payments": sandbox.payments})
                elif path == "/pay":
                    fields = dict(parse_qsl(query))
                    if not self._signed(fields):
                        return
                    hidden = "".join(
                        f'<input type="hidden" name="{name}" value="{html.escape(fields[name])}">'
                        for name in (*REQUEST_FIELDS, "signature")
                    )
                    page = _PAGE.format(
                        order=html.escape(fields["order"]),
                        amount=html.escape(fields["amount"]),
                        fields=hidden,
                    )
                    self.send_bytes(200, page.encode(), "text/html; charset=utf-8")
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                fields = dict(parse_qsl(self.rfile.read(length).decode()))
                if self.path not in ("/pay/confirm", "/pay/cancel"):
                    self._json(404, {"error": "not found"})
                    return
                if not self._signed(fields):
                    return
                if self.path == "/pay/confirm":
                    target = sandbox.pay(fields)
                else:
                    target = _with_query(fields["return_url"], payment="cancelled")
                self.send_response(303)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _signed(self, fields: dict[str, str]) -> bool:
                complete = all(fields.get(name) for name in REQUEST_FIELDS)
                if (
                    complete
                    and fields["amount"].isdigit()
                    and request_is_signed(sandbox.secret, fields)
                ):
                    return True
                self._json(400, {"error": "the pay request is incomplete or not signed"})
                return False

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_bytes(status, data, "application/json")

        self._serve(Handler, "payment-gateway-sandbox")
        return self
