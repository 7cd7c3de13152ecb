"""The default carriers and their (fictional) rate cards, seeded by ``seed_carriers``.

Per carrier and service: the ≤ 500 g fee and promised days for each distance band; heavier
weight bands add a fixed step to the ≤ 500 g fee, and each kilogram above 5 kg adds a fee.
"""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.shipping.model import DistanceBand, RateCard

BANDS = (
    DistanceBand.SAME_PROVINCE,
    DistanceBand.UNDER_300,
    DistanceBand.FROM_300_TO_1000,
    DistanceBand.OVER_1000,
)
# Added to the ≤ 500 g fee for ≤ 1 kg, ≤ 2 kg and ≤ 5 kg.
WEIGHT_STEPS_VND = (3_000, 8_000, 20_000)


@dataclass(frozen=True)
class CarrierDefaults:
    id: str
    name: str
    max_weight_grams: int
    cod_fee_basis_points: int
    cod_fee_min_vnd: int
    extra_kg_vnd: int
    # service level → (≤ 500 g fee per band, promised days per band), bands in BANDS order
    services: dict[str, tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]


CARRIERS = (
    CarrierDefaults(
        id="ghn",
        name="Giao Hàng Nhanh",
        max_weight_grams=30_000,
        cod_fee_basis_points=80,
        cod_fee_min_vnd=5_000,
        extra_kg_vnd=5_000,
        services={
            "standard": ((15_000, 22_000, 30_000, 35_000), (1, 2, 3, 4)),
            "express": ((22_000, 28_000, 38_000, 45_000), (1, 1, 2, 2)),
        },
    ),
    CarrierDefaults(
        id="ghtk",
        name="Giao Hàng Tiết Kiệm",
        max_weight_grams=20_000,
        cod_fee_basis_points=50,
        cod_fee_min_vnd=4_000,
        extra_kg_vnd=4_500,
        services={
            "standard": ((16_000, 20_000, 28_000, 32_000), (1, 3, 4, 5)),
            "express": ((23_000, 31_000, 40_000, 48_000), (1, 2, 2, 3)),
        },
    ),
    CarrierDefaults(
        id="vtp",
        name="Viettel Post",
        max_weight_grams=50_000,
        cod_fee_basis_points=100,
        cod_fee_min_vnd=5_000,
        extra_kg_vnd=4_000,
        services={
            "standard": ((17_000, 23_000, 29_000, 33_000), (2, 3, 4, 6)),
            "express": ((24_000, 30_000, 39_000, 46_000), (1, 1, 2, 3)),
        },
    ),
)


def default_rate_cards() -> list[RateCard]:
    """Every default rate card row, joined with its carrier's limits."""
    cards: list[RateCard] = []
    for carrier in CARRIERS:
        for service_level, (fees, days) in carrier.services.items():
            for band, fee, promised_days in zip(BANDS, fees, days, strict=True):
                one_kg, two_kg, five_kg = (fee + step for step in WEIGHT_STEPS_VND)
                cards.append(
                    RateCard(
                        carrier_id=carrier.id,
                        carrier_name=carrier.name,
                        service_level=service_level,
                        distance_band=band.value,
                        fee_500g_vnd=fee,
                        fee_1kg_vnd=one_kg,
                        fee_2kg_vnd=two_kg,
                        fee_5kg_vnd=five_kg,
                        extra_kg_vnd=carrier.extra_kg_vnd,
                        promised_days=promised_days,
                        max_weight_grams=carrier.max_weight_grams,
                        cod_fee_basis_points=carrier.cod_fee_basis_points,
                        cod_fee_min_vnd=carrier.cod_fee_min_vnd,
                    )
                )
    return cards
