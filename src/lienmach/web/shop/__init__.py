"""The storefront under /shop: search, product pages, cart, account, checkout, own orders.

Server-rendered like the back office (``pages``), in Vietnamese and English: templates under
``templates/shop``, texts in ``pages/catalogue_shop.py`` (keys ``shop.…``), money through
``money()`` and moments through ``when()``. Guests browse and fill a cart (a signed cookie, see
``cart.py``); a customer's login (role ``customer``, no back-office permission) is needed to
check out and to see their own orders. Paying online goes through a payment gateway whose signed
callback (``payments.py``) records the payment.
"""

from __future__ import annotations

from fastapi import FastAPI

from lienmach.web.shop import account, basket, browse, checkout, my_orders, payments
from lienmach.web.shop.errors import install_shop_errors

ROUTERS = (
    browse.router,
    basket.router,
    account.router,
    checkout.router,
    payments.router,
    my_orders.router,
)


def install_shop(app: FastAPI) -> None:
    """Mount the storefront's pages and its error pages on ``app``."""
    install_shop_errors(app)
    for router in ROUTERS:
        app.include_router(router)
