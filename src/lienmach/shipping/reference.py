"""Shipping's reference data, read once per unit of work: rate cards, carrier names, on-time
rates.

Kept in ``uow.scratch`` rather than per process: carriers and rate cards are data that can be
changed, and the scratch lives no longer than one transaction (a bus batch shares one; a rolled
back savepoint clears it). Within it, every booking of the batch is quoted from one reading.
"""

from __future__ import annotations

from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping import queries, repository
from lienmach.shipping.model import RateCard

_RATE_CARDS = "shipping.rate_cards"
_CARRIER_NAMES = "shipping.carrier_names"
_ON_TIME_RATES = "shipping.on_time_rates"


def rate_cards(uow: UnitOfWork) -> list[RateCard]:
    """The active carriers' rate cards (an empty reading is not kept: seeding may follow)."""
    cards: list[RateCard] | None = uow.scratch.get(_RATE_CARDS)
    if cards is None:
        cards = repository.load_rate_cards(uow.connection)
        if cards:
            uow.scratch[_RATE_CARDS] = cards
    return cards


def carrier_names(uow: UnitOfWork) -> dict[str, str]:
    """Carrier names by id."""
    names: dict[str, str] | None = uow.scratch.get(_CARRIER_NAMES)
    if names is None:
        names = uow.scratch[_CARRIER_NAMES] = repository.carrier_names(uow.connection)
    return names


def on_time_rates(uow: UnitOfWork, *, min_deliveries: int) -> dict[str, float]:
    """Each carrier's on-time rate: a statistic over every delivery so far, so one reading
    serves a batch of carrier choices."""
    key = f"{_ON_TIME_RATES}:{min_deliveries}"
    rates: dict[str, float] | None = uow.scratch.get(key)
    if rates is None:
        rates = queries.on_time_rates(uow.connection, min_deliveries=min_deliveries)
        uow.scratch[key] = rates
    return rates


def forget(uow: UnitOfWork) -> None:
    """Drop what was read (the carriers or rate cards are being changed in this unit of work)."""
    for key in (_RATE_CARDS, _CARRIER_NAMES):
        uow.scratch.pop(key, None)
