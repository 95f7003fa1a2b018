"""Ordering indexes of exits and valuations: every orderBy of their lists reads an index.

Revision ID: 0018_exit_valuation_orders
Revises: 0017_investment_people
"""

from __future__ import annotations

from alembic import op

revision: str = "0018_exit_valuation_orders"
down_revision: str | None = "0017_investment_people"
branch_labels: str | None = None
depends_on: str | None = None

# (name, table, key): undisclosed amounts sort as -1, as the read SQL writes them.
INDEXES = (
    ("ix_exit_proceeds_id", "exit", "coalesce(proceeds_amount, -1), id"),
    ("ix_exit_created_id", "exit", "created_at, id"),
    ("ix_valuation_value_id", "valuation", "coalesce(value_amount, -1), id"),
    ("ix_valuation_created_id", "valuation", "created_at, id"),
)


def upgrade() -> None:
    for name, table, key in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} ({key})")


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.execute(f"DROP INDEX {name}")
