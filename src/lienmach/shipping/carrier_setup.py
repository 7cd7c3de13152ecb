"""Carrier setup: the default carriers and rate cards, and the secret each signs callbacks with."""

from __future__ import annotations

from dataclasses import asdict

from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import reference
from lienmach.shipping.defaults import CARRIERS, default_rate_cards
from lienmach.shipping.tables import carriers, rate_cards


def seed_carriers(uow: UnitOfWork) -> int:
    """Insert the default carriers and rate cards unless present; returns rows inserted."""
    carrier_rows = [
        {
            "id": c.id,
            "name": c.name,
            "active": True,
            "max_weight_grams": c.max_weight_grams,
            "cod_fee_basis_points": c.cod_fee_basis_points,
            "cod_fee_min_vnd": c.cod_fee_min_vnd,
        }
        for c in CARRIERS
    ]
    limits = ("carrier_name", "max_weight_grams", "cod_fee_basis_points", "cod_fee_min_vnd")
    card_rows = [
        {k: v for k, v in asdict(card).items() if k not in limits} for card in default_rate_cards()
    ]
    reference.forget(uow)
    inserted = insert_ignoring_duplicates(uow.connection, carriers, carrier_rows)
    return inserted + insert_ignoring_duplicates(uow.connection, rate_cards, card_rows)


def set_webhook_secret(uow: UnitOfWork, *, carrier_id: str, secret: str) -> None:
    """Store the secret a carrier signs its status callbacks with."""
    if len(secret.strip()) < 16:
        raise InvalidInput({"secret": "use at least 16 characters"})
    changed = uow.connection.execute(
        carriers.update().where(carriers.c.id == carrier_id).values(webhook_secret=secret.strip())
    ).rowcount
    if changed != 1:
        raise NotFound("carrier", carrier_id)
