"""Reference data and books: customers, products, stock and receipts, the trial balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lienmach.billing.queries import trial_balance
from lienmach.catalog import services as catalog
from lienmach.catalog.queries import get_product, list_products
from lienmach.customers import services as customers
from lienmach.customers.queries import get_customer
from lienmach.inventory import services as inventory
from lienmach.inventory.queries import get_warehouse, list_warehouses, stock_levels_for
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.web import schemas
from lienmach.web.auth import Catalog, Customers, LedgerRead, Stock
from lienmach.web.deps import RuntimeDep, perform

router = APIRouter(prefix="/api/v1")


@router.post("/customers", status_code=201, tags=["customers"], response_model=schemas.CustomerOut)
def register_customer(
    body: schemas.CustomerIn, runtime: RuntimeDep, caller: Customers
) -> schemas.CustomerOut:
    """Register a customer; phone, address (province and ward) and tax code are checked."""
    customer_id = perform(
        runtime, caller.actor, customers.register_customer, **body.model_dump(exclude_none=True)
    )
    return read_customer(customer_id, runtime, caller)


@router.get("/customers/{customer_id}", tags=["customers"], response_model=schemas.CustomerOut)
def read_customer(customer_id: str, runtime: RuntimeDep, _caller: Customers) -> schemas.CustomerOut:
    found = runtime.read(get_customer, customer_id)
    if found is None:
        raise NotFound("customer", customer_id)
    return schemas.CustomerOut.model_validate(found)


@router.post("/products", status_code=201, tags=["catalog"], response_model=schemas.ProductOut)
def create_product(
    body: schemas.ProductIn, runtime: RuntimeDep, caller: Catalog
) -> schemas.ProductOut:
    """Add a product; prices are net of VAT, in đồng."""
    product_id = perform(runtime, caller.actor, catalog.create_product, **body.model_dump())
    return schemas.ProductOut.model_validate(runtime.read(get_product, product_id))


@router.get("/products", tags=["catalog"], response_model=list[schemas.ProductOut])
def products(
    runtime: RuntimeDep,
    _caller: Catalog,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[schemas.ProductOut]:
    return [
        schemas.ProductOut.model_validate(product)
        for product in runtime.read(list_products, limit=limit, offset=offset)
    ]


@router.get("/stock", tags=["stock"], response_model=list[schemas.StockLevelOut])
def stock(
    runtime: RuntimeDep,
    _caller: Stock,
    product_id: Annotated[list[str] | None, Query()] = None,
) -> list[schemas.StockLevelOut]:
    """Units on hand, reserved and available per product and warehouse."""
    warehouses = {warehouse.id: warehouse for warehouse in runtime.read(list_warehouses)}
    levels = runtime.read(stock_levels_for, product_ids=product_id)
    return [
        schemas.StockLevelOut(
            product_id=level.product_id,
            warehouse_id=level.warehouse_id,
            warehouse_code=warehouses[level.warehouse_id].code,
            province_code=warehouses[level.warehouse_id].province_code,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
        )
        for level in levels
        if level.warehouse_id in warehouses
    ]


@router.post(
    "/stock/receipts", status_code=201, tags=["stock"], response_model=list[schemas.StockLevelOut]
)
def receive_stock(
    body: schemas.StockReceiptIn, runtime: RuntimeDep, caller: Stock
) -> list[schemas.StockLevelOut]:
    """Put received units on hand; waiting backorders are then served by themselves."""
    errors: dict[str, str] = {}
    if runtime.read(get_warehouse, body.warehouse_id) is None:
        errors["warehouse_id"] = "no such warehouse; pick one from the list of warehouses"
    if runtime.read(get_product, body.product_id) is None:
        errors["product_id"] = "no such product; create it in the catalog first"
    if errors:
        raise InvalidInput(errors)
    perform(runtime, caller.actor, inventory.receive_stock, **body.model_dump())
    return stock(runtime, caller, [body.product_id])


@router.get("/ledger/trial-balance", tags=["ledger"], response_model=schemas.TrialBalanceOut)
def ledger_trial_balance(runtime: RuntimeDep, _caller: LedgerRead) -> schemas.TrialBalanceOut:
    """Every account with its debit and credit totals; balanced when they agree."""
    return schemas.TrialBalanceOut.model_validate(runtime.read(trial_balance))
