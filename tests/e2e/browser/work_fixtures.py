"""Helpers of the work journeys in Chromium: the carrier calling the served app back with
signed status updates, and the links customers get by e-mail, read from the SMTP sandbox."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.shipping.queries import shipments_for_order
from lienmach.shipping.sandbox import CarrierSandbox
from tests.e2e.browser.conftest import BackOffice

_LINK = re.compile(r"https?://\S+?(/(?:track|survey)/[A-Za-z0-9_-]+)")


def carrier_reports_over_http(
    office: BackOffice, carriers: CarrierSandbox, tracking_code: str, *statuses: str
) -> None:
    """The carrier moves the parcel through ``statuses``, each an hour apart, and posts each
    signed callback to the running app, as a real carrier's webhook does."""
    carrier_id = carriers.orders[tracking_code]["carrier_id"]
    for status in statuses:
        office.clock.advance(timedelta(hours=1))
        headers, body = carriers.advance(tracking_code, status, at=office.clock.now())
        answer = httpx.post(
            f"{office.url}/api/v1/carriers/{carrier_id}/callbacks",
            content=body,
            headers=headers,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text


def tracking_code_of(office: BackOffice, order_id: str) -> str:
    [shipment] = office.runtime.read(shipments_for_order, order_id)
    assert shipment.tracking_code, "the parcel was not booked with the carrier"
    return shipment.tracking_code


def link_in_email(smtp: SmtpSandboxProcess, recipient: str, kind: str) -> str:
    """The path of the /track/ or /survey/ link in the e-mail ``recipient`` actually received."""
    found = smtp.wait_for(
        lambda message: recipient in message["to"] and f"/{kind}/" in message["body"],
        timeout=15,
    )
    assert found, f"no e-mail with a /{kind}/ link reached {recipient}"
    paths = [match.group(1) for match in _LINK.finditer(found[-1]["body"])]
    path = next((item for item in paths if item.startswith(f"/{kind}/")), None)
    assert path, found[-1]["body"]
    assert urlsplit(path).path == path
    return path
