"""Settings: the staff accounts — who may log in, with which role (owner only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from lienmach.access.queries import get_user, list_users
from lienmach.access.roles import STAFF_ROLES, Permission
from lienmach.access.services import create_user, disable_user, enable_user
from lienmach.kernel.errors import InvalidInput
from lienmach.web.deps import perform
from lienmach.web.pages import i18n
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, form, require

router = APIRouter(prefix="/app/settings", include_in_schema=False)

Owner = Annotated[PageContext, Depends(require(Permission.SETTINGS))]
OwnerForm = Annotated[PageContext, Depends(form(Permission.SETTINGS))]
USERS_PATH = "/app/settings/users"


def _page(
    page: PageContext,
    *,
    errors: dict[str, str] | None = None,
    given: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        page,
        "settings/users.html",
        status_code=status_code,
        users=page.runtime.read(list_users),
        roles=[role.value for role in STAFF_ROLES],
        locales=i18n.LOCALES,
        errors=errors or {},
        given=given or {},
    )


@router.get("/users")
def users_page(page: Owner) -> Response:
    return _page(page)


@router.post("/users")
def add_user(
    page: OwnerForm,
    email: Annotated[str, Form(max_length=254)] = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    locale: Annotated[str, Form(max_length=2)] = i18n.DEFAULT_LOCALE,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Open a staff account; a bad field re-shows the form (422) with what to fix."""
    given = {"email": email, "display_name": display_name, "role": role, "locale": locale}
    if role not in {role.value for role in STAFF_ROLES}:
        # Customer accounts are opened from the shop, never here.
        return _page(page, errors={"role": "users.error.role"}, given=given, status_code=422)
    try:
        perform(
            page.runtime,
            page.actor,
            create_user,
            email=email,
            display_name=display_name,
            password=password,
            role=role,
            locale=locale,
        )
    except InvalidInput as refused:
        errors = {name: f"users.error.{name}" for name in refused.errors}
        return _page(page, errors=errors, given=given, status_code=422)
    return RedirectResponse(f"{USERS_PATH}?created={email.strip().lower()}", 303)


@router.post("/users/{user_id}/disable")
def disable(user_id: str, page: OwnerForm) -> Response:
    """Lock an account out; its open sessions end at once. Owners cannot lock themselves out."""
    if page.runtime.read(get_user, user_id) is None:
        raise PageNotFound("users.noun", user_id)
    if page.user is not None and page.user.id == user_id:
        return _page(page, errors={"self": "users.error.self"}, status_code=409)
    perform(page.runtime, page.actor, disable_user, user_id=user_id)
    return RedirectResponse(USERS_PATH, 303)


@router.post("/users/{user_id}/enable")
def enable(user_id: str, page: OwnerForm) -> Response:
    if page.runtime.read(get_user, user_id) is None:
        raise PageNotFound("users.noun", user_id)
    perform(page.runtime, page.actor, enable_user, user_id=user_id)
    return RedirectResponse(USERS_PATH, 303)
