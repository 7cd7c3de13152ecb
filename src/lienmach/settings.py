"""Settings read from the environment (``LIENMACH_*``), with embedded defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(f"LIENMACH_{name}", default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", "sqlite:///lienmach.db"))
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "8025")))
    mail_from: str = field(
        default_factory=lambda: _env("MAIL_FROM", "Lienmach <no-reply@lienmach.local>")
    )
    sms_gateway_url: str = field(
        default_factory=lambda: _env("SMS_GATEWAY_URL", "http://127.0.0.1:8026")
    )
    carrier_api_url: str = field(
        default_factory=lambda: _env("CARRIER_API_URL", "http://127.0.0.1:8027")
    )
    carrier_secret: str = field(
        default_factory=lambda: _env("CARRIER_SECRET", "carrier-dev-secret")
    )
    public_base_url: str = field(
        default_factory=lambda: _env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    )
    payment_gateway_url: str = field(
        default_factory=lambda: _env("PAYMENT_GATEWAY_URL", "http://127.0.0.1:8028")
    )
    payment_gateway_secret: str = field(
        default_factory=lambda: _env("PAYMENT_GATEWAY_SECRET", "payment-dev-secret")
    )
    # Signs the storefront's cart cookie; set your own in production.
    cookie_secret: str = field(
        default_factory=lambda: _env("COOKIE_SECRET", "lienmach-dev-cookie-secret")
    )
    company_name: str = field(default_factory=lambda: _env("COMPANY_NAME", "Lienmach Demo"))
    # A prepaid order not paid this many hours after it was placed is cancelled.
    payment_deadline_hours: float = field(
        default_factory=lambda: float(_env("PAYMENT_DEADLINE_HOURS", "24"))
    )
    # An open shipment with no carrier news for this many hours is asked about (lost callbacks).
    carrier_poll_after_hours: float = field(
        default_factory=lambda: float(_env("CARRIER_POLL_AFTER_HOURS", "2"))
    )
    # How often each worker looks for passed payment deadlines and shipments to poll.
    sweep_every_minutes: float = field(
        default_factory=lambda: float(_env("SWEEP_EVERY_MINUTES", "5"))
    )
    # Threads each process gives to jobs' I/O (bookings, e-mail, SMS): a remote side answers
    # in tens to hundreds of milliseconds, so the jobs' throughput is threads / latency.
    io_threads: int = field(default_factory=lambda: int(_env("IO_THREADS", "32")))

    def __post_init__(self) -> None:
        for name in (
            "payment_deadline_hours",
            "carrier_poll_after_hours",
            "sweep_every_minutes",
            "io_threads",
        ):
            if not getattr(self, name) > 0:
                variable = f"LIENMACH_{name.upper()}"
                raise ValueError(
                    f"{variable} phải là số dương, ví dụ 24 / must be a positive number, e.g. 24"
                )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
