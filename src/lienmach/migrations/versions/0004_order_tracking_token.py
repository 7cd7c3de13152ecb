"""Orders carry an unguessable tracking token for the public tracking link.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:20:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("tracking_token", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    orders = sa.table("orders", sa.column("id", sa.String), sa.column("tracking_token", sa.String))
    ids = connection.execute(sa.select(orders.c.id)).scalars().all()
    for order_id in ids:
        connection.execute(
            orders.update()
            .where(orders.c.id == order_id)
            .values(tracking_token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("tracking_token", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(op.f("uq_orders_tracking_token"), ["tracking_token"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("uq_orders_tracking_token"), type_="unique")
        batch.drop_column("tracking_token")
