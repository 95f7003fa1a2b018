"""Indexes the compiled reads' plans asked for: an investor's portfolio in its default order.

An investor's investments page by (is_lead DESC, id DESC); with only (investor_id, id) the
largest portfolios (thousands of rows) were fetched, joined to their rounds and sorted for every
page. With (investor_id, is_lead, id) a page is read in order and stops after first + 1 rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_investment_investor_lead', 'investment', ['investor_id', 'is_lead', 'id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_investment_investor_lead', table_name='investment')
