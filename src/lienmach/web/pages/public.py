"""Pages for anyone, outside the back office: the tracking page and the satisfaction survey.

No staff session is read here: a visitor is anonymous whatever cookies the browser holds. The
language is ``?lang=`` (remembered in the ``lm_lang`` cookie), then that cookie, then the
language of the order or customer the link belongs to, else Vietnamese.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lienmach.access.credentials import new_csrf_token
from lienmach.aftersales.model import MAX_COMMENT
from lienmach.aftersales.queries import SurveyView, survey_by_token
from lienmach.aftersales.surveys import answer_survey
from lienmach.customers.queries import get_customer
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.web.deps import perform
from lienmach.web.pages import i18n
from lienmach.web.pages.customer_views import tracking_page
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import (
    ANONYMOUS_CSRF_COOKIE,
    LOCALE_COOKIE,
    PageContext,
    is_https,
)

router = APIRouter(include_in_schema=False)

SCORES = list(range(11))


def visitor(request: Request, preference: str | None = None) -> PageContext:
    """An anonymous visitor's context: language as the module says, a browser CSRF cookie."""
    asked = request.query_params.get("lang")
    cookies: dict[str, str] = {}
    if asked in i18n.LOCALES:
        cookies[LOCALE_COOKIE] = str(asked)
    locale = i18n.choose_locale(asked or request.cookies.get(LOCALE_COOKIE), preference)
    browser = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    if not browser:
        browser = cookies[ANONYMOUS_CSRF_COOKIE] = new_csrf_token()
    return PageContext(request, request.app.state.runtime, None, locale, browser, cookies)


def _not_found(page: PageContext, what: str) -> Response:
    return render(page, "public/not_found.html", status_code=404, what=what)


@router.get("/track/{code}")
def track(code: str, request: Request) -> Response:
    """Where an order's parcels are: by the order's tracking link or a tracking number."""
    runtime = request.app.state.runtime
    found = runtime.read(tracking_page, code[:100]) if len(code) <= 100 else None
    page = visitor(request, found.language if found else None)
    if found is None:
        return _not_found(page, "track")
    return render(page, "public/track.html", view=found, code=code)


# An anonymous survey form is protected by a double-submit token bound to the survey: the form
# carries HMAC(browser cookie, survey token). A cross-site page can neither read the HttpOnly
# cookie nor compute the HMAC (and SameSite=Lax keeps the cookie off its POSTs anyway), and a
# value seen in one survey's form is worthless for another survey. No server-side session is
# needed for someone who only clicked a link in an e-mail.
def survey_csrf(browser_token: str, survey_token: str) -> str:
    return hmac.new(
        browser_token.encode(), f"survey:{survey_token}".encode(), hashlib.sha256
    ).hexdigest()


def _survey_page(
    page: PageContext, survey: SurveyView, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return render(
        page,
        "public/survey.html",
        status_code=status_code,
        survey=survey,
        scores=SCORES,
        form_token=survey_csrf(page.csrf_token, survey.token),
        max_comment=MAX_COMMENT,
        **{"error": None, "chosen": None, "comment": "", "done": False, **values},
    )


def _survey(request: Request, token: str) -> tuple[PageContext, SurveyView | None]:
    runtime = request.app.state.runtime
    survey = runtime.read(survey_by_token, token) if len(token) <= 100 else None
    customer = runtime.read(get_customer, survey.customer_id) if survey else None
    return visitor(request, customer.language if customer else None), survey


@router.get("/survey/{token}")
def survey_page(token: str, request: Request) -> Response:
    """The 0–10 question; a thank-you once answered (``?done=1`` right after the answer)."""
    page, survey = _survey(request, token)
    if survey is None:
        return _not_found(page, "survey")
    return _survey_page(page, survey, done=request.query_params.get("done") == "1")


@router.post("/survey/{token}")
def answer(
    token: str,
    request: Request,
    score: Annotated[str, Form(max_length=5)] = "",
    comment: Annotated[str, Form(max_length=MAX_COMMENT * 2)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record the answer once; a bad score or a forged form is refused and nothing written."""
    page, survey = _survey(request, token)
    if survey is None:
        return _not_found(page, "survey")
    browser = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    expected = survey_csrf(browser, survey.token) if browser else ""
    if not (expected and hmac.compare_digest(csrf_token.encode(), expected.encode())):
        return _survey_page(page, survey, 403, error="survey.error.form", comment=comment)
    chosen = int(score) if score.strip().isdigit() else None
    if survey.answered_at is not None:
        return _survey_page(page, survey, 409)
    try:
        perform(
            page.runtime,
            "customer:survey",
            answer_survey,
            token=token,
            score=chosen if chosen is not None else -1,
            comment=comment,
        )
    except InvalidInput as refused:
        field = "score" if "score" in refused.errors else "comment"
        values = {"error": f"survey.error.{field}", "chosen": chosen, "comment": comment}
        return _survey_page(page, survey, 422, **values)
    except NotFound:
        return _not_found(page, "survey")
    except DomainError:
        fresh = page.runtime.read(survey_by_token, token) or survey
        return _survey_page(page, fresh, 409)
    response = RedirectResponse(f"/survey/{token}?done=1", 303)
    for name, value in page.cookies_to_set.items():
        response.set_cookie(
            name, value, path="/", httponly=True, samesite="lax", secure=is_https(request)
        )
    return response
