"""Templates render in Vietnamese and English, with full links and đồng amounts; bad requests
to send are refused before anything is written."""

from __future__ import annotations

from typing import Any

import pytest

from lienmach.kernel.errors import InvalidInput
from lienmach.notifications.services import message_id_for, send_email, send_sms
from lienmach.notifications.templates import SPECS, render

pytestmark = pytest.mark.unit

BASE = "https://shop.example.vn"


class UntouchableUow:
    """A unit of work that fails the test if anything tries to write through it."""

    @property
    def connection(self) -> Any:
        raise AssertionError("nothing may be written for bad input")

    def record_job(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("no job may be recorded for bad input")


def test_order_confirmation_shows_total_in_dong_in_vietnamese() -> None:
    subject, body = render(
        "order_confirmation", "vi", {"order_number": "DH-000042", "total": 1250000}
    )
    assert subject == "Xác nhận đơn hàng DH-000042"
    assert "Tổng thanh toán: 1.250.000 ₫" in body
    assert "Theo dõi" not in body  # no tracking link given, no empty line for it


def test_order_confirmation_in_english_with_tracking_link_made_absolute() -> None:
    subject, body = render(
        "order_confirmation",
        "en",
        {"order_number": "DH-000042", "total": 99000, "tracking_url": "/orders/DH-000042"},
        base_url=BASE + "/",
    )
    assert subject == "Order DH-000042 confirmed"
    assert "Total: 99.000 ₫" in body
    assert f"Track your order: {BASE}/orders/DH-000042" in body


def test_tracking_email_names_carrier_code_link_and_promised_day() -> None:
    params = {
        "order_number": "DH-7",
        "tracking_code": "GHN123",
        "carrier_name": "GHN",
        "tracking_url": "/track/GHN123",
        "promised_date": "2026-11-05",
    }
    subject, body = render("tracking_email", "vi", params, base_url=BASE)
    assert subject == "Đơn hàng DH-7 đã được giao cho GHN"
    assert "Mã vận đơn: GHN123" in body
    assert "Dự kiến giao: 05/11/2026" in body
    assert f"{BASE}/track/GHN123" in body


def test_tracking_sms_is_short_ascii_with_the_link() -> None:
    params = {"order_number": "DH-7", "tracking_code": "GHN123", "tracking_url": "/track/GHN123"}
    subject, text = render("tracking_sms", "vi", params, base_url=BASE)
    assert subject == ""
    assert text.isascii()
    assert len(text) <= 160
    assert text.endswith(f"{BASE}/track/GHN123")


def test_survey_email_carries_link_and_warranty_lines() -> None:
    params = {
        "order_number": "DH-9",
        "survey_url": "/survey/tok",
        "warranty_lines": ["Quạt đứng: 12 tháng", "Ấm siêu tốc: 6 tháng"],
    }
    subject, body = render("survey_email", "vi", params, base_url=BASE)
    assert "DH-9" in subject
    assert f"{BASE}/survey/tok" in body
    assert "- Quạt đứng: 12 tháng\n- Ấm siêu tốc: 6 tháng" in body


def test_ticket_opened_shows_due_time_in_vietnam_time() -> None:
    params = {"ticket_number": "TK-000001", "due_at": "2026-11-03T01:00:00+00:00"}
    subject, body = render("ticket_opened", "en", params)
    assert subject == "Support request TK-000001 received"
    assert "by 08:00 03/11/2026" in body


def test_unknown_language_falls_back_to_vietnamese() -> None:
    subject, _ = render("ticket_resolved", "fr", {"ticket_number": "TK-000002"})
    assert subject == "Yêu cầu hỗ trợ TK-000002 đã được giải quyết"


def test_every_template_renders_in_both_languages_with_its_required_params() -> None:
    for template, spec in SPECS.items():
        params: dict[str, Any] = dict.fromkeys(spec.required, "1")
        params.update({"total": 1, "due_at": "2026-11-03T01:00:00+00:00"})
        for language in ("vi", "en"):
            subject, body = render(template, language, params)
            assert body.strip()
            assert bool(subject) is (spec.channel == "email")


def test_message_id_is_stable_for_a_key_and_differs_between_keys() -> None:
    assert message_id_for("order:1:confirmation") == message_id_for("order:1:confirmation")
    assert message_id_for("order:1:confirmation") != message_id_for("order:2:confirmation")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to": "not-an-address"}, "to"),
        ({"template": "no_such_template"}, "template"),
        ({"template": "tracking_sms"}, "template"),
        ({"params": {"order_number": "DH-1"}}, "params"),
        ({"key": ""}, "key"),
        ({"purpose": " "}, "purpose"),
        ({"params": {"order_number": "DH-1", "total": object()}}, "params"),
    ],
)
def test_bad_email_request_is_refused_naming_the_field_and_writes_nothing(
    overrides: dict[str, Any], field: str
) -> None:
    request: dict[str, Any] = {
        "key": "order:1:confirmation",
        "to": "an@example.vn",
        "template": "order_confirmation",
        "params": {"order_number": "DH-1", "total": 1000},
        "order_id": "ord_1",
        "purpose": "order_confirmation",
    }
    request.update(overrides)
    with pytest.raises(InvalidInput) as refused:
        send_email(UntouchableUow(), **request)  # type: ignore[arg-type]
    assert field in refused.value.errors


def test_sms_to_something_that_is_not_a_phone_number_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        send_sms(
            UntouchableUow(),  # type: ignore[arg-type]
            key="k",
            to="an@example.vn",
            template="tracking_sms",
            params={"order_number": "1", "tracking_code": "2", "tracking_url": "/t/2"},
            order_id=None,
            purpose="tracking",
        )
    assert set(refused.value.errors) == {"to"}
