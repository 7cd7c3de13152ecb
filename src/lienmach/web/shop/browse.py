"""Searching the catalog, a product's page, and the shop's language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from lienmach.web.pages import i18n
from lienmach.web.pages.security import remember_language
from lienmach.web.shop.guard import ShopPageNotFound, Shopper, ShopperForm, safe_shop_path
from lienmach.web.shop.rendering import shop_render
from lienmach.web.shop.views import product_card, product_cards

router = APIRouter(prefix="/shop", include_in_schema=False)


@router.get("")
def search_page(page: Shopper, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Every product on sale, or those with every word of ``q`` (diacritics optional)."""
    cards = page.runtime.read(product_cards, q, page.locale)
    return shop_render(page, "shop/search.html", cards=cards, query=q)


@router.get("/products/{product_id}")
def product_page(product_id: str, page: Shopper) -> Response:
    card = page.runtime.read(product_card, product_id, page.locale)
    if card is None:
        raise ShopPageNotFound("shop.product.noun")
    return shop_render(page, "shop/product.html", card=card)


@router.post("/language")
def switch_language(
    page: ShopperForm,
    locale: Annotated[str, Form(max_length=5)] = i18n.DEFAULT_LOCALE,
    next: Annotated[str, Form(max_length=500)] = "/shop",
) -> Response:
    """Remember the chosen language (a year) and go back to the shop page it was chosen on."""
    response = RedirectResponse(safe_shop_path(next), 303)
    remember_language(response, page.request, locale)
    return response
