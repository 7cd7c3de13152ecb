"""Shipments: staff confirm a pickup, carriers call back signed statuses, anyone tracks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from lienmach.kernel.errors import DomainError, NotFound
from lienmach.shipping import carrier_updates
from lienmach.shipping.queries import get_shipment, list_carriers, webhook_secret
from lienmach.shipping.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, InvalidSignature
from lienmach.web import schemas
from lienmach.web.auth import Shipping
from lienmach.web.compose import tracking
from lienmach.web.deps import RuntimeDep, SettingsDep, perform

router = APIRouter(prefix="/api/v1", tags=["shipping"])


@router.post("/shipments/{shipment_id}/pickup", response_model=schemas.ShipmentOut)
def confirm_pickup(shipment_id: str, runtime: RuntimeDep, caller: Shipping) -> schemas.ShipmentOut:
    """Staff confirm the carrier collected the parcel (when the carrier does not say so)."""
    shipment = runtime.read(get_shipment, shipment_id)
    if shipment is None:
        raise NotFound("shipment", shipment_id)
    if not shipment.tracking_code:
        raise DomainError(f"shipment {shipment_id} is not booked with the carrier yet")
    perform(
        runtime,
        caller.actor,
        carrier_updates.record_carrier_update,
        carrier_id=shipment.carrier_id,
        tracking_code=shipment.tracking_code,
        carrier_status="picked",
        carrier_event_id=f"staff-pickup:{shipment_id}",
        occurred_at=runtime.clock.now(),
        note="collected by the carrier (confirmed by staff)",
    )
    return schemas.ShipmentOut.model_validate(runtime.read(get_shipment, shipment_id))


def _record_callback(
    runtime: RuntimeDep, carrier_id: str, headers: dict[str, str], body: bytes, fallback: str
) -> str:
    carriers = {carrier.id for carrier in runtime.read(list_carriers)}
    if carrier_id not in carriers:
        raise NotFound("carrier", carrier_id)
    for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER):
        if name.lower() not in headers:
            raise InvalidSignature(f"the {name} header is missing")
    secret = runtime.read(webhook_secret, carrier_id) or fallback
    return perform(
        runtime,
        f"carrier:{carrier_id}",
        carrier_updates.parse_and_record_callback,
        carrier_id=carrier_id,
        headers=headers,
        body=body,
        secret=secret,
    )


@router.post(
    "/carriers/{carrier_id}/callbacks",
    response_model=schemas.CallbackOut,
    responses={401: {"description": "signature missing, wrong or too old: nothing written"}},
)
async def carrier_callback(
    carrier_id: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> schemas.CallbackOut:
    """A carrier's status update, signed with HMAC-SHA256 over `<timestamp>.<raw body>`."""
    body = await request.body()
    headers = {key.lower(): value for key, value in request.headers.items()}
    outcome = await run_in_threadpool(
        _record_callback, runtime, carrier_id, headers, body, settings.carrier_secret
    )
    return schemas.CallbackOut(outcome=outcome)


@router.get("/tracking/{tracking_code}", response_model=schemas.TrackingOut, tags=["public"])
def track(tracking_code: str, runtime: RuntimeDep) -> schemas.TrackingOut:
    """Public: where the parcel is and when it is expected; no personal data."""
    return runtime.read(tracking, tracking_code)
