"""A rate limit of its own for an API key: bucket size and restore rate, both or neither.

Revision ID: 0010_api_key_rate_limit
Revises: 0009_plan_indexes
Create Date: 2026-12-02 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_api_key_rate_limit"
down_revision: str | None = "0009_plan_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_key",
        sa.Column(
            "rate_capacity",
            sa.Integer(),
            nullable=True,
            comment="Bucket size in cost points; null: scope default.",
        ),
    )
    op.add_column(
        "api_key",
        sa.Column(
            "rate_restore",
            sa.Integer(),
            nullable=True,
            comment="Points restored per second; null: scope default.",
        ),
    )
    op.create_check_constraint(
        op.f("ck_api_key_rate_limit"),
        "api_key",
        "(rate_capacity IS NULL) = (rate_restore IS NULL)"
        " AND coalesce(rate_capacity > 0 AND rate_restore > 0, true)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_api_key_rate_limit"), "api_key", type_="check")
    op.drop_column("api_key", "rate_restore")
    op.drop_column("api_key", "rate_capacity")
