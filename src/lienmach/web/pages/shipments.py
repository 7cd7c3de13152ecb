"""Shipments: the list (by state) and one shipment with its carrier, the reason it was chosen
and the carrier's status history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lienmach.access.roles import Permission
from lienmach.shipping.model import ShipmentState
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, require
from lienmach.web.pages.work_views import shipment_list, shipment_page

router = APIRouter(prefix="/app", include_in_schema=False)

Viewer = Annotated[PageContext, Depends(require(Permission.SHIPMENTS))]
STATES = [state.value for state in ShipmentState]


@router.get("/shipments")
def shipments_page(
    page: Viewer, state: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    problem = bool(state) and state not in STATES
    chosen = state if state in STATES else None
    listing = page.runtime.read(shipment_list, chosen)
    return render(
        page, "shipments/list.html", listing=listing, states=STATES, state_problem=problem
    )


@router.get("/shipments/{shipment_id}")
def shipment_detail(shipment_id: str, page: Viewer) -> Response:
    found = page.runtime.read(shipment_page, shipment_id)
    if found is None:
        raise PageNotFound("shipments.noun", shipment_id)
    return render(page, "shipments/detail.html", view=found)
