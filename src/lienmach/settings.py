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
    company_name: str = field(default_factory=lambda: _env("COMPANY_NAME", "Lienmach Demo"))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
