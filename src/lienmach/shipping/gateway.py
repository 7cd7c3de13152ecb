"""The carrier port and its HTTP adapter, speaking a GHN-like order API.

Every carrier sits under ``{base_url}/{carrier_id}``; the sandbox serves all of them.
"""

from __future__ import annotations

from typing import Any, Protocol

from lienmach.customers import geography
from lienmach.kernel.errors import NotFound
from lienmach.kernel.http_json import HttpError, JsonHttpClient

CREATE_PATH = "/shiip/public-api/v2/shipping-order/create"
DETAIL_PATH = "/shiip/public-api/v2/shipping-order/detail"
SERVICE_TYPE_IDS = {"express": 1, "standard": 2}


class CarrierError(Exception):
    """The carrier refused or failed the request; the job retries it."""


class CarrierGateway(Protocol):
    def create_order(
        self,
        *,
        carrier_id: str,
        client_order_code: str,
        to_name: str,
        to_phone: str,
        to_address: str,
        to_province_code: str,
        weight_grams: int,
        cod_amount_vnd: int,
        service_level: str,
        to_ward_name: str = "",
    ) -> dict[str, Any]:
        """Book a parcel; returns ``{"order_code", "expected_delivery_time", "total_fee"}``.

        Idempotent on ``client_order_code``: a repeated call returns the same order code.
        """
        ...

    def order_status(self, *, carrier_id: str, order_code: str) -> dict[str, Any]:
        """Where the carrier says a parcel is, for polling when callbacks are lost:
        ``{"order_code", "status", "log": [{"status", "updated_date"}, ...]}``, log oldest first.
        """
        ...


def province_name(code: str) -> str:
    try:
        return str(geography.province(code).name_vi)
    except NotFound:  # an unknown code is still sent; the carrier may know it
        return code


class HttpCarrierGateway:
    """Talks to carriers over HTTP with one shared keep-alive client."""

    def __init__(self, base_url: str, timeout: float = 10.0, *, token: str = "lienmach") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token
        # Connects on first use; safe to share between the job threads.
        self._client = JsonHttpClient(self.base_url, timeout=timeout, headers={"Token": token})

    def close(self) -> None:
        self._client.close()

    def _post(self, carrier_id: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._client.post(f"/{carrier_id}{path}", body)
        except HttpError as error:
            raise CarrierError(f"{carrier_id}: {error}") from error
        answer = response.json()
        if not isinstance(answer, dict):
            answer = {}
        if response.status != 200 or answer.get("code") != 200:
            message = answer.get("message") or response.text[:200]
            raise CarrierError(f"{carrier_id} answered {response.status}: {message}")
        data = answer.get("data")
        if not isinstance(data, dict):
            raise CarrierError(f"{carrier_id} answered without data")
        return data

    def create_order(
        self,
        *,
        carrier_id: str,
        client_order_code: str,
        to_name: str,
        to_phone: str,
        to_address: str,
        to_province_code: str,
        weight_grams: int,
        cod_amount_vnd: int,
        service_level: str,
        to_ward_name: str = "",
    ) -> dict[str, Any]:
        """Create the carrier order (see :class:`CarrierGateway`)."""
        body = {
            "client_order_code": client_order_code,
            "to_name": to_name,
            "to_phone": to_phone,
            "to_address": to_address,
            "to_ward_name": to_ward_name,
            "to_province_name": province_name(to_province_code),
            "weight": weight_grams,
            "cod_amount": cod_amount_vnd,
            "service_type_id": SERVICE_TYPE_IDS.get(service_level, 2),
            "payment_type_id": 1,  # the shop pays the carrier fee
            "required_note": "CHOXEMHANGKHONGTHU",
        }
        data = self._post(carrier_id, CREATE_PATH, body)
        if not data.get("order_code"):
            raise CarrierError(f"{carrier_id} answered without an order code")
        return {
            "order_code": str(data["order_code"]),
            "expected_delivery_time": str(data.get("expected_delivery_time", "")),
            "total_fee": int(data.get("total_fee", 0)),
        }

    def order_detail(self, *, carrier_id: str, order_code: str) -> dict[str, Any]:
        """The carrier's view of an order (status and its log), for polling."""
        return self._post(carrier_id, DETAIL_PATH, {"order_code": order_code})

    def order_status(self, *, carrier_id: str, order_code: str) -> dict[str, Any]:
        """The parcel's status and status log from the order detail (see
        :class:`CarrierGateway`); log entries without a status or a time are left out."""
        data = self.order_detail(carrier_id=carrier_id, order_code=order_code)
        log = data.get("log")
        entries = [
            {"status": str(entry["status"]), "updated_date": str(entry["updated_date"])}
            for entry in (log if isinstance(log, list) else [])
            if isinstance(entry, dict) and entry.get("status") and entry.get("updated_date")
        ]
        return {
            "order_code": str(data.get("order_code") or order_code),
            "status": str(data.get("status") or ""),
            "log": entries,
        }
