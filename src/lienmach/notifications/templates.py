"""Message templates in Vietnamese and English, rendered with Jinja2 at send time.

Params are plain JSON values. Links are relative paths ("/track/GHN123"); :func:`render`
prefixes the public base URL to every ``*_url`` param. Money params (``total``) are integers of
đồng, shown with the ``vnd`` filter; moments are ISO strings, shown in Vietnam time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from lienmach.kernel.money import format_vnd

LANGUAGES = ("vi", "en")
VIETNAM_TIME = timezone(timedelta(hours=7))  # no daylight saving in Vietnam


@dataclass(frozen=True)
class TemplateSpec:
    channel: str  # email | sms
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


SPECS: dict[str, TemplateSpec] = {
    "order_confirmation": TemplateSpec("email", ("order_number", "total"), ("tracking_url",)),
    "tracking_email": TemplateSpec(
        "email",
        ("order_number", "tracking_code", "carrier_name", "tracking_url"),
        ("promised_date",),
    ),
    "tracking_sms": TemplateSpec(
        "sms", ("order_number", "tracking_code", "tracking_url"), ("carrier_name",)
    ),
    "survey_email": TemplateSpec("email", ("order_number", "survey_url"), ("warranty_lines",)),
    "ticket_opened": TemplateSpec("email", ("ticket_number", "due_at"), ("subject",)),
    "ticket_resolved": TemplateSpec("email", ("ticket_number",), ("resolution",)),
    "payment_deadline_cancelled": TemplateSpec("email", ("order_number", "total", "due_at")),
    # cause: cancellation | return | late_payment
    "refund_issued": TemplateSpec("email", ("order_number", "amount", "cause")),
    "kpi_alert": TemplateSpec("email", ("kpi", "slice", "stage", "measured", "threshold")),
}

_SOURCES: dict[tuple[str, str], tuple[str, str]] = {
    ("order_confirmation", "vi"): (
        "Xác nhận đơn hàng {{ order_number }}",
        "Cảm ơn quý khách đã đặt hàng!\n\n"
        "Đơn hàng {{ order_number }} đã được tiếp nhận.\n"
        "Tổng thanh toán: {{ total | vnd }}\n"
        "{% if tracking_url %}Theo dõi đơn hàng: {{ tracking_url }}\n{% endif %}",
    ),
    ("order_confirmation", "en"): (
        "Order {{ order_number }} confirmed",
        "Thank you for your order!\n\n"
        "We have received order {{ order_number }}.\n"
        "Total: {{ total | vnd }}\n"
        "{% if tracking_url %}Track your order: {{ tracking_url }}\n{% endif %}",
    ),
    ("tracking_email", "vi"): (
        "Đơn hàng {{ order_number }} đã được giao cho {{ carrier_name }}",
        "Đơn hàng {{ order_number }} đang trên đường đến quý khách.\n\n"
        "Đơn vị vận chuyển: {{ carrier_name }}\n"
        "Mã vận đơn: {{ tracking_code }}\n"
        "{% if promised_date %}Dự kiến giao: {{ promised_date | day }}\n{% endif %}"
        "Theo dõi: {{ tracking_url }}\n",
    ),
    ("tracking_email", "en"): (
        "Order {{ order_number }} is on its way with {{ carrier_name }}",
        "Order {{ order_number }} is on its way to you.\n\n"
        "Carrier: {{ carrier_name }}\n"
        "Tracking number: {{ tracking_code }}\n"
        "{% if promised_date %}Expected delivery: {{ promised_date | day }}\n{% endif %}"
        "Track it: {{ tracking_url }}\n",
    ),
    ("tracking_sms", "vi"): (
        "",
        "Don hang {{ order_number }} da duoc gui{% if carrier_name %} qua {{ carrier_name }}"
        "{% endif %}. Ma van don {{ tracking_code }}. Theo doi: {{ tracking_url }}",
    ),
    ("tracking_sms", "en"): (
        "",
        "Order {{ order_number }} has shipped{% if carrier_name %} with {{ carrier_name }}"
        "{% endif %}. Tracking {{ tracking_code }}: {{ tracking_url }}",
    ),
    ("survey_email", "vi"): (
        "Quý khách hài lòng với đơn hàng {{ order_number }} chứ?",
        "Đơn hàng {{ order_number }} đã được giao thành công.\n\n"
        "Quý khách có sẵn lòng giới thiệu chúng tôi với bạn bè (0–10 điểm)?\n"
        "Trả lời khảo sát: {{ survey_url }}\n"
        "{% if warranty_lines %}\nThông tin bảo hành:\n"
        "{% for line in warranty_lines %}- {{ line }}\n{% endfor %}{% endif %}",
    ),
    ("survey_email", "en"): (
        "How was your order {{ order_number }}?",
        "Order {{ order_number }} has been delivered.\n\n"
        "How likely are you to recommend us to a friend (0–10)?\n"
        "Answer the survey: {{ survey_url }}\n"
        "{% if warranty_lines %}\nWarranty:\n"
        "{% for line in warranty_lines %}- {{ line }}\n{% endfor %}{% endif %}",
    ),
    ("ticket_opened", "vi"): (
        "Yêu cầu hỗ trợ {{ ticket_number }} đã được tiếp nhận",
        "Chúng tôi đã tiếp nhận yêu cầu {{ ticket_number }}"
        "{% if subject %} ({{ subject }}){% endif %}.\n"
        "Chúng tôi sẽ giải quyết trước {{ due_at | moment }}.\n",
    ),
    ("ticket_opened", "en"): (
        "Support request {{ ticket_number }} received",
        "We have received your request {{ ticket_number }}"
        "{% if subject %} ({{ subject }}){% endif %}.\n"
        "We will resolve it by {{ due_at | moment }}.\n",
    ),
    ("ticket_resolved", "vi"): (
        "Yêu cầu hỗ trợ {{ ticket_number }} đã được giải quyết",
        "Yêu cầu {{ ticket_number }} đã được giải quyết.\n"
        "{% if resolution %}\n{{ resolution }}\n{% endif %}",
    ),
    ("payment_deadline_cancelled", "vi"): (
        "Đơn hàng {{ order_number }} đã bị hủy do quá hạn thanh toán",
        "Chúng tôi chưa nhận được thanh toán {{ total | vnd }} cho đơn hàng {{ order_number }}"
        " trước hạn {{ due_at | moment }}, nên đơn hàng đã được hủy và hàng đã được mở bán lại.\n\n"
        "Nếu quý khách vẫn muốn mua, vui lòng đặt lại đơn hàng mới.\n"
        "Nếu quý khách đã thanh toán sau thời điểm này, số tiền sẽ được hoàn lại đầy đủ.\n",
    ),
    ("payment_deadline_cancelled", "en"): (
        "Order {{ order_number }} was cancelled: payment deadline passed",
        "We did not receive the payment of {{ total | vnd }} for order {{ order_number }}"
        " by {{ due_at | moment }}, so the order was cancelled and its goods released.\n\n"
        "If you still want them, please place a new order.\n"
        "If you pay after this moment, the money will be refunded in full.\n",
    ),
    ("refund_issued", "vi"): (
        "Hoàn tiền {{ amount | vnd }} cho đơn hàng {{ order_number }}",
        "Chúng tôi đã hoàn lại {{ amount | vnd }} cho đơn hàng {{ order_number }}"
        "{% if cause == 'return' %} vì hàng giao không thành công và đã hoàn về kho"
        "{% elif cause == 'late_payment' %} vì khoản thanh toán đến sau khi đơn hàng đã bị hủy"
        "{% else %} vì đơn hàng đã bị hủy{% endif %}.\n"
        "Tiền sẽ về tài khoản đã dùng để thanh toán.\n",
    ),
    ("refund_issued", "en"): (
        "Refund of {{ amount | vnd }} for order {{ order_number }}",
        "We have refunded {{ amount | vnd }} for order {{ order_number }}"
        "{% if cause == 'return' %} because the delivery failed and the goods came back"
        "{% elif cause == 'late_payment' %} because the payment arrived after the order was"
        " cancelled{% else %} because the order was cancelled{% endif %}.\n"
        "The money goes back to the account you paid from.\n",
    ),
    ("ticket_resolved", "en"): (
        "Support request {{ ticket_number }} resolved",
        "Your request {{ ticket_number }} has been resolved.\n"
        "{% if resolution %}\n{{ resolution }}\n{% endif %}",
    ),
    ("kpi_alert", "vi"): (
        "Cảnh báo KPI: {{ kpi }} vượt mục tiêu ({{ slice }})",
        "Chỉ số {{ kpi }} của {{ slice }} đang là {{ measured }}, mục tiêu {{ threshold }}.\n"
        "Khâu cần xem: {{ stage }}.\n",
    ),
    ("kpi_alert", "en"): (
        "KPI alert: {{ kpi }} off target ({{ slice }})",
        "{{ kpi }} for {{ slice }} is {{ measured }}; the target is {{ threshold }}.\n"
        "Stage to look at: {{ stage }}.\n",
    ),
}


def _moment(value: Any) -> str:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TIME).strftime("%H:%M %d/%m/%Y")


def _day(value: Any) -> str:
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    return _moment(text)


def _vnd(value: Any) -> str:
    return format_vnd(int(value))


_environment = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_environment.filters.update(vnd=_vnd, moment=_moment, day=_day)
_compiled: dict[tuple[str, str], tuple[Template, Template]] = {
    key: (_environment.from_string(subject), _environment.from_string(body))
    for key, (subject, body) in _SOURCES.items()
}


def missing_params(template: str, params: Mapping[str, Any]) -> list[str]:
    """Required params of ``template`` that ``params`` lacks."""
    return [name for name in SPECS[template].required if params.get(name) in (None, "")]


def render(
    template: str, language: str, params: Mapping[str, Any], *, base_url: str = ""
) -> tuple[str, str]:
    """(subject, body) of ``template`` in ``language``; SMS templates have an empty subject."""
    spec = SPECS[template]
    values: dict[str, Any] = dict.fromkeys(spec.optional)
    for name, value in params.items():
        if name.endswith("_url") and isinstance(value, str) and value.startswith("/"):
            value = base_url.rstrip("/") + value
        values[name] = value
    subject, body = _compiled[(template, language if language in LANGUAGES else "vi")]
    return subject.render(values).strip(), body.render(values)
