"""The cart page: add a product, change a quantity, remove a line; totals with VAT."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from lienmach.catalog.queries import get_product
from lienmach.web.pages.security import PageContext
from lienmach.web.shop import cart
from lienmach.web.shop.guard import Shopper, ShopperForm
from lienmach.web.shop.rendering import current_cart, settings_of, shop_render
from lienmach.web.shop.views import cart_view

router = APIRouter(prefix="/shop/cart", include_in_schema=False)

ProductId = Annotated[str, Form(max_length=32)]
Quantity = Annotated[str, Form(max_length=6)]


def _page(
    page: PageContext, contents: cart.Cart, *, errors: dict[str, str] | None = None
) -> Response:
    view = page.runtime.read(cart_view, contents, page.locale)
    return shop_render(
        page,
        "shop/cart.html",
        status_code=422 if errors else 200,
        view=view,
        errors=errors or {},
        cart_units=contents.units,
    )


def _quantity(text: str, *, least: int) -> int | None:
    value = int(text) if text.strip().isdigit() else None
    return value if value is not None and least <= value <= cart.MAX_QUANTITY else None


def _saved(page: PageContext, contents: cart.Cart) -> Response:
    response = RedirectResponse("/shop/cart", 303)
    cart.write(response, page.request, contents, settings_of(page).cookie_secret)
    return response


@router.get("")
def cart_page(page: Shopper) -> Response:
    return _page(page, current_cart(page))


@router.post("/add")
def add_to_cart(
    page: ShopperForm, product_id: ProductId = "", quantity: Quantity = "1"
) -> Response:
    """Put ``quantity`` units of a product on sale into the cart."""
    contents = current_cart(page)
    product = page.runtime.read(get_product, product_id) if product_id else None
    errors = {}
    if product is None or not product.active:
        errors["product_id"] = "shop.error.product_id"
    count = _quantity(quantity, least=1)
    if count is None:
        errors["quantity"] = "shop.error.quantity"
    if errors or count is None:
        return _page(page, contents, errors=errors)
    contents.add(product_id, count)
    return _saved(page, contents)


@router.post("/update")
def change_quantity(
    page: ShopperForm, product_id: ProductId = "", quantity: Quantity = ""
) -> Response:
    """Set a line's quantity; 0 removes it."""
    contents = current_cart(page)
    count = _quantity(quantity, least=0)
    if count is None or product_id not in contents.items:
        field = "quantity" if product_id in contents.items else "product_id"
        return _page(page, contents, errors={field: f"shop.error.{field}"})
    contents.set(product_id, count)
    return _saved(page, contents)


@router.post("/remove")
def remove_line(page: ShopperForm, product_id: ProductId = "") -> Response:
    contents = current_cart(page)
    contents.set(product_id, 0)
    return _saved(page, contents)
