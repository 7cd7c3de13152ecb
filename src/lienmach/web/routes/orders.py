"""Orders: place (with Idempotency-Key), read with everything that happened, cancel, pay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from lienmach.kernel.errors import NotFound
from lienmach.orders import services
from lienmach.orders.queries import get_order, list_orders
from lienmach.web import schemas
from lienmach.web.auth import OrdersRead, OrdersWrite
from lienmach.web.compose import order_detail
from lienmach.web.deps import RuntimeDep, perform
from lienmach.web.errors import field_location
from lienmach.web.ordering import (
    ORDER_SCOPE,
    StoredAnswer,
    place_order_once,
    request_hash,
    stored_answer,
)

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="retrying with the same key and body returns the first answer",
    ),
]


def _replay(stored: StoredAnswer, body_hash: str) -> JSONResponse:
    if stored.request_hash != body_hash:
        detail = {
            "loc": field_location("Idempotency-Key", where="header"),
            "msg": "this Idempotency-Key was used with a different body; use a new key",
            "type": "value_error",
        }
        return JSONResponse({"detail": [detail]}, status_code=422)
    return JSONResponse(stored.response, status_code=stored.status_code)


@router.post(
    "",
    status_code=201,
    response_model=schemas.PlacedOrderOut,
    responses={422: {"description": "bad input, or the key was used with another body"}},
)
def place(
    body: schemas.OrderIn,
    runtime: RuntimeDep,
    caller: OrdersWrite,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Place an order; without `shipping_fee_vnd` the cheapest carrier's fee is quoted."""
    given = body.model_dump(mode="json")
    body_hash = request_hash(given)
    if idempotency_key is not None:
        stored = runtime.read(stored_answer, scope=ORDER_SCOPE, key=idempotency_key)
        if stored is not None:
            return _replay(stored, body_hash)
    address = body.shipping_address.model_dump() if body.shipping_address else None
    try:
        answer = perform(
            runtime,
            caller.actor,
            place_order_once,
            key=idempotency_key,
            body_hash=body_hash,
            customer_id=body.customer_id,
            lines=[line.model_dump() for line in body.lines],
            channel=body.channel.value,
            payment_method=body.payment_method.value,
            service_level=body.service_level.value,
            shipping_address=address,
            shipping_fee_vnd=body.shipping_fee_vnd,
            promised_at=body.promised_at,
            note=body.note,
        )
    except IntegrityError:
        # A concurrent request with the same key committed first; ours wrote nothing.
        if idempotency_key is None:
            raise
        stored = runtime.read(stored_answer, scope=ORDER_SCOPE, key=idempotency_key)
        if stored is None:
            raise
        return _replay(stored, body_hash)
    return JSONResponse(answer, status_code=201)


@router.get("", response_model=schemas.OrderListOut)
def search(
    runtime: RuntimeDep,
    _caller: OrdersRead,
    state: Annotated[str | None, Query(max_length=20)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> schemas.OrderListOut:
    """Orders, newest first (without lines: read one order for its lines)."""
    found = runtime.read(
        list_orders, state=state, customer_id=customer_id, limit=limit, offset=offset
    )
    return schemas.OrderListOut.model_validate({"orders": found, "limit": limit, "offset": offset})


@router.get("/{order_id}", response_model=schemas.OrderDetailOut)
def read(order_id: str, runtime: RuntimeDep, _caller: OrdersRead) -> schemas.OrderDetailOut:
    """The order, its lines, reservations, invoice, shipments, pick tasks, tickets, timeline."""
    return runtime.read(order_detail, order_id, runtime.clock.now())


def _require_order(runtime: RuntimeDep, order_id: str) -> None:
    if runtime.read(get_order, order_id) is None:
        raise NotFound("order", order_id)


@router.post("/{order_id}/cancel", response_model=schemas.OrderDetailOut)
def cancel(
    order_id: str, body: schemas.CancelIn, runtime: RuntimeDep, caller: OrdersWrite
) -> schemas.OrderDetailOut:
    """Cancel an order that is not packed yet; its stock is released."""
    _require_order(runtime, order_id)
    perform(runtime, caller.actor, services.cancel_order, order_id=order_id, reason=body.reason)
    return runtime.read(order_detail, order_id, runtime.clock.now())


@router.post("/{order_id}/payments", response_model=schemas.OrderDetailOut)
def pay(
    order_id: str, body: schemas.PaymentIn, runtime: RuntimeDep, caller: OrdersWrite
) -> schemas.OrderDetailOut:
    """A payment gateway confirmed a prepayment for the order."""
    _require_order(runtime, order_id)
    perform(
        runtime,
        caller.actor,
        services.record_payment,
        order_id=order_id,
        amount_vnd=body.amount_vnd,
        gateway=body.gateway,
        gateway_reference=body.reference,
    )
    return runtime.read(order_detail, order_id, runtime.clock.now())
