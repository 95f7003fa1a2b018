"""People on deals: a person's part in an investment for the investor — overseeing it (F8:
Eddie Wu oversees Alibaba's four AI investments), representing the investor, or sitting on the
investee's board — with claims.

A versioned table (``sg_versioning_sync``, 0004); claims reach a link through a new arc column
of ``claim_subject``.

Revision ID: 0017_investment_people
Revises: 0016_exits
Create Date: 2026-12-02 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_investment_people'
down_revision: str | None = '0016_exits'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS_BEFORE = (
    'organization_id', 'person_role_id', 'product_id', 'funding_round_id', 'investment_id',
    'consideration_component_id', 'credit_program_id', 'relationship_id', 'compute_asset_id',
    'event_id', 'acquisition_id', 'listing_id', 'valuation_id', 'fund_id',
    'fund_commitment_id', 'exit_id',
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, 'investment_person_id')


def _exactly_one(columns: Sequence[str]) -> None:
    op.drop_constraint(op.f('ck_claim_subject_exactly_one'), 'claim_subject', type_='check')
    op.create_check_constraint(
        op.f('ck_claim_subject_exactly_one'),
        'claim_subject',
        f"num_nonnulls({', '.join(columns)}) = 1",
    )


def _sync(table: str) -> None:
    op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def upgrade() -> None:
    op.create_table('investment_person',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('key', sa.Text(), server_default=sa.text('gen_random_uuid()::text'), nullable=False),
    sa.Column('investment_id', sa.BigInteger(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), server_default=sa.text('sg_key_id()'), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("key <> '' AND key !~ '[[:space:]]'", name=op.f('ck_investment_person_key_format')),
    sa.CheckConstraint("role IN ('OVERSEES', 'REPRESENTS', 'BOARD_MEMBER')", name=op.f('ck_investment_person_role')),
    sa.ForeignKeyConstraint(['investment_id'], ['investment.id'], name=op.f('fk_investment_person_investment_id_investment')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_investment_person_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment_person')),
    sa.UniqueConstraint('investment_id', 'person_id', 'role', name=op.f('uq_investment_person_investment_id_person_id_role')),
    sa.UniqueConstraint('key', name=op.f('uq_investment_person_key')),
    comment="A person's part in an investment for the investor: overseeing it (F8), representing the investor, sitting on the board."
    )
    op.create_index('ix_investment_person_person', 'investment_person', ['person_id', 'id'], unique=False)
    op.add_column(
        'claim_subject', sa.Column('investment_person_id', sa.BigInteger(), nullable=True)
    )
    op.create_index(
        'ix_claim_subject_investment_person_id', 'claim_subject',
        ['investment_person_id', 'claim_id'], unique=False,
        postgresql_where=sa.text('investment_person_id IS NOT NULL'),
    )
    op.create_foreign_key(
        op.f('fk_claim_subject_investment_person_id_investment_person'), 'claim_subject',
        'investment_person', ['investment_person_id'], ['id'], ondelete='CASCADE',
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ('investment_person', 'claim_subject'):
        _sync(table)


def downgrade() -> None:
    # The views list the columns: they go with the table and are rebuilt for claim_subject.
    op.execute("DELETE FROM claim_subject WHERE investment_person_id IS NOT NULL")
    _exactly_one(SUBJECTS_BEFORE)
    op.execute('ALTER TABLE history.claim_subject DROP COLUMN investment_person_id CASCADE')
    op.execute('ALTER TABLE claim_subject DROP COLUMN investment_person_id CASCADE')
    _sync('claim_subject')
    op.execute('DROP VIEW IF EXISTS live.investment_person')
    op.execute('DROP VIEW IF EXISTS asof.investment_person')
    op.drop_table('investment_person')
    op.drop_table('investment_person', schema='history')
