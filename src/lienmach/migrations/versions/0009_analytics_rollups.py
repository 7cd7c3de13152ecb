"""KPI sums kept also as wide rows per slice and block of 1, 7 or 28 days (one column per
metric), so a KPI over any window reads a handful of rows even with a million orders (ADR 0011).

A database upgraded with KPI state already in ``analytics_daily`` fills these rows with
``lienmach analytics recompute`` (until then KPI reads of past days come back empty).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The metric columns as of this revision (analytics.rollups.COLUMN_OF), frozen here.
METRICS = (
    "orders_placed",
    "delivered",
    "cycle_s",
    "cycle_b_00",
    "cycle_b_01",
    "cycle_b_02",
    "cycle_b_03",
    "cycle_b_04",
    "cycle_b_05",
    "cycle_b_06",
    "cycle_b_07",
    "cycle_b_08",
    "cycle_b_09",
    "cycle_b_10",
    "cycle_b_11",
    "cycle_b_12",
    "cycle_b_13",
    "cycle_b_14",
    "cycle_b_15",
    "cycle_b_16",
    "cycle_b_17",
    "cycle_b_18",
    "cycle_b_19",
    "cycle_b_20",
    "stage_s_reserve",
    "stage_s_wait",
    "stage_s_pick",
    "stage_s_pack",
    "stage_s_handover",
    "stage_s_transit",
    "stage_n_reserve",
    "stage_n_wait",
    "stage_n_pick",
    "stage_n_pack",
    "stage_n_handover",
    "stage_n_transit",
    "orders_final",
    "picked_orders",
    "parcels",
    "carrier_fee_vnd",
    "prepaid_vnd",
    "cod_vnd",
    "support_opens",
    "errors",
    "errors_data_entry",
    "errors_automation",
    "errors_delivery",
    "errors_customer_care",
    "nps_answers",
    "nps_promoters",
    "nps_detractors",
    "tickets_opened",
    "tickets_resolved",
    "resolution_s",
    "resolution_b_00",
    "resolution_b_01",
    "resolution_b_02",
    "resolution_b_03",
    "resolution_b_04",
    "resolution_b_05",
    "resolution_b_06",
    "resolution_b_07",
    "resolution_b_08",
    "resolution_b_09",
    "resolution_b_10",
    "resolution_b_11",
    "resolution_b_12",
    "resolution_b_13",
    "resolution_b_14",
    "resolution_b_15",
    "resolution_b_16",
    "resolution_b_17",
    "resolution_b_18",
    "resolution_b_19",
    "resolution_b_20",
)


def upgrade() -> None:
    op.create_table(
        "analytics_rollups",
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(length=10), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in METRICS),
        sa.PrimaryKeyConstraint(
            "dimension", "span", "start", "value", name=op.f("pk_analytics_rollups")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_analytics_rollups_slice", "analytics_rollups", ["dimension", "value", "span", "start"]
    )


def downgrade() -> None:
    op.drop_index("ix_analytics_rollups_slice", table_name="analytics_rollups")
    op.drop_table("analytics_rollups")
