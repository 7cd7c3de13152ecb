"""The process map page: the order journey as a map (drawn by analytics.process_map_svg), its
variants with their share, rework loops, and where orders wait longest (median and p90)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from markupsafe import Markup

from lienmach.access.roles import Permission
from lienmach.analytics.process_map_queries import process_map
from lienmach.analytics.process_map_svg import process_map_svg
from lienmach.web.pages import i18n, kpi_format
from lienmach.web.pages.catalogue import MESSAGES
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import PageContext, require

router = APIRouter(prefix="/app", include_in_schema=False)

Analyst = Annotated[PageContext, Depends(require(Permission.ANALYTICS))]
BOTTLENECKS = 10


def activity_label(activity: str, locale: str) -> str:
    """An activity (an event type) by its name in ``locale``; the type itself if unnamed."""
    key = f"process.activity.{activity}"
    return i18n.translate(locale, key) if key in MESSAGES else activity


@router.get("/process-map")
def process_map_page(page: Analyst) -> Response:
    locale = page.locale
    found = page.runtime.read(process_map)
    drawing = process_map_svg(
        found,
        label=lambda activity: activity_label(activity, locale),
        wait=lambda seconds: kpi_format.duration(seconds, locale),
    )
    return render(
        page,
        "kpis/process_map.html",
        found=found,
        svg=Markup(drawing),  # built by process_map_svg, which escapes every name it writes
        bottlenecks=found.bottlenecks(BOTTLENECKS),
        activity=lambda activity: activity_label(activity, locale),
        duration=lambda seconds: kpi_format.duration(seconds, locale),
    )
