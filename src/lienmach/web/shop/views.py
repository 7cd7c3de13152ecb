"""What the shop's pages show, composed from the contexts' read sides (all downward reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from lienmach.aftersales.queries import TicketView, tickets_for_order
from lienmach.catalog.queries import ProductView, get_products, search_products
from lienmach.inventory.queries import stock_levels_for
from lienmach.kernel.money import vat_of
from lienmach.orders.model import SHIPPING_VAT_PERCENT, PricedLine, Totals, totals
from lienmach.orders.queries import OrderView, get_order, order_id_for_number
from lienmach.shipping.queries import ShipmentView, shipments_for_order
from lienmach.web.shop.cart import Cart

LOW_STOCK = 5


@dataclass(frozen=True)
class ProductCard:
    product: ProductView
    name: str
    price_with_vat_vnd: int
    available: int

    @property
    def availability(self) -> str:
        """A message key: in stock, only a few left, or out of stock (ordered in)."""
        if self.available <= 0:
            return "shop.stock.out"
        return "shop.stock.few" if self.available <= LOW_STOCK else "shop.stock.in"


def _available(connection: Connection, product_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(product_ids, 0)
    for level in stock_levels_for(connection, product_ids=product_ids):
        found[level.product_id] += max(level.available, 0)
    return found


def _card(product: ProductView, locale: str, available: int) -> ProductCard:
    name = product.name_en if locale == "en" and product.name_en else product.name_vi
    gross = product.price_vnd + vat_of(product.price_vnd, product.vat_rate_percent)
    return ProductCard(product, name, gross, available)


def product_cards(connection: Connection, text: str, locale: str) -> list[ProductCard]:
    """Products matching the search, with their price including VAT and what is in stock."""
    found = search_products(connection, text)
    stock = _available(connection, [product.id for product in found])
    return [_card(product, locale, stock[product.id]) for product in found]


def product_card(connection: Connection, product_id: str, locale: str) -> ProductCard | None:
    product = get_products(connection, [product_id]).get(product_id)
    if product is None or not product.active:
        return None
    return _card(product, locale, _available(connection, [product.id])[product.id])


@dataclass(frozen=True)
class CartLine:
    card: ProductCard
    quantity: int
    priced: PricedLine

    @property
    def gross_vnd(self) -> int:
        return self.priced.net_vnd + self.priced.vat_vnd


@dataclass(frozen=True)
class CartView:
    lines: list[CartLine]
    totals: Totals

    @property
    def goods_total_vnd(self) -> int:
        return self.totals.subtotal_vnd + self.totals.vat_vnd

    def total_with_shipping(self, shipping_fee_vnd: int) -> int:
        return (
            self.goods_total_vnd + shipping_fee_vnd + vat_of(shipping_fee_vnd, SHIPPING_VAT_PERCENT)
        )


def cart_view(connection: Connection, cart: Cart, locale: str) -> CartView:
    """The cart priced from today's catalog; products no longer on sale are left out."""
    products = get_products(connection, list(cart.items))
    stock = _available(connection, list(products))
    lines = []
    for product_id, quantity in cart.items.items():
        product = products.get(product_id)
        if product is None or not product.active:
            continue
        priced = PricedLine(
            product_id=product.id,
            sku=product.sku,
            name=product.name_vi,
            quantity=quantity,
            unit_price_vnd=product.price_vnd,
            vat_rate_percent=product.vat_rate_percent,
            weight_grams=product.weight_grams,
        )
        lines.append(CartLine(_card(product, locale, stock[product.id]), quantity, priced))
    return CartView(lines, totals([line.priced for line in lines], shipping_fee_vnd=0))


@dataclass(frozen=True)
class CustomerOrder:
    order: OrderView
    shipments: list[ShipmentView]
    tickets: list[TicketView]


def customer_order(
    connection: Connection, number: str, customer_id: str, now: datetime
) -> CustomerOrder | None:
    """The order numbered ``number`` if it is this customer's; None otherwise (also when it
    exists but is someone else's: the page must not tell the two apart)."""
    order_id = order_id_for_number(connection, number)
    order = get_order(connection, order_id) if order_id else None
    if order is None or order.customer_id != customer_id:
        return None
    return CustomerOrder(
        order,
        shipments_for_order(connection, order.id),
        tickets_for_order(connection, order.id, now),
    )
