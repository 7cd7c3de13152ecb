"""Customers: search by name or phone, and one customer's timeline across every channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lienmach.access.roles import Permission
from lienmach.web.pages.customer_views import customer_list, customer_page
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, require
from lienmach.web.pages.views import PROVINCE_BY_CODE

router = APIRouter(prefix="/app", include_in_schema=False)

Viewer = Annotated[PageContext, Depends(require(Permission.CUSTOMERS))]


@router.get("/customers")
def customers_page(page: Viewer, q: Annotated[str, Query(max_length=80)] = "") -> Response:
    found = page.runtime.read(customer_list, q)
    return render(
        page, "customers/list.html", customers=found, q=q, province_by_code=PROVINCE_BY_CODE
    )


@router.get("/customers/{customer_id}")
def customer_detail(customer_id: str, page: Viewer) -> Response:
    found = page.runtime.read(customer_page, customer_id, page.runtime.clock.now())
    if found is None:
        raise PageNotFound("customers.noun", customer_id)
    return render(page, "customers/detail.html", view=found, province_by_code=PROVINCE_BY_CODE)
