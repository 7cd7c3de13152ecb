"""Shipping's external I/O: booking a parcel with its carrier, outside any transaction.

The shipment id is the carrier's ``client_order_code``, so a retried or reclaimed job gets the
same tracking code back instead of a second carrier order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lienmach.kernel.jobs import JobKind
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import services
from lienmach.shipping.gateway import CarrierGateway


def job_kinds(*, carrier_gateway: CarrierGateway) -> list[JobKind]:
    """The job kinds this context runs, bound to the carrier port."""

    def book(payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return carrier_gateway.create_order(
            carrier_id=str(payload["carrier_id"]),
            client_order_code=str(payload["client_order_code"]),
            to_name=str(payload["to_name"]),
            to_phone=str(payload["to_phone"]),
            to_address=str(payload["to_address"]),
            to_province_code=str(payload["to_province_code"]),
            weight_grams=int(payload["weight_grams"]),
            cod_amount_vnd=int(payload["cod_amount_vnd"]),
            service_level=str(payload["service_level"]),
            to_ward_name=str(payload.get("to_ward_name", "")),
        )

    def record_booked(
        uow: UnitOfWork, payload: Mapping[str, Any], result: Mapping[str, Any]
    ) -> None:
        services.record_booking(
            uow, shipment_id=str(payload["shipment_id"]), tracking_code=str(result["order_code"])
        )

    return [JobKind(name=services.BOOK_JOB, perform=book, record=record_booked, timeout_seconds=30)]
