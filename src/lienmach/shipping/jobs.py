"""Shipping's external I/O: booking a parcel with its carrier and asking it where a parcel
is, outside any transaction.

The shipment id is the carrier's ``client_order_code``, so a retried or reclaimed job gets the
same tracking code back instead of a second carrier order. A poll only reads, so repeating it
is harmless; what it learns is applied like callbacks (see :mod:`lienmach.shipping.polling`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lienmach.kernel.jobs import JobKind
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import booking, polling
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
        booking.record_booking(
            uow, shipment_id=str(payload["shipment_id"]), tracking_code=str(result["order_code"])
        )

    def poll(payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return carrier_gateway.order_status(
            carrier_id=str(payload["carrier_id"]), order_code=str(payload["tracking_code"])
        )

    def record_polled(
        uow: UnitOfWork, payload: Mapping[str, Any], result: Mapping[str, Any]
    ) -> None:
        polling.apply_status_report(
            uow,
            carrier_id=str(payload["carrier_id"]),
            order_code=str(result.get("order_code") or payload["tracking_code"]),
            log=list(result.get("log") or []),
        )

    return [
        JobKind(name=booking.BOOK_JOB, perform=book, record=record_booked, timeout_seconds=30),
        # A poll that keeps failing is not worth many retries: the next quiet period polls again.
        JobKind(
            name=polling.POLL_JOB,
            perform=poll,
            record=record_polled,
            timeout_seconds=15,
            max_attempts=3,
        ),
    ]
