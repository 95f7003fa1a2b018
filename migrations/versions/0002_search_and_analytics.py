"""Search and analytics: normalised, trigram-indexed names of people and products; an index
for spend-restricted consideration.

Organization names already have their normalised column and trigram index (0001); people and
products get the same folding (``sg_normalize``), so one search covers every name the graph
stores, in every script, through indexes rather than scans.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('person', sa.Column('name_normalized', sa.Text(), sa.Computed('sg_normalize(name)', persisted=True), nullable=True))
    op.add_column('person', sa.Column('native_name_normalized', sa.Text(), sa.Computed('sg_normalize(native_name)', persisted=True), nullable=True))
    op.create_index('ix_person_name_normalized_trgm', 'person', ['name_normalized'], unique=False, postgresql_using='gin', postgresql_ops={'name_normalized': 'gin_trgm_ops'})
    op.create_index('ix_person_native_name_normalized_trgm', 'person', ['native_name_normalized'], unique=False, postgresql_using='gin', postgresql_ops={'native_name_normalized': 'gin_trgm_ops'})
    op.add_column('product', sa.Column('name_normalized', sa.Text(), sa.Computed('sg_normalize(name)', persisted=True), nullable=True))
    op.create_index('ix_product_name_normalized_trgm', 'product', ['name_normalized'], unique=False, postgresql_using='gin', postgresql_ops={'name_normalized': 'gin_trgm_ops'})
    op.create_index(op.f('ix_consideration_component_spend_restricted_to_id'), 'consideration_component', ['spend_restricted_to_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_consideration_component_spend_restricted_to_id'), table_name='consideration_component')
    op.drop_index('ix_product_name_normalized_trgm', table_name='product', postgresql_using='gin', postgresql_ops={'name_normalized': 'gin_trgm_ops'})
    op.drop_column('product', 'name_normalized')
    op.drop_index('ix_person_native_name_normalized_trgm', table_name='person', postgresql_using='gin', postgresql_ops={'native_name_normalized': 'gin_trgm_ops'})
    op.drop_index('ix_person_name_normalized_trgm', table_name='person', postgresql_using='gin', postgresql_ops={'name_normalized': 'gin_trgm_ops'})
    op.drop_column('person', 'native_name_normalized')
    op.drop_column('person', 'name_normalized')
