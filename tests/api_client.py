"""The API as a caller with a key sees it, and the pages as a logged-in person sees them: one
place where tests get an authorised client."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lienmach.access.services import create_api_key
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.kernel.db import metadata
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.web.app import create_app
from tests.factories import STAFF_PASSWORD, seed_company


def new_key(runtime: Runtime, *, scopes: Sequence[str] = ("*",), name: str = "tests") -> str:
    """A fresh API key with ``scopes`` (every scope by default)."""
    _key_id, key = runtime.run(create_api_key, name=name, scopes=list(scopes))
    return key


def api_client(
    runtime: Runtime,
    *,
    scopes: Sequence[str] = ("*",),
    name: str = "tests",
    app: FastAPI | None = None,
) -> TestClient:
    """A client of the API that sends a new key with ``scopes`` on every request."""
    key = new_key(runtime, scopes=scopes, name=name)
    return TestClient(app or create_app(runtime), headers={"Authorization": f"Bearer {key}"})


@dataclass
class OrderWaitingForPick:
    """A seeded company with one order of Lan's whose pick task is queued."""

    customer_id: str
    product_id: str
    warehouse_id: str
    order_id: str
    pick_task_id: str


def order_waiting_for_pick(runtime: Runtime) -> OrderWaitingForPick:
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 1}],
        shipping_fee_vnd=30_000,
    )
    [task] = runtime.read(tasks_for_order, placed.order_id)
    return OrderWaitingForPick(
        customer_id=company.customers["Lan"],
        product_id=company.products["AO-001"],
        warehouse_id=company.hanoi_warehouse,
        order_id=placed.order_id,
        pick_task_id=task.id,
    )


def row_counts(runtime: Runtime) -> dict[str, int]:
    """Rows in every table: equal before and after means nothing was written."""
    with runtime.engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in metadata.sorted_tables
        }


def form_token(client: TestClient, path: str = "/app/login") -> str:
    """The CSRF token the page at ``path`` puts in its forms (the session's, once logged in)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form with a CSRF token on {path}"
    return found.group(1)


def page_client(
    runtime: Runtime, *, email: str | None = None, password: str = STAFF_PASSWORD, **options: Any
) -> TestClient:
    """A browser-like client of the pages, logged in as ``email`` when given (through the form)."""
    client = TestClient(create_app(runtime), follow_redirects=False, **options)
    if email is not None:
        answer = client.post(
            "/app/login",
            data={"email": email, "password": password, "csrf_token": form_token(client)},
        )
        assert answer.status_code == 303, answer.text
    return client
