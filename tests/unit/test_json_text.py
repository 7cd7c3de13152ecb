"""SQLite's JSON text (kernel.db.json_text) gives back the values the json module would."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lienmach.kernel.db import json_text, json_value

VALUES: list[Any] = [
    {"order_id": "ord_1", "product_ids": ("P1", "P2"), "amount_vnd": 1_250_000, "paid": None},
    {"name": "Nguyễn Thị Ánh", "address": "Phường Bến Nghé, TP. Hồ Chí Minh", "ok": True},
    {1: "a number as a key", "nested": {"list": [1, 2.5, "ba"], "empty": {}}},
    [["evt_1", "OrderPlaced", 1_764_000_000_000_000]],
    {"huge": 2**70},  # past 64 bits: the json module writes it
    {"odd": "\ud800 lone surrogate"},  # not UTF-8: the json module escapes it
]


@pytest.mark.parametrize("value", VALUES)
def test_the_same_values_come_back_as_through_the_json_module(value: Any) -> None:
    expected = json.loads(json.dumps(value))
    assert json.loads(json_text(value)) == expected
    assert json_value(json_text(value)) == expected
    assert json_value(json.dumps(value)) == expected  # rows written before orjson


def test_what_only_the_json_module_writes_is_read_back() -> None:
    assert json_value('{"x": NaN}')["x"] != json_value('{"x": NaN}')["x"]  # NaN


def test_text_is_utf8_not_escaped() -> None:
    assert json_text({"name": "Ánh"}) == '{"name":"Ánh"}'
