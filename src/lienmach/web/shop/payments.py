"""Paying online: off to the payment gateway, and the gateway's signed callback.

The callback is the only thing that records a payment: the browser coming back with
``payment=paid`` proves nothing. It must carry a valid signature and a fresh timestamp, and
the amount must be what the order still owes; each gateway reference is recorded once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lienmach.billing.payment_gateway import (
    GATEWAY,
    InvalidSignature,
    PaymentCallback,
    parse_payment_callback,
    pay_url,
)
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.kernel.tables import idempotency_keys
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.model import OrderState, PaymentMethod
from lienmach.orders.queries import get_order, order_id_for_number
from lienmach.orders.services import record_payment
from lienmach.web.deps import get_settings, perform
from lienmach.web.pages.security import PageContext
from lienmach.web.shop.guard import Customer, ShopPageNotFound, customer_id_of
from lienmach.web.shop.rendering import settings_of

router = APIRouter(prefix="/shop", include_in_schema=False)

CALLBACK_PATH = "/shop/payments/callback"
CALLBACK_SCOPE = "payment-callback"
MAX_CALLBACK_BYTES = 10_000


class AmountMismatch(DomainError):
    """The gateway says it took another amount than the order owes: nothing is recorded."""

    code = "amount_mismatch"


def gateway_url_for(page: PageContext, number: str, amount_vnd: int) -> str:
    """The gateway's pay page for this order, signed; it comes back to the order's page."""
    settings = settings_of(page)
    base = settings.public_base_url.rstrip("/")
    return pay_url(
        settings.payment_gateway_url,
        settings.payment_gateway_secret,
        order_number=number,
        amount_vnd=amount_vnd,
        return_url=f"{base}/shop/orders/{number}",
        notify_url=f"{base}{CALLBACK_PATH}",
    )


def record_gateway_payment(uow: UnitOfWork, *, callback: PaymentCallback) -> bool:
    """Record the payment the gateway confirmed; False when this reference was recorded before.

    The reference is claimed with a row keyed by it in the same transaction as the payment,
    so a callback delivered twice (even at the same moment) is recorded once.
    """
    claimed = select(idempotency_keys.c.key).where(
        idempotency_keys.c.scope == CALLBACK_SCOPE, idempotency_keys.c.key == callback.reference
    )
    if uow.connection.execute(claimed).first() is not None:
        return False
    order_id = order_id_for_number(uow.connection, callback.order_number)
    order = get_order(uow.connection, order_id) if order_id else None
    if order is None:
        raise NotFound("order", callback.order_number)
    owed = order.total_vnd - order.paid_vnd
    if order.state == OrderState.CANCELLED:
        owed = order.total_vnd  # a late payment: orders records it and billing refunds it
    if callback.amount_vnd != owed:
        raise AmountMismatch(
            f"amount_vnd {callback.amount_vnd} is not the {owed} đồng order"
            f" {order.number} owes; nothing was recorded"
        )
    try:
        with uow.connection.begin_nested():
            uow.connection.execute(
                idempotency_keys.insert().values(
                    key=callback.reference,
                    scope=CALLBACK_SCOPE,
                    request_hash=order.id,
                    status_code=200,
                    response={"order_number": order.number},
                    created_at=uow.now(),
                )
            )
    except IntegrityError:
        return False
    record_payment(
        uow,
        order_id=order.id,
        amount_vnd=callback.amount_vnd,
        gateway=GATEWAY,
        gateway_reference=callback.reference,
    )
    return True


def _refusal(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status_code)


@router.post(CALLBACK_PATH.removeprefix("/shop"))
async def payment_callback(request: Request) -> Response:
    """The gateway's signed word that a customer paid (HMAC-SHA256 over timestamp and body)."""
    runtime = request.app.state.runtime
    body = await request.body()
    if len(body) > MAX_CALLBACK_BYTES:
        return _refusal(413, "too_large", "a callback is a small JSON object")
    secret = get_settings(runtime).payment_gateway_secret
    try:
        callback = parse_payment_callback(
            secret, headers=dict(request.headers), body=body, now=runtime.clock.now()
        )
        recorded = await run_in_threadpool(
            perform, runtime, f"gateway:{GATEWAY}", record_gateway_payment, callback=callback
        )
    except InvalidSignature as refused:
        return _refusal(401, refused.code, str(refused))
    except InvalidInput as refused:
        return JSONResponse({"error": refused.code, "fields": refused.errors}, status_code=422)
    except NotFound as refused:
        return _refusal(404, refused.code, str(refused))
    except AmountMismatch as refused:
        return _refusal(409, refused.code, str(refused))
    return JSONResponse({"status": "recorded" if recorded else "already recorded"})


@router.get("/orders/{number}/pay")
def pay_again(number: str, page: Customer) -> Response:
    """Back to the gateway for a prepaid order that is not paid yet (e.g. after a cancel)."""
    order_id = page.runtime.read(order_id_for_number, number)
    order = page.runtime.read(get_order, order_id) if order_id else None
    if order is None or order.customer_id != customer_id_of(page):
        raise ShopPageNotFound("shop.order.noun")
    if order.payment_method != PaymentMethod.PREPAID or order.paid or order.state == "cancelled":
        return RedirectResponse(f"/shop/orders/{number}", 303)
    return RedirectResponse(gateway_url_for(page, number, order.total_vnd - order.paid_vnd), 303)
