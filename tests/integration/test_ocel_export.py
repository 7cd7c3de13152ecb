"""OCEL 2.0 export on both databases: real journeys written as the standard JSON and SQLite
formats, read back and validated by pm4py (and the JSON against the OCEL 2.0 schema), limited to
the asked time window; bad input names the field and writes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pm4py
import pytest
from pm4py.objects.ocel.validation import ocel20_rel_validation
from typer.testing import CliRunner

from lienmach.analytics.ocel import count_events, parse_window
from lienmach.analytics.ocel_export import export_ocel
from lienmach.cli import app
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.orders.services import cancel_order
from tests.conftest import Database
from tests.factories import seed_company
from tests.steps import DELIVERED, courier_reports, pick_and_pack

pytestmark = pytest.mark.integration

# The OCEL 2.0 JSON schema (ocel-standard.org, OCEL 2.0 specification, JSON format).
OCEL2_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["objectTypes", "eventTypes", "objects", "events"],
    "definitions": {
        "attributeTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type"],
                "properties": {
                    "name": {"type": "string"},
                    "type": {"enum": ["string", "time", "integer", "float", "boolean"]},
                },
            },
        },
        "types": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "attributes"],
                "properties": {
                    "name": {"type": "string"},
                    "attributes": {"$ref": "#/definitions/attributeTypes"},
                },
            },
        },
        "relationships": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["objectId", "qualifier"],
                "properties": {"objectId": {"type": "string"}, "qualifier": {"type": "string"}},
            },
        },
        "value": {"type": ["string", "integer", "number", "boolean"]},
    },
    "properties": {
        "objectTypes": {"$ref": "#/definitions/types"},
        "eventTypes": {"$ref": "#/definitions/types"},
        "objects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string"},
                    "attributes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "time", "value"],
                            "properties": {
                                "name": {"type": "string"},
                                "time": {"type": "string", "format": "date-time"},
                                "value": {"$ref": "#/definitions/value"},
                            },
                        },
                    },
                    "relationships": {"$ref": "#/definitions/relationships"},
                },
            },
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "time"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string"},
                    "time": {"type": "string", "format": "date-time"},
                    "attributes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "value"],
                            "properties": {
                                "name": {"type": "string"},
                                "value": {"$ref": "#/definitions/value"},
                            },
                        },
                    },
                    "relationships": {"$ref": "#/definitions/relationships"},
                },
            },
        },
    },
}


def _two_days(  # type: ignore[no-untyped-def]
    runtime: Runtime, clock: SimulatedClock, carriers
) -> tuple[list[str], datetime]:
    """Day one: two orders delivered. Day two: one order placed and cancelled. Returns the
    order ids and the moment day two began."""
    carriers.clock = clock
    company = seed_company(runtime)
    orders = []
    for customer in ("Lan", "Minh"):
        placed = runtime.run(
            place_order,
            customer_id=company.customers[customer],
            lines=[{"product_id": company.products["AO-001"], "quantity": 2}],
            payment_method="cod",
        )
        orders.append(placed.order_id)
        pick_and_pack(runtime, placed.order_id)
        courier_reports(runtime, carriers, clock, placed.order_id, DELIVERED)
    clock.advance(timedelta(days=1))
    day_two = clock.now()
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["SACH-003"], "quantity": 1}],
        payment_method="cod",
    )
    runtime.run(cancel_order, order_id=placed.order_id, reason="Khách đổi ý")
    orders.append(placed.order_id)
    return orders, day_two


def _export(runtime: Runtime, path: Path, file_format: str, **window: Any) -> tuple[int, int]:
    since, until = window.get("since"), window.get("until")
    start, end = parse_window(None, None)
    return runtime.read(
        lambda connection: export_ocel(
            connection,
            file_format=file_format,
            path=path,
            since=since or start,
            until=until or end,
        )
    )


def test_json_export_is_standard_ocel_with_objects_relations_and_attributes(  # type: ignore[no-untyped-def]
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox, tmp_path: Path
) -> None:
    orders, _day_two = _two_days(runtime, clock, carrier_sandbox)
    path = tmp_path / "log.json"

    events, objects = _export(runtime, path, "json")

    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, OCEL2_SCHEMA)
    total = runtime.read(count_events, *parse_window(None, None))
    assert events == total == len(document["events"])
    assert objects == len(document["objects"])
    by_id = {item["id"]: item for item in document["objects"]}
    # every order is an object; its state changes are attributes over time
    states = [a["value"] for a in by_id[orders[0]]["attributes"] if a["name"] == "state"]
    assert states[0] == "placed" and states[-1] == "delivered"
    assert [a["value"] for a in by_id[orders[2]]["attributes"] if a["name"] == "state"][-1] == (
        "cancelled"
    )
    # an order is related to its lines and its customer, qualified by role
    qualifiers = {r["qualifier"] for r in by_id[orders[0]]["relationships"]}
    assert {"line", "customer", "shipment"} <= qualifiers
    # events name their objects with qualifiers and carry typed attributes
    placed = next(
        e
        for e in document["events"]
        if e["type"] == "OrderPlaced"
        and {"objectId": orders[0], "qualifier": "order"} in e["relationships"]
    )
    attributes = {a["name"]: a["value"] for a in placed["attributes"]}
    assert attributes["payment_method"] == "cod"
    assert isinstance(attributes["total_vnd"], int)
    placed_type = next(t for t in document["eventTypes"] if t["name"] == "OrderPlaced")
    assert {"name": "total_vnd", "type": "integer"} in placed_type["attributes"]
    assert "order" in {t["name"] for t in document["objectTypes"]}
    # and pm4py reads it back whole
    log = pm4py.read_ocel2_json(str(path))
    assert len(log.events) == total
    assert set(log.objects["ocel:oid"]) == set(by_id)
    assert len(log.relations) == sum(len(e["relationships"]) for e in document["events"])


def test_sqlite_export_is_valid_ocel2_and_read_by_pm4py(  # type: ignore[no-untyped-def]
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox, tmp_path: Path
) -> None:
    orders, _day_two = _two_days(runtime, clock, carrier_sandbox)
    path = tmp_path / "log.sqlite"

    events, objects = _export(runtime, path, "sqlite")

    _satisfied, unsatisfied = ocel20_rel_validation.apply(str(path))
    assert list(unsatisfied) == []
    db = sqlite3.connect(path)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"event", "object", "event_object", "object_object", "event_map_type"} <= tables
    assert {"object_map_type", "event_OrderPlaced", "object_Order", "object_PickTask"} <= tables
    assert db.execute("SELECT count(*) FROM event").fetchone() == (events,)
    assert db.execute("SELECT count(*) FROM object").fetchone() == (objects,)
    changes = db.execute(
        "SELECT state FROM object_Order WHERE ocel_id = ? AND ocel_changed_field = 'state'"
        " ORDER BY ocel_time",
        (orders[0],),
    ).fetchall()
    assert changes[0] == ("placed",) and changes[-1] == ("delivered",)
    db.close()
    log = pm4py.read_ocel2_sqlite(str(path))
    assert len(log.events) == events
    assert orders[2] in set(log.objects["ocel:oid"])
    assert len(log.o2o) > 0


def test_window_keeps_only_its_events(  # type: ignore[no-untyped-def]
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox, tmp_path: Path
) -> None:
    orders, day_two = _two_days(runtime, clock, carrier_sandbox)
    path = tmp_path / "day-two.json"

    _export(runtime, path, "json", since=day_two)

    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["events"]
    assert all(datetime.fromisoformat(e["time"]) >= day_two for e in document["events"])
    ids = {item["id"] for item in document["objects"]}
    assert orders[2] in ids
    assert orders[0] not in ids and orders[1] not in ids
    assert {e["type"] for e in document["events"]} >= {"OrderPlaced", "OrderCancelled"}
    assert "OrderDelivered" not in {e["type"] for e in document["events"]}


def test_cli_writes_the_file_and_refuses_bad_input_naming_the_field(  # type: ignore[no-untyped-def]
    runtime: Runtime, database: Database, clock: SimulatedClock, carrier_sandbox, tmp_path: Path
) -> None:
    if database.kind != "sqlite":  # the command takes a URL; the PostgreSQL test schema has none
        _two_days(runtime, clock, carrier_sandbox)
        with pytest.raises(InvalidInput) as refused:
            _export(runtime, tmp_path / "x.ocel", "xml")
        assert set(refused.value.errors) == {"format"}
        assert not (tmp_path / "x.ocel").exists()
        return
    _two_days(runtime, clock, carrier_sandbox)
    output = tmp_path / "cli.sqlite"
    runner = CliRunner()
    common = ["export-ocel", "--database", database.url, "--output"]

    refused = runner.invoke(app, [*common, str(output), "--since", "2026-13-01"])
    assert refused.exit_code == 2
    assert "since" in refused.output
    assert not output.exists()
    refused = runner.invoke(app, [*common, str(output), "--format", "xml"])
    assert refused.exit_code == 2 and "format" in refused.output
    assert not output.exists()

    done = runner.invoke(app, [*common, str(output), "--format", "sqlite", "--since", "2026-11-01"])

    assert done.exit_code == 0, done.output
    db = sqlite3.connect(output)
    assert db.execute("SELECT count(*) FROM event WHERE ocel_type = 'OrderPlaced'").fetchone() == (
        3,
    )
    db.close()
