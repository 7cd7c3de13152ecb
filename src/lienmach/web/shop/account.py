"""A customer's account in the shop: register, log in, log out.

Registering makes the customer (customers context) and their login (a ``customer`` user,
argon2id password) in one unit of work, so neither exists without the other, and logs them in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from lienmach.access.credentials import LoginRefused, password_problem
from lienmach.access.queries import find_user_by_email
from lienmach.access.roles import Role
from lienmach.access.services import (
    NewSession,
    authenticate,
    create_user,
    end_session,
    start_session,
)
from lienmach.customers.geography import PROVINCES
from lienmach.customers.services import register_customer
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.deps import perform
from lienmach.web.pages.login import attempt_login
from lienmach.web.pages.security import (
    SESSION_COOKIE,
    PageContext,
    clear_session_cookie,
    set_session_cookie,
)
from lienmach.web.shop.guard import Shopper, ShopperForm, customer_id_of, safe_shop_path
from lienmach.web.shop.rendering import error_keys, shop_render

router = APIRouter(prefix="/shop", include_in_schema=False)

REGISTER_FIELDS = ("name", "email", "phone", "province", "ward", "street", "password")
Text = Annotated[str, Form(max_length=254)]
Password = Annotated[str, Form(max_length=200)]
Next = Annotated[str, Form(max_length=500)]


class NotACustomer(DomainError):
    """Staff accounts log in to the back office, not the shop; no session is opened."""

    code = "not_a_customer"
    reason = "staff"


def register_shopper(
    uow: UnitOfWork,
    *,
    name: str,
    email: str,
    phone: str,
    province: str,
    ward: str,
    street: str,
    password: str,
    locale: str,
) -> NewSession:
    """Register the customer and their login, then open their session.

    Every bad field is named at once (InvalidInput) and then nothing is written.
    """
    errors: dict[str, str] = {}
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if find_user_by_email(uow.connection, email) is not None:
        errors["email"] = "this e-mail already has an account; log in with it"
    try:
        customer_id = register_customer(
            uow,
            name=name,
            email=email,
            phone=phone,
            province=province,
            ward=ward,
            street=street,
            language=locale,
        )
    except InvalidInput as refused:
        raise InvalidInput({**errors, **refused.errors}) from None
    if errors:
        raise InvalidInput(errors)
    user_id = create_user(
        uow,
        email=email,
        display_name=name,
        password=password,
        role=Role.CUSTOMER,
        customer_id=customer_id,
        locale=locale,
    )
    return start_session(uow, user_id=user_id)


def log_in_customer(uow: UnitOfWork, *, email: str, password: str) -> NewSession:
    """A session for a customer's login; LoginRefused for wrong credentials or staff."""
    user = authenticate(uow, email=email, password=password)
    if user.role != Role.CUSTOMER or not user.customer_id:
        raise NotACustomer("a staff account: log in to the back office at /app")
    return start_session(uow, user_id=user.id)


def _register_page(
    page: PageContext, given: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    return shop_render(
        page,
        "shop/register.html",
        status_code=status_code,
        given=given,
        errors=errors,
        provinces=PROVINCES,
    )


@router.get("/register")
def register_page(page: Shopper) -> Response:
    return _register_page(page, dict.fromkeys(REGISTER_FIELDS, ""), {})


@router.post("/register")
def register(
    page: ShopperForm,
    name: Text = "",
    email: Text = "",
    phone: Text = "",
    province: Text = "",
    ward: Text = "",
    street: Text = "",
    password: Password = "",
) -> Response:
    given = {"name": name, "email": email, "phone": phone, "province": province}
    given |= {"ward": ward, "street": street}
    try:
        session = perform(
            page.runtime,
            f"shop:{email[:80]}",
            register_shopper,
            **given,
            password=password,
            locale=page.locale,
        )
    except InvalidInput as refused:
        errors = error_keys(refused.errors, set(REGISTER_FIELDS))
        return _register_page(page, {**given, "password": ""}, errors, status_code=422)
    response = RedirectResponse("/shop?welcome=1", 303)
    set_session_cookie(response, page.request, session.token)
    return response


def _login_page(
    page: PageContext,
    *,
    next: str,
    email: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return shop_render(
        page,
        "shop/login.html",
        status_code=status_code,
        next=safe_shop_path(next),
        email=email,
        errors=errors or {},
    )


@router.get("/login")
def login_page(page: Shopper, next: Annotated[str, Query(max_length=500)] = "/shop") -> Response:
    if customer_id_of(page) is not None:
        return RedirectResponse(safe_shop_path(next), 303)
    return _login_page(page, next=next)


@router.post("/login")
def log_in(
    page: ShopperForm, email: Text = "", password: Password = "", next: Next = "/shop"
) -> Response:
    """Log a customer in; each refusal names what to fix and opens no session."""
    errors = {}
    if not email.strip():
        errors["email"] = "shop.login.error.email"
    if not password:
        errors["password"] = "shop.login.error.password"
    if not errors:
        try:
            session = attempt_login(page, email, password, log_in_customer)
        except (LoginRefused, NotACustomer) as refused:
            errors["form"] = f"shop.login.error.{refused.reason}"
    if errors:
        refusal = errors.get("form", "").rsplit(".", 1)[-1]
        status = {"disabled": 403, "staff": 403, "throttled": 429, "credentials": 401}
        return _login_page(
            page, next=next, email=email, errors=errors, status_code=status.get(refusal, 422)
        )
    response = RedirectResponse(safe_shop_path(next), 303)
    set_session_cookie(response, page.request, session.token)
    return response


@router.post("/logout")
def log_out(page: ShopperForm) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE, "")
    if token:
        perform(page.runtime, page.actor, end_session, token=token)
    response = RedirectResponse("/shop", 303)
    clear_session_cookie(response, page.request)
    return response
